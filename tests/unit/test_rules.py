"""Auto-approval rules: the JSON Logic evaluator, per-condition explanations in three locales, the CLI."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import msgspec
import pytest
from click.testing import CliRunner

from backend.catalog.files import DEMO_CATALOG_DIR
from backend.catalog.labels import label_raw_options
from backend.cli.rules import rules
from backend.i18n import Catalogs, Locale, catalogs
from backend.rules.explain import (
    CatalogLabels,
    Condition,
    Decision,
    catalog_labels,
    describe,
    evaluate_with_explanation,
    explain_condition,
    format_value,
)
from backend.rules.jsonlogic import MAX_DEPTH, RuleError, apply, truthy
from backend.settings import PROJECT_ROOT

MATTERS: dict[str, dict[str, Any]] = {
    m["code"]: m for m in json.loads((DEMO_CATALOG_DIR / "matters.json").read_text(encoding="utf-8"))
}
CERTIFICATE_TYPES: dict[str, dict[str, Any]] = {
    c["code"]: c for c in json.loads((DEMO_CATALOG_DIR / "certificate_types.json").read_text(encoding="utf-8"))
}
label_raw_options(list(CERTIFICATE_TYPES.values()))  # what the platform calls the export's enum values
GZ_DISTRICTS = ["440103", "440104", "440105", "440106", "440111", "440112", "440113", "440114", "440115", "440117"]
GZ_DISTRICTS_TEXT = "、".join([*GZ_DISTRICTS, "440118"])
DELETE = object()


CATALOGS = catalogs(str(PROJECT_ROOT / "locales"))


def changed(data: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    """A deep copy of `data` with the dotted `path` set to `value` (or removed with DELETE)."""
    result = copy.deepcopy(data)
    *parents, last = path.split(".")
    node = result
    for key in parents:
        node = node.setdefault(key, {})
    if value is DELETE:
        node.pop(last, None)
    else:
        node[last] = value
    return result


# --- jsonlogic: operators ---------------------------------------------------------------------------
DATA = {
    "form": {"n": 5, "s": "hello world", "flag": True, "off": False, "zero": 0, "empty": "", "none": None},
    "certs": {"ID_CARD": {"id_number": "440106199001011234"}},
    "list": [10, 20, {"deep": "x"}],
    "age": 30,
}


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        ({"var": "age"}, 30),
        ({"var": ["age"]}, 30),
        ({"var": "certs.ID_CARD.id_number"}, "440106199001011234"),
        ({"var": "certs.DRIVING_LICENSE.status"}, None),
        ({"var": ["certs.DRIVING_LICENSE.status", "unknown"]}, "unknown"),
        ({"var": ["form.none", "default"]}, None),
        ({"var": "form.s.deeper"}, None),
        ({"var": "list.1"}, 20),
        ({"var": "list.2.deep"}, "x"),
        ({"var": "list.9"}, None),
        ({"var": {"cat": ["form", ".", "n"]}}, 5),
    ],
)
def test_var_reads_dotted_paths_with_defaults(rule: Any, expected: Any) -> None:
    # Given the sample data, when the var rule is applied, then it finds the value or the default.
    assert apply(rule, DATA) == expected


def test_var_with_empty_path_is_the_whole_data_and_numbers_index_lists() -> None:
    assert apply({"var": ""}, DATA) is DATA
    assert apply({"var": []}, DATA) is DATA
    assert apply({"var": 1}, ["a", "b"]) == "b"


def test_var_rejects_a_path_that_is_not_a_string() -> None:
    with pytest.raises(RuleError, match="string path"):
        apply({"var": [["form"]]}, DATA)


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        ({"missing": ["form.n", "form.nope"]}, ["form.nope"]),
        ({"missing": ["form.empty", "form.none", "form.zero", "form.off"]}, ["form.empty", "form.none"]),
        ({"missing": "certs.MARRIAGE_CERT.certificate_number"}, ["certs.MARRIAGE_CERT.certificate_number"]),
        ({"missing": []}, []),
        ({"missing": {"merge": ["form.n", ["form.x"]]}}, ["form.x"]),
        ({"missing_some": [1, ["form.n", "form.x"]]}, []),
        ({"missing_some": [2, ["form.n", "form.x", "form.y"]]}, ["form.x", "form.y"]),
    ],
)
def test_missing_lists_absent_or_empty_paths(rule: Any, expected: Any) -> None:
    assert apply(rule, DATA) == expected


def test_not_missing_is_true_only_when_everything_is_present() -> None:
    assert apply({"!": {"missing": ["form.n", "age"]}}, DATA) is True
    assert apply({"!": {"missing": ["form.n", "form.nope"]}}, DATA) is False


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        ({"==": [1, 1]}, True),
        ({"==": [1, 1.0]}, True),
        ({"==": ["1", 1]}, True),
        ({"==": [1, " 1.0 "]}, True),
        ({"==": ["1", "1.0"]}, False),
        ({"==": ["abc", "abc"]}, True),
        ({"==": [True, True]}, True),
        ({"==": [True, 1]}, False),
        ({"==": [False, 0]}, False),
        ({"==": ["", 0]}, False),
        ({"==": [None, None]}, True),
        ({"==": [None, 0]}, False),
        ({"==": [None, False]}, False),
        ({"==": [[1, "2"], [1, 2]]}, True),
        ({"==": [[1], [1, 2]]}, False),
        ({"==": [{"var": "form.n"}, "5"]}, True),
        ({"==": [{"var": "form.nope"}, None]}, True),
        ({"==": [1]}, False),
        ({"!=": ["1", 1]}, False),
        ({"!=": ["a", "b"]}, True),
        ({"!=": [{"var": "form.nope"}, "resigned"]}, True),
        ({"===": ["1", 1]}, False),
        ({"===": [1, 1.0]}, True),
        ({"===": [True, 1]}, False),
        ({"!==": ["1", 1]}, True),
    ],
)
def test_equality(rule: Any, expected: bool) -> None:
    assert apply(rule, DATA) is expected


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        ({"<": [1, 2]}, True),
        ({"<": [2, 2]}, False),
        ({"<=": [2, 2]}, True),
        ({">": [3, 2]}, True),
        ({">=": [2, 2]}, True),
        ({">=": [1, 2]}, False),
        ({"<": ["9", "10"]}, True),
        ({">=": ["16", 16]}, True),
        ({"<": ["2024-12-31", "2025-01-01"]}, True),
        ({"<": ["b", "a"]}, False),
        ({"<": [{"var": "form.nope"}, 70]}, False),
        ({">=": [{"var": "form.nope"}, 0]}, False),
        ({"<": [False, 1]}, False),
        ({"<": [1, "abc"]}, False),
        ({"<": [[1], [2]]}, False),
        ({"<": [1]}, False),
        ({"<": [1, 2, 3]}, True),
        ({"<": [1, 1, 3]}, False),
        ({"<": [1, 3, 3]}, False),
        ({"<=": [1, 1, 3]}, True),
        ({"<=": [1, 3, 3]}, True),
        ({"<=": [1, 4, 3]}, False),
        ({"<=": [0, {"var": "form.n"}, 10]}, True),
        ({"<=": [0, {"var": "form.nope"}, 10]}, False),
    ],
)
def test_comparisons_including_between(rule: Any, expected: bool) -> None:
    assert apply(rule, DATA) is expected


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        ({"in": ["C1", ["C1", "C2"]]}, True),
        ({"in": ["B2", ["C1", "C2"]]}, False),
        ({"in": [1, ["1", "2"]]}, False),
        ({"in": [1, [1.0, 2]]}, True),
        ({"in": ["world", "hello world"]}, True),
        ({"in": ["World", "hello world"]}, False),
        ({"in": ["", "abc"]}, True),
        ({"in": [1, "a1"]}, False),
        ({"in": ["x", None]}, False),
        ({"in": [{"var": "form.nope"}, ["a"]]}, False),
        ({"in": [None, [None]]}, True),
        ({"in": ["lo", {"var": "form.s"}]}, True),
    ],
)
def test_in_checks_list_membership_and_substrings(rule: Any, expected: bool) -> None:
    assert apply(rule, DATA) is expected


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        ({"if": [True, "yes", "no"]}, "yes"),
        ({"if": [False, "yes", "no"]}, "no"),
        ({"if": [False, "yes"]}, None),
        ({"if": []}, None),
        ({"if": ["only"]}, "only"),
        ({"if": [False, 1, False, 2, True, 3, 4]}, 3),
        ({"if": [False, 1, False, 2, 4]}, 4),
        ({"if": [{"<": [{"var": "age"}, 18]}, "minor", {"<": [{"var": "age"}, 65]}, "adult", "senior"]}, "adult"),
        ({"?:": [[], "a", "b"]}, "b"),
    ],
)
def test_if_chains(rule: Any, expected: Any) -> None:
    assert apply(rule, DATA) == expected


def test_if_evaluates_only_the_chosen_branch() -> None:
    # An unknown operator in a branch that is not taken is never reached.
    assert apply({"if": [True, 1, {"bogus": []}]}) == 1
    with pytest.raises(RuleError):
        apply({"if": [False, 1, {"bogus": []}]})


@pytest.mark.parametrize(
    ("value", "expected"),
    [(0, False), (0.0, False), ("", False), (None, False), (False, False), ([], False), (float("nan"), False)],
)
def test_falsy_values(value: Any, expected: bool) -> None:
    assert truthy(value) is expected
    assert apply({"!!": [value]}) is expected
    assert apply({"!": [value]}) is (not expected)


@pytest.mark.parametrize("value", [1, -1, "0", "a", [0], {}, {"a": 1, "b": 2}, True])
def test_truthy_values(value: Any) -> None:
    assert truthy(value) is True
    assert apply({"!!": [value]}) is True


def test_not_accepts_a_bare_argument() -> None:
    assert apply({"!": True}) is False
    assert apply({"!": {"var": "form.off"}}, DATA) is True
    assert apply({"!": []}) is True


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        ({"and": [1, "a", 3]}, 3),
        ({"and": [1, 0, 3]}, 0),
        ({"and": [True, "", 3]}, ""),
        ({"and": []}, None),
        ({"or": [0, "", "x", 5]}, "x"),
        ({"or": [0, []]}, []),
        ({"or": [False]}, False),
        ({"or": []}, None),
    ],
)
def test_and_or_return_the_deciding_value(rule: Any, expected: Any) -> None:
    assert apply(rule) == expected


def test_and_or_short_circuit() -> None:
    assert apply({"and": [False, {"bogus": 1}]}) is False
    assert apply({"or": [True, {"bogus": 1}]}) is True


def test_literals_lists_and_objects() -> None:
    assert apply(42) == 42
    assert apply("__import__('os').system('true')") == "__import__('os').system('true')"
    assert apply([1, {"var": "age"}], DATA) == [1, 30]
    assert apply({"a": 1, "b": 2}) == {"a": 1, "b": 2}
    assert apply({"cat": ["a", 1, 2.0, None, True]}) == "a12nulltrue"
    assert apply({"merge": [1, [2, 3], [[4]]]}) == [1, 2, 3, [4]]


def test_unknown_operator_is_a_rule_error() -> None:
    with pytest.raises(RuleError, match="unknown operator 'eval'"):
        apply({"eval": ["1+1"]})


def test_deep_nesting_is_rejected_not_recursed() -> None:
    rule: Any = True
    for _ in range(MAX_DEPTH + 1):
        rule = {"!": [rule]}
    with pytest.raises(RuleError, match="nested"):
        apply(rule)
    shallow: Any = True
    for _ in range(MAX_DEPTH // 2):
        shallow = {"!": [shallow]}
    assert apply(shallow) is True
    deep_list: Any = 1
    for _ in range(MAX_DEPTH + 1):
        deep_list = [deep_list]
    with pytest.raises(RuleError):
        apply(deep_list)


# --- every auto_approval rule of the demo catalog -----------------------------------------------------
PASSING: dict[str, dict[str, Any]] = {
    "GZ-WJW-0001": {
        "form": {"spouse_id_number": "440106199202022345"},
        "certs": {
            "MARRIAGE_CERT": {
                "certificate_number": "J440106-2020-000123",
                "holder_id_number": "440106199001011234",
                "spouse_id_number": "440106199202022345",
            }
        },
        "profile": {"id_number": "440106199001011234"},
        "age": 34,
    },
    "GZ-GA-0007": {
        "form": {"address_unchanged": True, "basis": "employment"},
        "certs": {"RESIDENCE_PERMIT": {"permit_number": "440100202400001"}},
        "age": 28,
    },
    "GZ-GA-0015": {
        "form": {"endorsement_type": "individual_tour"},
        "certs": {"HK_MACAO_PERMIT": {"permit_number": "C12345678"}},
        "age": 30,
    },
    "GZ-GA-0018": {
        "form": {"medical_exam_done": True},
        "certs": {"DRIVING_LICENSE": {"file_number": "440100556677", "status": "valid", "license_class": "C1"}},
        "age": 45,
    },
    "GZ-GA-0025": {
        "form": {"vehicle_age_years": 6, "violations_cleared": True, "insurance_valid": True},
        "certs": {"VEHICLE_LICENSE": {"vehicle_type": "small_passenger", "use_character": "non_operating"}},
        "age": 40,
    },
    "GZ-JTJ-0001": {
        "form": {"applicant_type": "individual", "social_insurance_months": 24},
        "certs": {"DRIVING_LICENSE": {"status": "valid"}, "RESIDENCE_PERMIT": {"division_code": "440106"}},
        "age": 33,
    },
    "GZ-RSJ-0001": {
        "form": {"contribution_months": 18, "leave_reason": "contract_expired", "job_seeking": True},
        "certs": {"SOCIAL_SECURITY_CARD": {"card_number": "A12345678"}},
        "age": 38,
    },
    "GZ-RSJ-0007": {
        "certs": {
            "GRADUATION_CERT": {
                "certificate_number": "105581202505001234",
                "graduation_year": 2025,
                "education_level": "master",
            }
        },
        "age": 26,
    },
    "GZ-RSJ-0008": {
        "form": {"gz_social_insurance": True},
        "certs": {"DEGREE_CERT": {"certificate_number": "1055842019000123", "degree": "master"}},
        "age": 44,
    },
    "GZ-GJJ-0001": {
        "form": {"no_home_in_gz": True},
        "certs": {"PROVIDENT_FUND_ACCOUNT": {"account_status": "normal", "continuous_months": 6}},
        "age": 29,
    },
    "GZ-GJJ-0003": {
        "certs": {"PROVIDENT_FUND_ACCOUNT": {"account_number": "2019000123", "account_status": "normal"}},
        "age": 61,
    },
    "GZ-GHZYJ-0005": {"form": {"query_scope": "own_property"}, "age": 35},
    "GZ-MZJ-0007": {
        "form": {"agent_relation": "self"},
        "certs": {"HOUSEHOLD_REGISTER": {"division_code": "440104"}},
        "age": 82,
    },
    "GZ-MZJ-0008": {"certs": {"RESIDENCE_PERMIT": {"division_code": "440111"}}, "age": 65},
    "GZ-RSJ-0015": {
        "form": {"contribution_years": 15, "has_employee_pension": False},
        "certs": {"HOUSEHOLD_REGISTER": {"division_code": "440113"}},
        "age": 62,
    },
    "GZ-MZJ-0011": {
        "form": {"receiving_other_care_allowance": False},
        "certs": {"DISABILITY_CERT": {"disability_grade": "1"}, "HOUSEHOLD_REGISTER": {"division_code": "440105"}},
        "age": 50,
    },
    "GZ-SJJ-0002": {
        "form": {"address_standard": True, "scope_standard": True, "name_declared": True},
        "age": 18,
    },
}

# matter -> (path to change, new value, index of the one failing condition, its op, path, expected, actual)
FAILING: dict[str, tuple[str, Any, int, str, str | None, Any, Any]] = {
    "GZ-WJW-0001": (
        "form.spouse_id_number",
        "440106199202029999",
        2,
        "==",
        "form.spouse_id_number",
        "440106199202022345",
        "440106199202029999",
    ),
    "GZ-GA-0007": (
        "form.basis",
        "other",
        2,
        "in",
        "form.basis",
        ["employment", "business", "housing", "study"],
        "other",
    ),
    "GZ-GA-0015": ("age", 14, 2, ">=", "age", 16, 14),
    "GZ-GA-0018": (
        "certs.DRIVING_LICENSE.license_class",
        "B2",
        3,
        "in",
        "certs.DRIVING_LICENSE.license_class",
        ["C1", "C2"],
        "B2",
    ),
    "GZ-GA-0025": ("form.vehicle_age_years", 12, 2, "<=", "form.vehicle_age_years", 10, 12),
    "GZ-JTJ-0001": ("form.social_insurance_months", 12, 2, "or", None, None, None),
    "GZ-RSJ-0001": ("form.leave_reason", "resigned", 1, "!=", "form.leave_reason", "resigned", "resigned"),
    "GZ-RSJ-0007": (
        "certs.GRADUATION_CERT.education_level",
        "junior_college",
        2,
        "in",
        "certs.GRADUATION_CERT.education_level",
        ["bachelor", "master", "doctor"],
        "junior_college",
    ),
    "GZ-RSJ-0008": ("certs.DEGREE_CERT.degree", "bachelor", 2, "if", None, None, None),
    "GZ-GJJ-0001": (
        "certs.PROVIDENT_FUND_ACCOUNT.account_status",
        "sealed",
        0,
        "==",
        "certs.PROVIDENT_FUND_ACCOUNT.account_status",
        "normal",
        "sealed",
    ),
    "GZ-GJJ-0003": (
        "certs.PROVIDENT_FUND_ACCOUNT.account_status",
        "closed",
        2,
        "!=",
        "certs.PROVIDENT_FUND_ACCOUNT.account_status",
        "closed",
        "closed",
    ),
    "GZ-GHZYJ-0005": (
        "form.query_scope",
        "third_party",
        0,
        "in",
        "form.query_scope",
        ["own_property", "no_property_proof"],
        "third_party",
    ),
    "GZ-MZJ-0007": ("form.agent_relation", "child", 2, "==", "form.agent_relation", "self", "child"),
    "GZ-MZJ-0008": ("age", 59, 0, ">=", "age", 60, 59),
    "GZ-RSJ-0015": ("form.has_employee_pension", True, 2, "==", "form.has_employee_pension", False, True),
    "GZ-MZJ-0011": (
        "certs.DISABILITY_CERT.disability_grade",
        "3",
        0,
        "in",
        "certs.DISABILITY_CERT.disability_grade",
        ["1", "2"],
        "3",
    ),
    "GZ-SJJ-0002": ("age", 17, 0, ">=", "age", 18, 17),
}

RULED = sorted(code for code, matter in MATTERS.items() if matter["auto_approval"])


def test_every_catalog_rule_has_a_passing_and_a_failing_case() -> None:
    assert set(PASSING) == set(RULED)
    assert set(FAILING) == set(RULED)


@pytest.mark.parametrize("code", RULED)
def test_catalog_rule_approves_the_passing_data(code: str) -> None:
    # Given an applicant who meets every condition of the matter's rule,
    rule = MATTERS[code]["auto_approval"]["rule"]
    # when the rule is evaluated with explanations,
    decision = evaluate_with_explanation(rule, PASSING[code])
    # then it is approved, every condition held, and the plain evaluator agrees.
    assert decision.approved is True
    assert decision.conditions
    assert all(condition.held for condition in decision.conditions)
    assert truthy(apply(rule, PASSING[code])) is True


@pytest.mark.parametrize("code", RULED)
def test_catalog_rule_rejects_and_names_the_failing_condition(code: str) -> None:
    path_to_change, value, index, op, path, expected, actual = FAILING[code]
    # Given the passing applicant with one value changed,
    data = changed(PASSING[code], path_to_change, value)
    # when the rule is evaluated,
    decision = evaluate_with_explanation(MATTERS[code]["auto_approval"]["rule"], data)
    # then it is refused and exactly that one condition is reported as not held.
    assert decision.approved is False
    failed = [i for i, condition in enumerate(decision.conditions) if not condition.held]
    assert failed == [index]
    condition = decision.conditions[index]
    assert (condition.op, condition.path, condition.expected, condition.actual) == (op, path, expected, actual)


def test_var_against_var_reports_the_other_path() -> None:
    path, value, index, *_ = FAILING["GZ-WJW-0001"]
    data = changed(PASSING["GZ-WJW-0001"], path, value)
    decision = evaluate_with_explanation(MATTERS["GZ-WJW-0001"]["auto_approval"]["rule"], data)
    assert decision.conditions[index].against == "certs.MARRIAGE_CERT.spouse_id_number"


def test_or_group_keeps_its_alternatives_as_children() -> None:
    # Given a car-quota applicant with a residence permit but only 12 months of social insurance,
    data = changed(PASSING["GZ-JTJ-0001"], "form.social_insurance_months", 12)
    group = evaluate_with_explanation(MATTERS["GZ-JTJ-0001"]["auto_approval"]["rule"], data).conditions[2]
    # then the or-group shows the hukou branch and the residence-permit branch, each with its own result.
    hukou, permit = group.children
    assert (hukou.op, hukou.path, hukou.actual, hukou.held) == (
        "in",
        "certs.HOUSEHOLD_REGISTER.division_code",
        None,
        False,
    )
    assert (permit.op, permit.held) == ("and", False)
    division, months = permit.children
    assert (division.path, division.actual, division.held) == ("certs.RESIDENCE_PERMIT.division_code", "440106", True)
    assert (months.op, months.path, months.expected, months.actual, months.held) == (
        ">=",
        "form.social_insurance_months",
        24,
        12,
        False,
    )


def test_if_condition_shows_the_tests_tried_and_the_deciding_branch() -> None:
    data = changed(PASSING["GZ-RSJ-0008"], "certs.DEGREE_CERT.degree", "bachelor")
    decision = evaluate_with_explanation(MATTERS["GZ-RSJ-0008"]["auto_approval"]["rule"], data)
    branches = decision.conditions[2].children
    assert [(c.op, c.path, c.expected, c.held) for c in branches] == [
        ("==", "certs.DEGREE_CERT.degree", "doctor", False),
        ("==", "certs.DEGREE_CERT.degree", "master", False),
        ("==", "certs.DEGREE_CERT.degree", "bachelor", True),
        ("<", "age", 40, False),
    ]
    assert branches[-1].actual == 44


def test_if_without_a_matching_test_ends_with_the_else_branch() -> None:
    data = changed(PASSING["GZ-RSJ-0008"], "certs.DEGREE_CERT.degree", DELETE)
    decision = evaluate_with_explanation(MATTERS["GZ-RSJ-0008"]["auto_approval"]["rule"], data)
    branches = decision.conditions[2].children
    assert len(branches) == 4
    assert (branches[-1].op, branches[-1].expected, branches[-1].held) == ("literal", False, False)


def test_missing_certificate_is_reported_with_no_actual_value() -> None:
    data = changed(PASSING["GZ-WJW-0001"], "certs.MARRIAGE_CERT.certificate_number", DELETE)
    decision = evaluate_with_explanation(MATTERS["GZ-WJW-0001"]["auto_approval"]["rule"], data)
    first = decision.conditions[0]
    assert decision.approved is False
    assert (first.op, first.path, first.expected, first.actual, first.held) == (
        "!missing",
        "certs.MARRIAGE_CERT.certificate_number",
        None,
        None,
        False,
    )


@pytest.mark.parametrize(
    ("expr", "data", "fields"),
    [
        ({"<": [18, {"var": "age"}]}, {"age": 20}, (">", "age", 18, 20, True)),
        ({"<=": [0, {"var": "form.n"}, 10]}, {"form": {"n": 11}}, ("between", "form.n", [0, 10], 11, False)),
        ({"<": [0, {"var": "form.n"}, 10]}, {"form": {"n": 5}}, ("between_exclusive", "form.n", [0, 10], 5, True)),
        (
            {"in": ["VIP", {"var": "form.s"}]},
            {"form": {"s": "a VIP b"}},
            ("contains", "form.s", "VIP", "a VIP b", True),
        ),
        ({"var": "form.flag"}, {"form": {"flag": True}}, ("var", "form.flag", None, True, True)),
        ({"missing": ["form.x"]}, {}, ("missing", "form.x", None, None, True)),
        ({"!": {"in": [{"var": "age"}, [1, 2]]}}, {"age": 1}, ("!", "age", [1, 2], 1, False)),
        ({"!!": {"var": "age"}}, {"age": 0}, ("!!", "age", None, 0, False)),
        (True, {}, ("literal", None, True, None, True)),
        ({"==": [{"cat": ["a", "b"]}, "ab"]}, {}, ("==", None, "ab", None, True)),
        ({"merge": [[1], [2]]}, {}, ("merge", None, None, None, True)),
    ],
)
def test_explain_condition_shapes(expr: Any, data: Any, fields: tuple[Any, ...]) -> None:
    condition = explain_condition(expr, data)
    assert (condition.op, condition.path, condition.expected, condition.actual, condition.held) == fields


def test_not_missing_of_several_paths_has_one_child_per_path() -> None:
    condition = explain_condition({"!": {"missing": ["form.a", "form.b"]}}, {"form": {"a": "x"}})
    assert (condition.op, condition.path, condition.held) == ("!missing", None, False)
    assert [(c.path, c.held, c.actual) for c in condition.children] == [("form.a", True, "x"), ("form.b", False, None)]


def test_not_missing_of_computed_paths_evaluates_them_first() -> None:
    condition = explain_condition({"!": {"missing": {"merge": [["form.a"], "form.b"]}}}, {"form": {"b": 1}})
    assert [(c.path, c.held) for c in condition.children] == [("form.a", False), ("form.b", True)]


def test_rule_that_is_not_an_and_is_one_condition() -> None:
    decision = evaluate_with_explanation({"or": [False, {"var": "age"}]}, {"age": 3})
    assert decision.approved is True
    assert [c.op for c in decision.conditions] == ["or"]
    assert [c.held for c in decision.conditions[0].children] == [False, True]


def test_decision_serialises_to_json() -> None:
    decision = evaluate_with_explanation(MATTERS["GZ-JTJ-0001"]["auto_approval"]["rule"], PASSING["GZ-JTJ-0001"])
    encoded = json.loads(msgspec.json.encode(decision))
    assert encoded["approved"] is True
    assert encoded["conditions"][2]["children"][1]["children"][1]["path"] == "form.social_insurance_months"
    assert msgspec.json.decode(msgspec.json.encode(decision), type=Decision) == decision


def test_explaining_an_invalid_rule_raises_rule_error() -> None:
    with pytest.raises(RuleError):
        evaluate_with_explanation({"and": [True, {"exec": []}]}, {})


# --- labels and values ---------------------------------------------------------------------------------
def labels_for(code: str) -> CatalogLabels:
    """The catalog labels of a demo matter."""
    return catalog_labels(MATTERS[code], CERTIFICATE_TYPES)


@pytest.mark.parametrize(
    ("path", "locale", "expected"),
    [
        ("form.medical_exam_done", Locale.ZH_HANS, "已完成驾驶人体检"),
        ("form.medical_exam_done", Locale.EN, "I have completed the driver medical check"),
        ("certs.DRIVING_LICENSE.license_class", Locale.ZH_HANS, "机动车驾驶证·准驾车型"),
        ("certs.DRIVING_LICENSE.license_class", Locale.ZH_HANT, "機動車駕駛證·準駕車型"),
        ("certs.DRIVING_LICENSE.license_class", Locale.EN, "Motor Vehicle Driving Licence · Licence class"),
        ("certs.DRIVING_LICENSE", Locale.ZH_HANS, "机动车驾驶证"),
        ("certs.DRIVING_LICENSE.no_such_field", Locale.ZH_HANS, "机动车驾驶证·no_such_field"),
        ("certs.NO_SUCH_CERT.x", Locale.EN, "NO_SUCH_CERT.x"),
        ("age", Locale.ZH_HANS, "年龄"),
        ("age", Locale.ZH_HANT, "年齡"),
        ("age", Locale.EN, "Age"),
        ("profile.id_number", Locale.ZH_HANS, "公民身份号码"),
        ("profile.phone", Locale.ZH_HANT, "手機號碼"),
        ("profile.birth_date", Locale.EN, "Date of birth"),
        ("profile.nickname", Locale.EN, "nickname"),
        ("form.not_a_field", Locale.EN, "not_a_field"),
        ("somewhere.else", Locale.EN, "somewhere.else"),
    ],
)
def test_catalog_labels(path: str, locale: Locale, expected: str) -> None:
    assert labels_for("GZ-GA-0018")(path, locale) == expected


def test_option_labels_come_from_the_form_select_options() -> None:
    labels = labels_for("GZ-GA-0007")
    assert labels.option("form.basis", "employment", Locale.ZH_HANS) == "合法稳定就业"
    assert labels.option("form.basis", "employment", Locale.EN) == "Stable employment"
    assert labels.option("form.basis", "nonsense", Locale.EN) is None
    assert labels.option("certs.RESIDENCE_PERMIT.division_code", "440106", Locale.EN) is None


@pytest.mark.parametrize(
    ("value", "locale", "expected"),
    [
        (True, Locale.ZH_HANS, "是"),
        (False, Locale.ZH_HANT, "否"),
        (True, Locale.EN, "yes"),
        (False, Locale.EN, "no"),
        (None, Locale.ZH_HANS, "未提供"),
        ("", Locale.ZH_HANT, "未提供"),
        (None, Locale.EN, "not provided"),
        (["C1", "C2"], Locale.ZH_HANS, "C1、C2"),
        (["C1", "C2"], Locale.EN, "C1, C2"),
        ([True, None], Locale.EN, "yes, not provided"),
        (16.0, Locale.EN, "16"),
        (2.5, Locale.EN, "2.5"),
        ({"b": 1, "a": "二"}, Locale.EN, '{"a": "二", "b": 1}'),
    ],
)
def test_format_value(value: Any, locale: Locale, expected: str) -> None:
    assert format_value(value, locale, CATALOGS) == expected


# --- rendering in three locales ------------------------------------------------------------------------
def rendered(code: str, path: str, value: Any, index: int) -> dict[Locale, str]:
    """The condition `index` of `code`'s rule on the passing data with one value changed, in every locale."""
    data = changed(PASSING[code], path, value)
    condition = evaluate_with_explanation(MATTERS[code]["auto_approval"]["rule"], data).conditions[index]
    labels = labels_for(code)
    return {locale: describe(condition, locale, labels, CATALOGS, option_labels=labels.option) for locale in Locale}


