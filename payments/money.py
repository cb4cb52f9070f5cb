"""Money as integer fen (分): parsing yuan strings exactly and showing fen as yuan."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

# The largest amount anything on the platform is: a fee, a refund, an order (999,999,999.99 yuan).
MAX_FEN = 99_999_999_999
MAX_YUAN_TEXT = "999,999,999.99"


def to_fen(yuan: str | Decimal) -> int:
    """ "20.00" -> 2000; refuses anything finer than a fen, not a finite number, or past MAX_FEN."""
    try:
        value = Decimal(yuan)
    except InvalidOperation:
        raise ValueError(f"not an amount: {yuan!r}") from None
    # Infinity, NaN, 1E+999999999 (arithmetic on it overflows) and 1E-999999999 are not amounts: the
    # exponent is looked at before any arithmetic.
    if not value.is_finite() or value.adjusted() > 8 or (value and value.adjusted() < -2):
        raise ValueError(f"not an amount: {yuan!r}")
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
