"""Money as integer fen (分): parsing yuan strings exactly and showing fen as yuan."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation


def to_fen(yuan: str | Decimal) -> int:
    """ "20.00" -> 2000; refuses anything finer than a fen or not a number."""
    try:
        value = Decimal(yuan)
    except InvalidOperation:
        raise ValueError(f"not an amount: {yuan!r}") from None
    fen = value * 100
    if fen != fen.to_integral_value():
        raise ValueError(f"finer than a fen: {yuan!r}")
    return int(fen)


def to_yuan(fen: int) -> str:
    """2000 -> "20.00" (what channels and receipts show)."""
    sign = "-" if fen < 0 else ""
    return f"{sign}{abs(fen) // 100}.{abs(fen) % 100:02d}"


def yuan(fen: int) -> Decimal:
    """2000 -> Decimal("20.00") (what the API shows)."""
    return Decimal(to_yuan(fen))
