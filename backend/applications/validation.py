"""Checking and normalizing the values a citizen typed into a matter's form.

Every field type of the catalog (backend/catalog/demo/README.md, matters.json "form") has one checker that
turns what the client sent into one canonical JSON value: ISO dates, amounts as "12.50" strings, upper-case
ID numbers and credit codes, 11-digit phone numbers. What a citizen types on a phone is often full-width
(１２, ￥) because of the Chinese input method, so the structured types are NFKC-folded before they are read;
free text is kept as typed apart from surrounding whitespace.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

import msgspec

from backend.catalog.format import FormField, FormFieldType
from backend.certificates.credit_codes import normalize_credit_code
from backend.errors import MESSAGES as ERROR_MESSAGES
from backend.identity.numbers import normalize_phone, parse_id_number

JsonValue = str | int | float | bool | None


class FieldProblem(StrEnum):
    """Why a form value was refused; each has a message in MESSAGES."""

    REQUIRED = "REQUIRED"
    INVALID_ID_NUMBER = "INVALID_ID_NUMBER"
    INVALID_PHONE = "INVALID_PHONE"
    INVALID_CREDIT_CODE = "INVALID_CREDIT_CODE"
    INVALID_DATE = "INVALID_DATE"
    INVALID_MONEY = "INVALID_MONEY"
    INVALID_NUMBER = "INVALID_NUMBER"
    INVALID_MEASUREMENT = "INVALID_MEASUREMENT"
    INVALID_BOOLEAN = "INVALID_BOOLEAN"
    INVALID_OPTION = "INVALID_OPTION"
    TOO_LONG = "TOO_LONG"
    # A list or an object where text was expected: a client bug rather than a typing mistake.
    INVALID_VALUE = "INVALID_VALUE"


# The English source texts (gettext msgids) are the error codes' own: one wording per problem.
MESSAGES: dict[FieldProblem, str] = {problem: ERROR_MESSAGES[problem.value] for problem in FieldProblem}

MAX_LENGTH: dict[str, int] = {"text": 200, "textarea": 2000, "address": 200}
MAX_MONEY = Decimal("999999999.99")  # the catalog's amount format allows nine integer digits
# Integers beyond 2**53 lose precision in JavaScript clients, so they are refused rather than corrupted.
MAX_NUMBER = 2**53 - 1
# A sanity range: four-digit years outside it are typos (0202 for 2020), not real dates on a form.
MIN_YEAR, MAX_YEAR = 1800, 2199
# A number field measures something when its label names a unit of measure ("Sign height (m)",
# "Floor area (m²)"); the catalog format has no other hint. Measurements take decimals (a sign 1.2 m
# high); counts, years and months ("Number of staff", "Loan term (years)") stay whole numbers.
_MEASURE_UNIT = re.compile(r"\((?:mm|cm|m|km|m²|m³|km²|ha|g|kg|t|L|kW|kWh)\)\s*$")
MAX_DECIMALS = 3  # more is a typo (1.2345 m), refused rather than rounded, like money


def is_measurement(english_label: str) -> bool:
    """Whether a number field with this English label is a measurement (decimals allowed)."""
    return _MEASURE_UNIT.search(english_label) is not None


class FormFieldSpec(msgspec.Struct, frozen=True):
    """What validation needs of a form field: its key, type, whether it is required and its option values."""

    key: str
    type: FormFieldType
    required: bool = False
    options: list[str] | None = None
    decimals: bool = False  # a number that measures something (metres, square metres) may have decimals

    @classmethod
    def from_catalog(cls, field: FormField) -> FormFieldSpec:
        """The spec of a catalog form field (select options by value)."""
        options = [option.value for option in field.options] if field.options is not None else None
        decimals = field.type == "number" and is_measurement(field.label.en)
        return cls(key=field.key, type=field.type, required=field.required, options=options, decimals=decimals)


class Checked(msgspec.Struct, frozen=True):
    """The outcome for one field: the normalized value, or the problem and its message parameters."""

    value: JsonValue = None
    problem: FieldProblem | None = None
    params: dict[str, str] = {}

    @property
    def ok(self) -> bool:
        """Whether the value was accepted."""
        return self.problem is None

    def message(self, gettext: Callable[..., str]) -> str | None:
        """The problem's message translated by `gettext(msgid, **params)`, or None when the value is fine."""
        return None if self.problem is None else gettext(MESSAGES[self.problem], **self.params)


