"""Form facts a conversation can establish, as (form field key, value): "二胎" is child_order 2.

The backend keeps a fact only where the draft's form has that field and the value is one of its
options, so one list serves every form. When a message says two things of one field ("已经有两个孩子，
这胎是第三胎", "不是丢了，是被偷了"), the last one said is the one meant.
"""

from __future__ import annotations

import re


def _any(*patterns: str) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{p})" for p in patterns), re.IGNORECASE)


FACTS: list[tuple[str, str, re.Pattern[str]]] = [
    (
        "child_order",
        "1",
        _any(r"一胎|头胎|頭胎|第一胎|第一个孩子|第一個孩子|生老大|一孩", r"\bfirst (child|baby|kid)\b"),
    ),
    (
        "child_order",
        "2",
        _any(r"二胎|二孩|第二胎|第二个孩子|第二個孩子|老二|第二个宝宝|第二個BB", r"\bsecond (child|baby|kid)\b"),
    ),
    (
        "child_order",
        "3_plus",
        _any(r"三胎|三孩|第三胎|第三个孩子|第三個孩子|老三|四胎|第四胎", r"\b(third|fourth) (child|baby|kid)\b"),
    ),
    (
        "reason",
        "lost",
        _any(r"丢了|丢失|弄丢|遗失|遺失|不见了|不見了|唔見|跌咗|搞丢|搞掉|掉了", r"\b(lost|lose|missing)\b"),
    ),
    ("reason", "stolen", _any(r"被偷|被盗|被盜|偷咗|俾人偷|畀人偷", r"\b(stolen|robbed)\b")),
    ("reason", "damaged", _any(r"坏了|壞了|损坏|損壞|烂了|爛咗|破了|爛|撕", r"\b(damaged|broken|torn)\b")),
    ("reason", "expiring", _any(r"过期|過期|到期|快到期", r"\b(expir(es|ed|ing)|out of date)\b")),
    # The NEW baby's sex: "生了个儿子", not "我儿子的身份证丢了".
    (
        "baby_sex",
        "male",
        _any(
            r"生(了|咗)?(个|個|一个|一個)?(儿子|兒子|男孩|男宝|男寶|仔)",
            r"\b(it'?s a boy|had a (baby )?boy|baby boy)\b",
        ),
    ),
    (
        "baby_sex",
        "female",
        _any(
            r"生(了|咗)?(个|個|一个|一個)?(女儿|女兒|女孩|女宝|女寶|闺女|女)",
            r"\b(it'?s a girl|had a (baby )?girl|baby girl)\b",
        ),
    ),
    ("receive_method", "mail", _any(r"邮寄|郵寄|寄给我|寄俾我|寄到", r"\b(by (post|mail)|mail it|post it)\b")),
    ("receive_method", "pickup", _any(r"自取|自己去拿|自己去攞|自己攞", r"\b(pick (it )?up|collect it)\b")),
]
# The same fact under the names other forms give it.
FACT_ALIASES = {"baby_sex": ("new_baby_sex",)}


def facts_in(text: str) -> dict[str, str]:
    """The form facts a message establishes, the last said winning for each field."""
    latest: dict[str, tuple[int, str]] = {}
    for key, value, pattern in FACTS:
        for match in pattern.finditer(text):
            if key not in latest or match.end() > latest[key][0]:
                latest[key] = (match.end(), value)
    found = {key: value for key, (_, value) in latest.items()}
    for key, aliases in FACT_ALIASES.items():
        if key in found:
            found |= dict.fromkeys(aliases, found[key])
    return found
