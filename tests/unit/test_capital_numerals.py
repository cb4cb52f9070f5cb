"""Amounts in capital numerals (大写金额) by the People's Bank of China's rules for filling in bills; the
examples are the rules' own where they give one."""

from __future__ import annotations

import pytest

from payments.money import capital_yuan


@pytest.mark.parametrize(
    ("fen", "capital"),
    [
        (12000, "壹佰贰拾元整"),
        (1000, "壹拾元整"),  # 壹拾, never a bare 拾
        (100, "壹元整"),
        (0, "零元整"),
        # to 元 or 角: 整 follows; with 分: it does not
        (140950, "壹仟肆佰零玖元伍角整"),
        (1050, "壹拾元伍角整"),
        (55, "伍角伍分"),
        (50, "伍角整"),
        (5, "伍分"),
        # a zero inside the yuan: one 零; several in a row: still one
        (600714, "陆仟零柒元壹角肆分"),
        (1000100, "壹万零壹元整"),
        # 角 zero, 分 not: 零 after 元
        (1640902, "壹万陆仟肆佰零玖元零贰分"),
        (32504, "叁佰贰拾伍元零肆分"),
        (105, "壹元零伍分"),
        # 元 position zero, 角 not: no 零 (the rules allow writing one or none)
        (168032, "壹仟陆佰捌拾元叁角贰分"),
        # zeros across 万 and 亿: one 零, and none at the end
        (10700053, "壹拾万零柒仟元伍角叁分"),
        (10500000, "壹拾万零伍仟元整"),
        (100100000, "壹佰万零壹仟元整"),
        (10000000000, "壹亿元整"),
        (10001000000, "壹亿零壹万元整"),
        (10000000100, "壹亿零壹元整"),
        (12000000000, "壹亿贰仟万元整"),
        (20000000, "贰拾万元整"),
        (99999999999, "玖亿玖仟玖佰玖拾玖万玖仟玖佰玖拾玖元玖角玖分"),
    ],
)
def test_capital_numerals(fen: int, capital: str) -> None:
    assert capital_yuan(fen) == capital


def test_a_reversal_is_negative() -> None:
    assert capital_yuan(-1000) == "负壹拾元整"
    assert capital_yuan(-32504) == "负叁佰贰拾伍元零肆分"