def test_render_at_least() -> None:
    assert rendered("GZ-GA-0015", "age", 14, 2) == {
        Locale.ZH_HANS: "年龄 ≥ 16（您的：14）— 不满足",
        Locale.ZH_HANT: "年齡 ≥ 16（您的：14）— 不滿足",
        Locale.EN: "Age at least 16 (yours: 14): not met",
    }


def test_render_under() -> None:
    assert rendered("GZ-GA-0018", "age", 72, 4) == {
        Locale.ZH_HANS: "年龄 < 70（您的：72）— 不满足",
        Locale.ZH_HANT: "年齡 < 70（您的：72）— 不滿足",
        Locale.EN: "Age under 70 (yours: 72): not met",
    }


def test_render_equals_boolean_and_missing_value() -> None:
    assert rendered("GZ-GA-0018", "form.medical_exam_done", False, 2) == {
        Locale.ZH_HANS: "已完成驾驶人体检须为“是”（您的：否）— 不满足",
        Locale.ZH_HANT: "已完成駕駛人體檢須為「是」（您的：否）— 不滿足",
        Locale.EN: "I have completed the driver medical check must be yes (yours: no): not met",
    }
    assert rendered("GZ-GA-0018", "certs.DRIVING_LICENSE.status", DELETE, 1)[Locale.ZH_HANS] == (
        "机动车驾驶证·驾驶证状态须为“有效”（您的：未提供）— 不满足"
    )


