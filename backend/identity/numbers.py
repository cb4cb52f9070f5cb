"""Resident ID numbers (GB 11643-1999) and mainland mobile phone numbers."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"
# Province-level codes in use (GB/T 2260), plus 81/82/83 of Hong Kong, Macao and Taiwan residents'
# residence permits.
_PROVINCES = frozenset(
    [
        "11",
        "12",
        "13",
        "14",
        "15",
        "21",
        "22",
        "23",
        "31",
        "32",
        "33",
        "34",
        "35",
        "36",
        "37",
        "41",
        "42",
        "43",
        "44",
        "45",
        "46",
        "50",
        "51",
        "52",
        "53",
        "54",
        "61",
        "62",
        "63",
        "64",
        "65",
        "71",
        "81",
        "82",
        "83",
    ]
)
# Hong Kong, Macao and Taiwan residents' residence permit numbers start 810000, 820000, 830000.
_HKMT = frozenset(["81", "82", "83"])
_SHAPE = re.compile(r"^[0-9]{17}[0-9X]$")
_PHONE = re.compile(r"^1[3-9][0-9]{9}$")


def check_character(first17: str) -> str:
    """The GB 11643 check character of the first 17 digits."""
    return _CHECK[sum(int(d) * w for d, w in zip(first17, _WEIGHTS, strict=True)) % 11]


@dataclass(frozen=True)
class IdNumber:
    """A valid resident ID number and what it encodes."""

    value: str
    region_prefix: str
    birth_date: date
    sex: str  # "male" | "female"


def parse_id_number(raw: str, *, today: date | None = None) -> IdNumber | None:
    """The parsed number, or None unless shape, region prefix, birth date and check digit are valid."""
    value = raw.strip().upper()
    if not _SHAPE.match(value):
        return None
    if value[:2] not in _PROVINCES or (value[2:4] == "00" and value[:2] not in _HKMT):
        return None
    try:
        born = date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        return None
    if born.year < 1890 or born > (today or date.today()):
        return None
    if check_character(value[:17]) != value[17]:
        return None
    return IdNumber(value, value[:6], born, "male" if int(value[16]) % 2 else "female")


def normalize_phone(raw: str) -> str | None:
    """An 11-digit mainland mobile number (spaces, dashes and +86 removed), or None."""
    digits = re.sub(r"[\s-]", "", raw)
    if digits.startswith("+86"):
        digits = digits[3:]
    elif digits.startswith("0086"):
        digits = digits[4:]
    return digits if _PHONE.match(digits) else None


def mask_id_number(value: str) -> str:
    """440106********123X: what someone who is not the owner may see."""
    return value[:6] + "*" * 8 + value[14:] if len(value) == 18 else "*" * len(value)


def mask_phone(value: str) -> str:
    """138****8000: for text a person reads who may not see the number."""
    return value[:3] + "****" + value[7:] if len(value) == 11 else "*" * len(value)


def e164_phone(value: str) -> str:
    """+8613800138000: how every machine-readable field carries a phone (GraphQL, OIDC claims).

    The platform stores the 11-digit national number, and a department's landline as published (with its
    area code); anything else comes back unchanged rather than being guessed at."""
    number = normalize_phone(value)
    if number is not None:
        return "+86" + number
    digits = re.sub(r"[\s-]", "", value)
    if re.fullmatch(r"0[1-9][0-9]{8,10}", digits):  # a landline with its area code (020-86204729)
        return "+86" + digits[1:]
    return value
