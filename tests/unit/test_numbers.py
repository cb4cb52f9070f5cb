"""Resident ID numbers (GB 11643) and phone numbers."""

from __future__ import annotations

from datetime import date

import pytest

from backend.identity.numbers import check_character, mask_id_number, mask_phone, normalize_phone, parse_id_number


def test_check_character_of_the_standard_example() -> None:
    # GB 11643-1999's worked example: 11010519491231002 -> X
    assert check_character("11010519491231002") == "X"
    parsed = parse_id_number("11010519491231002x")
    assert parsed is not None
    assert parsed.value == "11010519491231002X"
    assert parsed.birth_date == date(1949, 12, 31)
    assert parsed.sex == "female" and parsed.region_prefix == "110105"


def test_sex_comes_from_the_17th_digit() -> None:
    first17 = "44010619880315011"
    parsed = parse_id_number(first17 + check_character(first17))
    assert parsed is not None and parsed.sex == "male"


def test_residence_permits_of_hong_kong_macao_and_taiwan_residents_are_valid() -> None:
    # 港澳台居民居住证 numbers carry 810000 (Hong Kong), 820000 (Macao) or 830000 (Taiwan) where a
    # resident's ID number has its county: the province code alone, then four zeros.
    for prefix in ("810000", "820000", "830000"):
        first17 = f"{prefix}19820125907"
        parsed = parse_id_number(first17 + check_character(first17))
        assert parsed is not None and parsed.region_prefix == prefix and parsed.birth_date == date(1982, 1, 25)


@pytest.mark.parametrize(
    ("number", "why"),
    [
        ("11010519491231002", "too short"),
        ("110105194912310021", "wrong check digit"),
        ("99010519491231002" + check_character("99010519491231002"), "no such province"),
        ("11000019491231002" + check_character("11000019491231002"), "no prefecture"),
        ("11010519490231002" + check_character("11010519490231002"), "February 31st"),
        ("11010520990101002" + check_character("11010520990101002"), "born in the future"),
        ("11010518000101002" + check_character("11010518000101002"), "born before 1890"),
        ("1101051949123100A2", "letters"),
    ],
)
def test_invalid_numbers(number: str, why: str) -> None:
    assert parse_id_number(number, today=date(2026, 11, 22)) is None, why


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("13800138000", "13800138000"),
        ("+86 138-0013-8000", "13800138000"),
        ("008613800138000", "13800138000"),
        ("12800138000", None),
        ("1380013800", None),
        ("138001380000", None),
        ("abc", None),
    ],
)
def test_phone_normalisation(raw: str, expected: str | None) -> None:
    assert normalize_phone(raw) == expected


def test_masks() -> None:
    assert mask_id_number("44010619880315011X") == "440106********011X"
    assert mask_phone("13800138000") == "138****8000"
