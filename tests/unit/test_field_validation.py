"""Form field validation: every catalog field type, required handling and the pending translations."""

from __future__ import annotations

from datetime import date, datetime
from typing import get_args

import pytest

from backend.applications.validation import (
    MESSAGES,
    Checked,
    FieldProblem,
    FormFieldSpec,
    validate_field,
    validate_form,
)
from backend.catalog.files import DEMO_CATALOG_DIR
from backend.catalog.format import FormFieldType
from backend.catalog.validate import read_catalog
from backend.certificates.credit_codes import make_credit_code
from backend.identity.numbers import check_character

TODAY = date(2026, 3, 5)


def with_check(first17: str) -> str:
    return first17 + check_character(first17)


ID_MALE = with_check("44010619880315011")  # ends in X
ID_FEMALE = with_check("44010619880315012")  # all digits
ID_X = "11010519491231002X"  # GB 11643's worked example
CREDIT = make_credit_code("9", "1", "440106", 12345)
PUBLISHED_CREDIT = "91350100M000100Y43"


def check(kind: str, raw: object, *, required: bool = True, options: list[str] | None = None) -> Checked:
    return validate_field(
        FormFieldSpec(key="f", type=kind, required=required, options=options),  # type: ignore[arg-type]
        raw,
        today=TODAY,
    )


def accepted(kind: str, raw: object, **kwargs: object) -> object:
    checked = check(kind, raw, **kwargs)  # type: ignore[arg-type]
    assert checked.problem is None, (raw, checked)
    assert checked.params == {}
    return checked.value


def refused(kind: str, raw: object, **kwargs: object) -> FieldProblem:
    checked = check(kind, raw, **kwargs)  # type: ignore[arg-type]
    assert checked.value is None and checked.problem is not None, (raw, checked)
    return checked.problem


# --- required handling ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "kind",
    sorted(get_args(FormFieldType)),
)
@pytest.mark.parametrize("empty", [None, "", "   ", "\t\n", "\u3000"])
def test_empty_values(kind: str, empty: object) -> None:
    assert check(kind, empty, options=["a"]) == Checked(problem=FieldProblem.REQUIRED)
    assert check(kind, empty, required=False, options=["a"]) == Checked(value=None, problem=None, params={})


def test_false_and_zero_are_answers_not_empty() -> None:
    assert accepted("boolean", False) is False
    assert accepted("number", 0) == 0
    assert accepted("money", "0") == "0.00"


# --- text, textarea, address ---------------------------------------------------------------------------


def test_text_is_stripped() -> None:
    assert accepted("text", "  张三 ") == "张三"
    assert accepted("address", "广州市天河区天河路 1 号\n") == "广州市天河区天河路 1 号"
    assert accepted("text", "第一行\r\n  第二行") == "第一行 第二行"  # single line
    assert accepted("textarea", " 第一行\r\n第二行 ") == "第一行\n第二行"
    assert accepted("text", 12) == "12"  # a house number sent as a JSON number


@pytest.mark.parametrize(("kind", "limit"), [("text", 200), ("textarea", 2000), ("address", 200)])
def test_length_limits(kind: str, limit: int) -> None:
    assert accepted(kind, "字" * limit) == "字" * limit
    assert accepted(kind, "  " + "a" * limit + "  ") == "a" * limit  # counted after stripping
    checked = check(kind, "字" * (limit + 1))
    assert checked.problem is FieldProblem.TOO_LONG
    assert checked.params == {"max": str(limit), "length": str(limit + 1)}


@pytest.mark.parametrize("raw", [True, ["a"], {"a": 1}])
def test_text_refuses_structures(raw: object) -> None:
    assert refused("text", raw) is FieldProblem.INVALID_VALUE


# --- ID numbers ----------------------------------------------------------------------------------------


def test_valid_id_numbers() -> None:
    assert accepted("id_number", ID_MALE) == ID_MALE
    assert accepted("id_number", ID_X.lower()) == ID_X  # upper-cased
    assert accepted("id_number", " 110105 19491231 002x ") == ID_X
    assert accepted("id_number", "１１０１０５１９４９１２３１００２ｘ") == ID_X  # full-width input method
    assert accepted("id_number", ID_FEMALE) == ID_FEMALE
    assert accepted("id_number", int(ID_FEMALE)) == ID_FEMALE  # sent as a JSON number