def _fail(problem: FieldProblem, **params: str) -> Checked:
    return Checked(problem=problem, params=params)


def _is_empty(raw: object) -> bool:
    return raw is None or (isinstance(raw, str) and not raw.strip())


def _scalar_text(raw: object) -> str | None:
    """A string, or an int or finite float as typed (clients send 13800138000 as a number); else None."""
    if isinstance(raw, str):
        return raw
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int):
        try:
            return str(raw)
        except ValueError:  # beyond sys.get_int_max_str_digits(): no field takes such a number
            return None
    if isinstance(raw, float) and math.isfinite(raw):
        return repr(raw)
    return None


def _folded(raw: object) -> str | None:
    text = _scalar_text(raw)
    return None if text is None else unicodedata.normalize("NFKC", text).strip()


def _text(field: FormFieldSpec, raw: object) -> Checked:
    text = _scalar_text(raw)
    if text is None:
        return _fail(FieldProblem.INVALID_VALUE)
    text = text.strip()
    if field.type == "textarea":
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    else:
        # Single-line fields: a pasted line break becomes a space instead of breaking documents later.
        text = re.sub(r"\s*[\r\n]+\s*", " ", text)
    limit = MAX_LENGTH[field.type]
    if len(text) > limit:
        return _fail(FieldProblem.TOO_LONG, max=str(limit), length=str(len(text)))
    return Checked(value=text)


def _id_number(raw: object, today: date) -> Checked:
    text = _folded(raw)
    # Numbers are often copied with spaces between the groups (440106 19880315 011X).
    parsed = parse_id_number("".join(text.split()), today=today) if text is not None else None
    return Checked(value=parsed.value) if parsed is not None else _fail(FieldProblem.INVALID_ID_NUMBER)


def _phone(raw: object) -> Checked:
    text = _folded(raw)
    phone = normalize_phone(text) if text is not None else None
    return Checked(value=phone) if phone is not None else _fail(FieldProblem.INVALID_PHONE)


def _credit_code(raw: object) -> Checked:
    text = _folded(raw)
    code = normalize_credit_code(text) if text is not None else None
    return Checked(value=code) if code is not None else _fail(FieldProblem.INVALID_CREDIT_CODE)


_DATE_FORMS = (
    re.compile(r"^([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})$"),
    re.compile(r"^([0-9]{4})/([0-9]{1,2})/([0-9]{1,2})$"),
    re.compile(r"^([0-9]{4})年([0-9]{1,2})月([0-9]{1,2})日$"),
)


def parse_date(raw: object) -> date | None:
    """A date from "2026-03-05", "2026-3-5", "2026/3/5" or "2026年3月5日" (or a date object), else None."""
    if isinstance(raw, datetime):
        return None  # a moment is not a calendar date: which zone's date would it be?
    day = raw if isinstance(raw, date) else _read_date(raw) if isinstance(raw, str) else None
    return day if day is not None and MIN_YEAR <= day.year <= MAX_YEAR else None


def _read_date(raw: str) -> date | None:
    text = unicodedata.normalize("NFKC", raw).strip()
    for form in _DATE_FORMS:
        match = form.match(text)
        if match is not None:
            try:
                return date(*(int(part) for part in match.groups()))
            except ValueError:  # February 30th and the like
                return None
    return None


def _date(raw: object) -> Checked:
    day = parse_date(raw)
    return Checked(value=day.isoformat()) if day is not None else _fail(FieldProblem.INVALID_DATE)


_MONEY = re.compile(r"^(?:[0-9]+|[0-9]{1,3}(?:,[0-9]{3})+)(?:\.[0-9]{1,2})?$")
_CURRENCY_PREFIXES = ("¥", "RMB", "CNY")
_CURRENCY_SUFFIXES = ("元", "RMB", "CNY")


def parse_money(raw: object) -> Decimal | None:
    """A non-negative amount in yuan with at most two decimals, up to MAX_MONEY, else None."""
    text = _folded(raw)  # NFKC turns the full-width ￥ into ¥
    if text is None:
        return None
    text = text.upper()
    for prefix in _CURRENCY_PREFIXES:
        text = text.removeprefix(prefix).strip()
    for suffix in _CURRENCY_SUFFIXES:
        text = text.removesuffix(suffix).strip()
    # More than two decimals is refused, not rounded: 1.005 is a typo, and rounding it would hide that.
    if not _MONEY.match(text):
        return None
    amount = Decimal(text.replace(",", ""))
    return amount.quantize(Decimal("0.01")) if amount <= MAX_MONEY else None