def test_render_equals_a_certificate_enum_uses_its_label() -> None:
    # A licence's status is a code in the data ("suspended"); a person reads its label, never the code
    assert rendered("GZ-GA-0018", "certs.DRIVING_LICENSE.status", "suspended", 1) == {
        Locale.ZH_HANS: "机动车驾驶证·驾驶证状态须为“有效”（您的：暂扣）— 不满足",
        Locale.ZH_HANT: "機動車駕駛證·駕駛證狀態須為「有效」（您的：暫扣）— 不滿足",
        Locale.EN: "Motor Vehicle Driving Licence · Licence status must be Valid (yours: Suspended): not met",
    }
    # and the value it holds is compared as the code: a valid licence meets the condition
    assert rendered("GZ-GA-0018", "certs.DRIVING_LICENSE.status", "valid", 1)[Locale.ZH_HANS] == (
        "机动车驾驶证·驾驶证状态须为“有效”（您的：有效）— 满足"
    )


def test_render_equals_a_select_option_uses_its_label() -> None:
    assert rendered("GZ-MZJ-0007", "form.agent_relation", "child", 2) == {
        Locale.ZH_HANS: "与当事人关系须为“本人”（您的：子女）— 不满足",
        Locale.ZH_HANT: "與當事人關係須為「本人」（您的：子女）— 不滿足",
        Locale.EN: "Your relationship to the person concerned must be Myself (yours: Child): not met",
    }


