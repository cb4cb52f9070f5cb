"""Unified social credit codes (统一社会信用代码, GB 32100-2015).

Eighteen characters: registration authority (1), entity type (1), administrative division (6), the
organisation code (9, GB 11714, with its own check character) and a check character over the first 17.
"""

from __future__ import annotations

import re

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # 31 characters: no I, O, S, V, Z
_WEIGHTS = tuple(pow(3, i, 31) for i in range(17))
_SHAPE = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXY]{10}$")
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


def check_character(first17: str) -> str:
    """The GB 32100 check character of the first 17 characters."""
    total = sum(ALPHABET.index(c) * w for c, w in zip(first17, _WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def organisation_check(first8: str) -> str:
    """The GB 11714 check character of an organisation code's first 8 characters."""
    total = sum((int(c) if c.isdigit() else ord(c) - 55) * w for c, w in zip(first8, _ORG_WEIGHTS, strict=True))
    value = 11 - total % 11
    return "X" if value == 10 else "0" if value == 11 else str(value)


def normalize_credit_code(raw: str) -> str | None:
    """The code upper-cased without spaces, or None unless its shape and check character are valid."""
    value = "".join(raw.split()).upper()
    if not _SHAPE.match(value):
        return None
    return value if check_character(value[:17]) == value[17] else None


def make_credit_code(authority: str, kind: str, division: str, serial: int) -> str:
    """A valid code for `serial` (deterministic; used by the stand-ins and tests)."""
    first8 = f"{serial % 10**8:08d}"
    first17 = f"{authority}{kind}{division}{first8}{organisation_check(first8)}"
    return first17 + check_character(first17)