def _money(raw: object) -> Checked:
    amount = parse_money(raw)
    if amount is None:
        return _fail(FieldProblem.INVALID_MONEY, max=f"{MAX_MONEY:,}")
    return Checked(value=str(amount))


_INTEGER = re.compile(r"^[+-]?[0-9]+(?:\.[0-9]+)?$")


def _number(raw: object, *, decimals: bool) -> Checked:
    if decimals:
        return _measurement(raw)
    value: int | None = None
    if isinstance(raw, int) and not isinstance(raw, bool):
        value = raw
    elif isinstance(raw, float):
        value = int(raw) if raw.is_integer() else None  # is_integer is False for nan and infinity
    elif isinstance(raw, str):
        # An explicit ASCII pattern: int() would also read Arabic-Indic and other Unicode digits.
        text = unicodedata.normalize("NFKC", raw).strip()
        if _INTEGER.match(text):
            number = Decimal(text)
            value = int(number) if number == number.to_integral_value() else None
    if value is None or abs(value) > MAX_NUMBER:
        return _fail(FieldProblem.INVALID_NUMBER)
    return Checked(value=value)


def _measurement(raw: object) -> Checked:
    number: Decimal | None = None
    if isinstance(raw, int | float) and not isinstance(raw, bool):
        text = _scalar_text(raw)
        number = Decimal(text) if text is not None else None
    elif isinstance(raw, str):
        text = unicodedata.normalize("NFKC", raw).strip()
        number = Decimal(text) if _INTEGER.match(text) else None
    exponent = number.as_tuple().exponent if number is not None else 0
    # A measurement is not negative (a sign -1.2 m high is a typo).
    if number is None or not 0 <= number <= MAX_NUMBER or not isinstance(exponent, int) or -exponent > MAX_DECIMALS:
        return _fail(FieldProblem.INVALID_MEASUREMENT, decimals=str(MAX_DECIMALS))
    # Whole measurements stay integers (as before); others are JSON numbers a rule can compare.
    return Checked(value=int(number) if number == number.to_integral_value() else float(number))


_TRUE = frozenset({"true", "yes", "是"})
_FALSE = frozenset({"false", "no", "否"})


def _boolean(raw: object) -> Checked:
    if isinstance(raw, bool):
        return Checked(value=raw)
    if isinstance(raw, str):
        text = raw.strip().lower()
        if text in _TRUE:
            return Checked(value=True)
        if text in _FALSE:
            return Checked(value=False)
    return _fail(FieldProblem.INVALID_BOOLEAN)


def _select(field: FormFieldSpec, raw: object) -> Checked:
    value = raw.strip() if isinstance(raw, str) else None
    if value is None or value not in (field.options or ()):
        return _fail(FieldProblem.INVALID_OPTION)
    return Checked(value=value)


def validate_field(field: FormFieldSpec, raw: object, *, today: date) -> Checked:
    """Check and normalize one value; `today` (the China date) bounds birth dates in ID numbers."""
    if _is_empty(raw):
        return _fail(FieldProblem.REQUIRED) if field.required else Checked()
    match field.type:
        case "text" | "textarea" | "address":
            return _text(field, raw)
        case "id_number":
            return _id_number(raw, today)
        case "phone":
            return _phone(raw)
        case "credit_code":
            return _credit_code(raw)
        case "date":
            return _date(raw)
        case "money":
            return _money(raw)
        case "number":
            return _number(raw, decimals=field.decimals)
        case "boolean":
            return _boolean(raw)
        case "select":
            return _select(field, raw)


def validate_form(
    fields: list[FormFieldSpec], values: dict[str, object], *, today: date
) -> tuple[dict[str, object], dict[str, Checked]]:
    """The normalized values of the accepted fields and the refused ones by key; unknown keys are dropped."""
    accepted: dict[str, object] = {}
    problems: dict[str, Checked] = {}
    for field in fields:
        checked = validate_field(field, values.get(field.key), today=today)
        if checked.problem is None:
            accepted[field.key] = checked.value
        else:
            problems[field.key] = checked
    return accepted, problems