def test_render_equals_another_value() -> None:
    result = rendered("GZ-WJW-0001", "form.spouse_id_number", "440106199202029999", 2)
    assert result[Locale.ZH_HANS] == (
        "配偶公民身份号码须与结婚证·配偶身份证件号一致"
        "（您的：440106199202029999；结婚证·配偶身份证件号：440106199202022345）— 不满足"
    )
    assert result[Locale.EN].startswith("Spouse's ID number must match Marriage Certificate · ")


def test_render_in() -> None:
    assert rendered("GZ-GA-0018", "certs.DRIVING_LICENSE.license_class", "B2", 3) == {
        Locale.ZH_HANS: "机动车驾驶证·准驾车型须为C1、C2之一（您的：B2）— 不满足",
        Locale.ZH_HANT: "機動車駕駛證·準駕車型須為C1、C2之一（您的：B2）— 不滿足",
        Locale.EN: "Motor Vehicle Driving Licence · Licence class must be one of C1, C2 (yours: B2): not met",
    }


def test_render_in_with_option_labels() -> None:
    assert rendered("GZ-GA-0007", "form.basis", "other", 2)[Locale.ZH_HANS] == (
        "居住依据须为合法稳定就业、经商、合法稳定住所、连续就读之一（您的：其他）— 不满足"
    )