@pytest.mark.parametrize(
    "raw",
    [
        ID_MALE[:-1] + ("0" if ID_MALE[-1] != "0" else "1"),  # wrong check character
        ID_MALE[:17],  # too short
        with_check("44010619880231011"),  # February 31st
        with_check("44010620300101011"),  # born in the future
        with_check("99010619880315011"),  # no such province
        "44010619880315011Y",
        "abc",
        12.5,
        True,
    ],
)
def test_invalid_id_numbers(raw: object) -> None:
    assert refused("id_number", raw) is FieldProblem.INVALID_ID_NUMBER


def test_id_birth_date_is_judged_against_today() -> None:
    born_2026 = with_check("44010620260310011")
    assert refused("id_number", born_2026) is FieldProblem.INVALID_ID_NUMBER
    spec = FormFieldSpec(key="id", type="id_number", required=True)
    assert validate_field(spec, born_2026, today=date(2026, 3, 10)).value == born_2026


# --- phones --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("13800138000", "13800138000"),
        ("+86 138-0013-8000", "13800138000"),
        (" 008613800138000 ", "13800138000"),
        ("１３８００１３８０００", "13800138000"),
        (13800138000, "13800138000"),
    ],
)
def test_valid_phones(raw: object, expected: str) -> None:
    assert accepted("phone", raw) == expected


@pytest.mark.parametrize("raw", ["12800138000", "1380013800", "138001380000", "020-12345678", "abc", False, [1]])
def test_invalid_phones(raw: object) -> None:
    assert refused("phone", raw) is FieldProblem.INVALID_PHONE


# --- credit codes --------------------------------------------------------------------------------------


def test_valid_credit_codes() -> None:
    assert accepted("credit_code", PUBLISHED_CREDIT) == PUBLISHED_CREDIT
    assert accepted("credit_code", CREDIT) == CREDIT
    assert accepted("credit_code", " " + CREDIT.lower()[:9] + " " + CREDIT.lower()[9:]) == CREDIT


def _one_changed(code: str, position: int) -> str:
    replacement = "1" if code[position] != "1" else "2"
    return code[:position] + replacement + code[position + 1 :]


@pytest.mark.parametrize(
    "raw",
    [
        _one_changed(PUBLISHED_CREDIT, 8),
        _one_changed(PUBLISHED_CREDIT, 17),
        _one_changed(CREDIT, 3),
        PUBLISHED_CREDIT[:17],
        PUBLISHED_CREDIT.replace("M", "I"),
        "abc",
        12,
    ],
)
def test_invalid_credit_codes(raw: object) -> None:
    assert refused("credit_code", raw) is FieldProblem.INVALID_CREDIT_CODE


# --- dates ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2026-03-05", "2026-03-05"),
        ("2026-3-5", "2026-03-05"),
        ("2026/3/5", "2026-03-05"),
        ("2026/03/05", "2026-03-05"),
        ("2026年3月5日", "2026-03-05"),
        (" 2024年2月29日 ", "2024-02-29"),
        ("２０２６年３月５日", "2026-03-05"),
        (date(2030, 12, 31), "2030-12-31"),
        ("1949-10-01", "1949-10-01"),
    ],
)
def test_valid_dates(raw: object, expected: str) -> None:
    assert accepted("date", raw) == expected


@pytest.mark.parametrize(
    "raw",
    [
        "2026-02-29",
        "2026-13-01",
        "2026-3-32",
        "2026/3-5",
        "2026.3.5",
        "26-03-05",
        "0202-03-05",
        "2026年3月5",
        "tomorrow",
        "2026-03-05T10:00:00",
        datetime(2026, 3, 5, 10, 0),
        20260305,
        True,
    ],
)
def test_invalid_dates(raw: object) -> None:
    assert refused("date", raw) is FieldProblem.INVALID_DATE


# --- money ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("12", "12.00"),
        ("12.5", "12.50"),
        ("¥12.50", "12.50"),
        ("￥ 12.50", "12.50"),
        ("12.50元", "12.50"),
        ("12.50 元", "12.50"),
        ("1,234.5", "1234.50"),
        ("0.01", "0.01"),
        ("999999999.99", "999999999.99"),
        ("００７.５", "7.50"),
        (12, "12.00"),
        (12.5, "12.50"),
        (0, "0.00"),
    ],
)
def test_valid_money(raw: object, expected: str) -> None:
    assert accepted("money", raw) == expected


