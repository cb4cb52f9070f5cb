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


_DIGITS = "零壹贰叁肆伍陆柒捌玖"
_PLACES = ("", "拾", "佰", "仟")  # within a group of four digits
_GROUPS = ("", "万", "亿", "万亿")  # each group of four digits, from the right


def _capital_integer(number: int) -> str:
    """The yuan part in capital numerals: one 零 for any run of zeros between non-zero digits
    (also across 万 and 亿), none at the end; 拾 keeps its 壹 (壹拾, never a bare 拾)."""
    text, zero_pending = "", False
    groups = f"{number:d}"
    groups = groups.zfill((len(groups) + 3) // 4 * 4)
    count = len(groups) // 4
    for index in range(count):
        chunk = groups[index * 4 : index * 4 + 4]
        for place, digit in enumerate(chunk):
            if digit == "0":
                zero_pending = zero_pending or bool(text)
                continue
            if zero_pending:
                text, zero_pending = text + "零", False
            text += _DIGITS[int(digit)] + _PLACES[3 - place]
        if int(chunk):
            text += _GROUPS[count - 1 - index]
    return text


def capital_yuan(fen: int) -> str:
    """An amount the way receipts and cheques write it in capital numerals (大写金额), e.g. 12000 ->
    "壹佰贰拾元整", 1640902 -> "壹万陆仟肆佰零玖元零贰分".

    The rules of the People's Bank of China for filling in bills: 整 after an amount ending at 元 or 角,
    none after 分; 零 after 元 when 角 is zero and 分 is not; one 零 for a run of zeros inside the yuan;
    no 零 before 角 (the rules allow either). A negative amount (a red-letter reversal) is 负....
    """
    if fen < 0:
        return "负" + capital_yuan(-fen)
    yuan_part, jiao, fen_digit = fen // 100, fen // 10 % 10, fen % 10
    text = _capital_integer(yuan_part) + "元" if yuan_part else ""
    if not jiao and not fen_digit:
        return (text or "零元") + "整"
    if jiao:
        text += _DIGITS[jiao] + "角"
    elif text:
        text += "零"
    return text + (_DIGITS[fen_digit] + "分" if fen_digit else "整")