def test_render_not_missing() -> None:
    assert rendered("GZ-WJW-0001", "certs.MARRIAGE_CERT.certificate_number", DELETE, 0) == {
        Locale.ZH_HANS: "结婚证·结婚证字号：需要（未找到）— 不满足",
        Locale.ZH_HANT: "結婚證·結婚證字號：需要（找不到）— 不滿足",
        Locale.EN: "Marriage Certificate · Certificate number: required (not found): not met",
    }
    assert rendered("GZ-WJW-0001", "age", 34, 0)[Locale.ZH_HANS] == "结婚证·结婚证字号：需要（已找到）— 满足"


def test_render_or_group() -> None:
    result = rendered("GZ-MZJ-0008", "age", 65, 1)
    assert result[Locale.ZH_HANS] == (
        f"满足以下任一项：居民户口簿·户籍地行政区划代码须为{GZ_DISTRICTS_TEXT}之一（您的：未提供）；"
        f"广东省居住证·居住地行政区划代码须为{GZ_DISTRICTS_TEXT}之一（您的：440111）— 满足"
    )
    assert result[Locale.ZH_HANT].startswith("滿足以下任一項：居民戶口簿·")
    assert result[Locale.ZH_HANT].endswith("之一（您的：440111）— 滿足")
    assert result[Locale.EN].startswith("At least one of: Household Register (Hukou Booklet) · ")
    assert "(yours: not provided); Guangdong Residence Permit · " in result[Locale.EN]
    assert result[Locale.EN].endswith("(yours: 440111): met")