@pytest.mark.parametrize(
    "raw",
    [
        "1.005",
        1.005,
        "-1",
        "-0.01",
        -5,
        "1000000000",
        "1000000000.00",
        "abc",
        "12.",
        ".5",
        "1,23.00",
        "1e3",
        "12元5角",
        "NaN",
        float("nan"),
        float("inf"),
        True,
        ["12"],
    ],
)
def test_invalid_money(raw: object) -> None:
    checked = check("money", raw)
    assert checked.problem is FieldProblem.INVALID_MONEY
    assert checked.params == {"max": "999,999,999.99"}


# --- numbers -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [(12, 12), ("12", 12), (" 12 ", 12), ("12.0", 12), (3.0, 3), ("-2", -2), ("+4", 4), ("１２", 12), (0, 0)],
)
def test_valid_numbers(raw: object, expected: int) -> None:
    value = accepted("number", raw)
    assert value == expected and type(value) is int


@pytest.mark.parametrize(
    "raw", ["1.5", 1.5, "abc", "1e3", "١٢", "12 个", float("nan"), float("inf"), 2**60, "9" * 30, True, [1]]
)
def test_invalid_numbers(raw: object) -> None:
    assert refused("number", raw) is FieldProblem.INVALID_NUMBER


# --- booleans ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [(True, True), (False, False), ("true", True), ("FALSE", False), ("是", True), ("否", False), (" 是 ", True)],
)
def test_valid_booleans(raw: object, expected: bool) -> None:
    assert accepted("boolean", raw) is expected


@pytest.mark.parametrize("raw", ["maybe", "1", 1, 0, "对", ["true"]])
def test_invalid_booleans(raw: object) -> None:
    assert refused("boolean", raw) is FieldProblem.INVALID_BOOLEAN


# --- select --------------------------------------------------------------------------------------------


def test_select() -> None:
    options = ["first", "renewal"]
    assert accepted("select", "renewal", options=options) == "renewal"
    assert accepted("select", " first ", options=options) == "first"
    for raw in ("FIRST", "other", 1, True):
        assert refused("select", raw, options=options) is FieldProblem.INVALID_OPTION
    assert refused("select", "first", options=None) is FieldProblem.INVALID_OPTION


# --- whole forms ---------------------------------------------------------------------------------------


def test_validate_form() -> None:
    fields = [
        FormFieldSpec("name", "text", required=True),
        FormFieldSpec("id_number", "id_number", required=True),
        FormFieldSpec("phone", "phone", required=True),
        FormFieldSpec("moved_on", "date"),
        FormFieldSpec("note", "textarea"),
        FormFieldSpec("fee", "money", required=True),
        FormFieldSpec("kind", "select", required=True, options=["a", "b"]),
    ]
    values, problems = validate_form(
        fields,
        {
            "name": " 李四 ",
            "id_number": ID_X.lower(),
            "phone": "138 0013 8000",
            "moved_on": "2026/3/1",
            "fee": "1.005",
            "kind": "c",
            "unknown": "dropped",
        },
        today=TODAY,
    )
    assert values == {"name": "李四", "id_number": ID_X, "phone": "13800138000", "moved_on": "2026-03-01", "note": None}
    assert set(problems) == {"fee", "kind"}
    assert problems["fee"].problem is FieldProblem.INVALID_MONEY
    assert problems["kind"].problem is FieldProblem.INVALID_OPTION

    values, problems = validate_form(fields, {}, today=TODAY)
    assert values == {"moved_on": None, "note": None}
    assert {key: c.problem for key, c in problems.items()} == dict.fromkeys(
        ["name", "id_number", "phone", "fee", "kind"], FieldProblem.REQUIRED
    )


def test_every_catalog_form_field_converts() -> None:
    catalog, problems = read_catalog(DEMO_CATALOG_DIR)
    assert catalog is not None and not problems
    for matter in catalog.matters:
        specs = [FormFieldSpec.from_catalog(field) for field in matter.form]
        _, found = validate_form(specs, {}, today=TODAY)
        assert {key for key, c in found.items()} == {s.key for s in specs if s.required}
        for field, spec in zip(matter.form, specs, strict=True):
            if field.options:
                assert spec.options == [option.value for option in field.options]
                assert validate_field(spec, field.options[0].value, today=TODAY).problem is None


# --- messages ------------------------------------------------------------------------------------------


def test_every_problem_has_a_message() -> None:
    assert set(MESSAGES) == set(FieldProblem)


def test_message_rendering() -> None:
    checked = check("text", "x" * 201)
    assert checked.message(lambda msgid, **params: msgid.format(**params)) == (
        "This is too long: at most 200 characters (now 201)."
    )
    assert check("text", "x").message(str.format) is None