def test_render_nested_groups_are_bracketed() -> None:
    result = rendered("GZ-JTJ-0001", "form.social_insurance_months", 12, 2)
    assert result[Locale.EN].endswith(
        "; (All of: Guangdong Residence Permit · Administrative division code of residence must be one of "
        + ", ".join([*GZ_DISTRICTS, "440118"])
        + " (yours: 440106); Months of continuous social insurance in Guangzhou (last 24) at least 24 (yours: 12)): "
        "not met"
    )
    assert "；（同时满足：广东省居住证·" in result[Locale.ZH_HANS]


def test_render_if_chain() -> None:
    result = rendered("GZ-RSJ-0008", "certs.DEGREE_CERT.degree", "bachelor", 2)
    assert result[Locale.ZH_HANS] == (
        "视情况而定：学位证书·学位须为“博士”（您的：学士）；学位证书·学位须为“硕士”（您的：学士）；"
        "学位证书·学位须为“学士”（您的：学士）；年龄 < 40（您的：44）— 不满足"
    )


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        (Condition(held=True, op="between", path="age", expected=[18, 60], actual=30), "Age from 18 to 60 (yours: 30)"),
        (Condition(held=True, op=">", path="age", expected=18, actual=30), "Age over 18 (yours: 30)"),
        (Condition(held=True, op="<=", path="age", expected=18, actual=3), "Age at most 18 (yours: 3)"),
        (Condition(held=False, op="!=", path="age", expected=3, actual=3), "Age must not be 3 (yours: 3)"),
        (Condition(held=True, op="literal", expected=True), "No further condition"),
        (Condition(held=False, op="literal", expected=False), "Not eligible in this case"),
        (Condition(held=True, op="literal", expected=7), "Constant value 7"),
        (Condition(held=True, op="merge"), "Condition merge"),
        (
            Condition(held=True, op="!", path="age", children=[Condition(held=False, op="<", path="age", expected=18)]),
            "Must not hold: Age under 18 (yours: not provided)",
        ),
    ],
)
def test_render_other_shapes_without_status(condition: Condition, expected: str) -> None:
    labels = labels_for("GZ-GA-0018")
    assert describe(condition, Locale.EN, labels, CATALOGS, status=False) == expected


def test_rendering_without_translations_falls_back_to_english() -> None:
    empty = Catalogs({locale: {} for locale in Locale})
    condition = Condition(held=False, op=">=", path="age", expected=16, actual=14)
    assert (
        describe(condition, Locale.ZH_HANS, labels_for("GZ-GA-0015"), empty) == "年龄 at least 16 (yours: 14): not met"
    )


# --- the CLI ---------------------------------------------------------------------------------------------
def run_check(tmp_path: Path, *args: str, data: Any = None, raw: str | None = None) -> Any:
    """Run `rules check` with the data written to a temporary file."""
    data_file = tmp_path / "data.json"
    data_file.write_text(raw if raw is not None else json.dumps(data), encoding="utf-8")
    return CliRunner().invoke(rules, ["check", *args, "--data", str(data_file)])


def test_cli_approved_exits_0_with_json(tmp_path: Path) -> None:
    result = run_check(tmp_path, "GZ-GA-0018", "--locale", "en", data=PASSING["GZ-GA-0018"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["matter"] == "GZ-GA-0018"
    assert report["approved"] is True
    assert [item["held"] for item in report["explanation"]] == [True] * 5
    assert report["explanation"][4] == {
        "condition": "Age under 70 (yours: 45): met",
        "held": True,
        "path": "age",
        "expected": 70,
        "actual": 45,
    }


def test_cli_not_approved_exits_1_and_names_the_failing_condition(tmp_path: Path) -> None:
    data = changed(PASSING["GZ-GA-0018"], "certs.DRIVING_LICENSE.license_class", "B2")
    result = run_check(tmp_path, "GZ-GA-0018", "--locale", "en", data=data)
    assert result.exit_code == 1, result.output
    report = json.loads(result.stdout)
    assert report["approved"] is False
    failing = [item for item in report["explanation"] if not item["held"]]
    assert failing == [
        {
            "condition": "Motor Vehicle Driving Licence · Licence class must be one of C1, C2 (yours: B2): not met",
            "held": False,
            "path": "certs.DRIVING_LICENSE.license_class",
            "expected": ["C1", "C2"],
            "actual": "B2",
        }
    ]


def test_cli_accepts_a_catalog_folder_and_a_chinese_locale(tmp_path: Path) -> None:
    result = run_check(tmp_path, "GZ-MZJ-0008", "--catalog", str(DEMO_CATALOG_DIR), "--locale", "zh-Hant", data={})
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert [item["path"] for item in report["explanation"]] == ["age", None]


@pytest.mark.parametrize(
    ("args", "raw", "message"),
    [
        (["GZ-NOPE-0001"], "{}", "there is no matter GZ-NOPE-0001"),
        (["GZ-GA-0001"], "{}", "has no auto_approval rule"),
        (["GZ-GA-0018"], "{not json", "is not valid UTF-8 JSON"),
        (["GZ-GA-0018"], "[1, 2]", "must hold a JSON object"),
        (["GZ-GA-0018"], '{"forms": {}}', "unknown keys ['forms']"),
        (["GZ-GA-0018"], '{"form": []}', '"form" must be an object'),
        (["GZ-GA-0018"], '{"certs": {"DRIVING_LICENSE": "C1"}}', '"certs.DRIVING_LICENSE" must be an object'),
        (["GZ-GA-0018"], '{"age": "40"}', '"age" must be a whole number'),
        (["GZ-GA-0018"], '{"age": true}', '"age" must be a whole number'),
        (["GZ-GA-0018", "--locale", "fr"], "{}", "'fr' is not one of"),
    ],
)
def test_cli_usage_errors_exit_2(tmp_path: Path, args: list[str], raw: str, message: str) -> None:
    result = run_check(tmp_path, *args, raw=raw)
    assert result.exit_code == 2
    assert message in result.stderr
    assert result.stdout == ""


def test_cli_rejects_a_missing_data_file_and_a_catalog_without_matters(tmp_path: Path) -> None:
    runner = CliRunner()
    missing = runner.invoke(rules, ["check", "GZ-GA-0018", "--data", str(tmp_path / "nope.json")])
    assert missing.exit_code == 2
    assert "does not exist" in missing.stderr
    (tmp_path / "data.json").write_text("{}", encoding="utf-8")
    empty = runner.invoke(
        rules, ["check", "GZ-GA-0018", "--data", str(tmp_path / "data.json"), "--catalog", str(tmp_path)]
    )
    assert empty.exit_code == 2
    assert "cannot read catalog file" in empty.stderr


def test_cli_reports_an_invalid_rule_as_a_usage_error(tmp_path: Path) -> None:
    catalog = tmp_path / "catalog"
    catalog.mkdir()
    matter = {"code": "GZ-X-0001", "form": [], "auto_approval": {"rule": {"eval": ["1"]}, "explain": {}}}
    (catalog / "matters.json").write_text(json.dumps([matter]), encoding="utf-8")
    result = run_check(tmp_path, "GZ-X-0001", "--catalog", str(catalog), data={})
    assert result.exit_code == 2
    assert "unknown operator 'eval'" in result.stderr
