"""Evaluate an auto-approval rule and explain each condition, in three locales, for citizens and staff.

A rule's top-level `and` operands are the conditions a citizen sees (one line each); any other rule is a
single condition. Nested and/or/if/! keep their parts as `children` so a UI can expand them.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, Protocol

import msgspec

from backend.i18n import Locale, pick
from backend.rules.jsonlogic import apply, get_var, is_operation, truthy


class Condition(msgspec.Struct, kw_only=True):
    """One tested condition: whether it held, which value it looked at and what it wanted."""

    held: bool
    op: str
    path: str | None = None
    expected: Any = None
    actual: Any = None
    against: str | None = None
    """When two values in the data are compared (==, !=, in): the path of the other one; its value is `expected`."""
    children: list[Condition] = msgspec.field(default_factory=list)


class Decision(msgspec.Struct, kw_only=True):
    """The outcome of a rule and the conditions that led to it."""

    approved: bool
    conditions: list[Condition]


class Translator(Protocol):
    """Anything with the gettext of backend.i18n.Catalogs."""

    def gettext(self, locale: Locale, msgid: str, **params: Any) -> str:
        """The message in `locale` with params formatted in."""
        ...


Labels = Callable[[str, Locale], str]
"""(data path, locale) -> what to call that value: "form.x" -> the field label, "age" -> "Age"."""

OptionLabels = Callable[[str, Any, Locale], "str | None"]
"""(data path, value, locale) -> the display label of an option value, or None to show it as is."""

TEXTS: dict[str, str] = {
    "ge": "{label} at least {expected} (yours: {actual})",
    "gt": "{label} over {expected} (yours: {actual})",
    "le": "{label} at most {expected} (yours: {actual})",
    "lt": "{label} under {expected} (yours: {actual})",
    "between": "{label} from {low} to {high} (yours: {actual})",
    "between_exclusive": "{label} strictly between {low} and {high} (yours: {actual})",
    "eq": "{label} must be {expected} (yours: {actual})",
    "ne": "{label} must not be {expected} (yours: {actual})",
    "eq_path": "{label} must match {other} (yours: {actual}; {other}: {expected})",
    "ne_path": "{label} must differ from {other} (yours: {actual}; {other}: {expected})",
    "in": "{label} must be one of {expected} (yours: {actual})",
    "contains": "{label} must contain {expected} (yours: {actual})",
    "present_found": "{label}: required (found)",
    "present_missing": "{label}: required (not found)",
    "absent": "{label}: must not be provided (yours: {actual})",
    "truthy": "{label} must be filled in (yours: {actual})",
    "not": "Must not hold: {condition}",
    "any": "At least one of: {conditions}",
    "all": "All of: {conditions}",
    "if": "Depending on the case: {conditions}",
    "always": "No further condition",
    "never": "Not eligible in this case",
    "constant": "Constant value {value}",
    "other": "Condition {op}",
    "met": "{condition}: met",
    "not_met": "{condition}: not met",
    "yes": "yes",
    "no": "no",
    "not_provided": "not provided",
}

_COMPARISONS = {"==", "!=", "===", "!==", "<", "<=", ">", ">="}
# Operands swapped so the data value comes first: 16 <= age reads as age >= 16.
_FLIP = {"<": ">", "<=": ">=", ">": "<", ">=": "<="}
_TEMPLATE = {"==": "eq", "===": "eq", "!=": "ne", "!==": "ne", "<": "lt", "<=": "le", ">": "gt", ">=": "ge"}


def evaluate_with_explanation(rule: Any, data: Any) -> Decision:
    """Evaluate `rule` over `data` and explain it: one Condition per top-level `and` operand."""
    approved = truthy(apply(rule, data))
    if is_operation(rule) and "and" in rule:
        operands = rule["and"] if isinstance(rule["and"], list) else [rule["and"]]
        return Decision(approved=approved, conditions=[explain_condition(operand, data) for operand in operands])
    return Decision(approved=approved, conditions=[explain_condition(rule, data)])


def explain_condition(expr: Any, data: Any) -> Condition:
    """Evaluate one condition and describe what it tested, recursing into and/or/if/!."""
    held = truthy(apply(expr, data))
    if not is_operation(expr):
        return Condition(held=held, op="literal", expected=expr)
    op, raw = next(iter(expr.items()))
    args: list[Any] = raw if isinstance(raw, list) else [raw]
    if op in ("and", "or"):
        return Condition(held=held, op=op, children=[explain_condition(arg, data) for arg in args])
    if op in ("if", "?:"):
        return Condition(held=held, op="if", children=_if_branches(args, data))
    if op in ("!", "!!") and args:
        inner = args[0]
        if op == "!" and is_operation(inner) and "missing" in inner:
            return _presence("!missing", _keys(apply(inner["missing"], data)), data, held)
        child = explain_condition(inner, data)
        return Condition(
            held=held, op=op, path=child.path, expected=child.expected, actual=child.actual, children=[child]
        )
    if op == "missing":
        return _presence("missing", _keys(apply(raw, data)), data, held)
    if op == "var":
        path = _var_path(expr)
        return Condition(held=held, op="var", path=path, actual=get_var(data, path) if path else None)
    if op in _COMPARISONS:
        return _comparison(op, args, data, held)
    if op == "in":
        return _membership(args, data, held)
    return Condition(held=held, op=op)


def _if_branches(args: list[Any], data: Any) -> list[Condition]:
    # The tests that were tried, then the branch that decided: that is what explains the outcome.
    branches: list[Condition] = []
    index = 0
    while index + 1 < len(args):
        test = explain_condition(args[index], data)
        branches.append(test)
        if test.held:
            branches.append(explain_condition(args[index + 1], data))
            return branches
        index += 2
    if index < len(args):
        branches.append(explain_condition(args[index], data))
    return branches


def _keys(raw: Any) -> list[Any]:
    keys = raw if isinstance(raw, list) else [raw]
    return keys[0] if keys and isinstance(keys[0], list) else keys


def _presence(op: str, keys: list[Any], data: Any, held: bool) -> Condition:
    def one(key: Any) -> Condition:
        value = get_var(data, key) if isinstance(key, str | int) else None
        present = value not in (None, "")
        return Condition(held=present if op == "!missing" else not present, op=op, path=str(key), actual=value)

    if len(keys) == 1:
        single = one(keys[0])
        single.held = held
        return single
    return Condition(held=held, op=op, children=[one(key) for key in keys])


def _var_path(expr: Any) -> str | None:
    if not (is_operation(expr) and "var" in expr):
        return None
    raw = expr["var"]
    path = raw[0] if isinstance(raw, list) and raw else raw
    if isinstance(path, int) and not isinstance(path, bool):
        return str(path)
    return path if isinstance(path, str) and path else None


def _is_literal(expr: Any) -> bool:
    if isinstance(expr, list):
        return all(_is_literal(item) for item in expr)
    return not is_operation(expr)


def _comparison(op: str, args: list[Any], data: Any, held: bool) -> Condition:
    if op in ("<", "<=") and len(args) == 3 and _var_path(args[1]):
        path = _var_path(args[1])
        bounds = [apply(args[0], data), apply(args[2], data)]
        name = "between" if op == "<=" else "between_exclusive"
        return Condition(held=held, op=name, path=path, expected=bounds, actual=get_var(data, path))
    left, right = [*args, None, None][:2]
    if _var_path(left) is None and _var_path(right) is not None:
        left, right, op = right, left, _FLIP.get(op, op)
    path = _var_path(left)
    against = _var_path(right) if path else None
    expected = right if _is_literal(right) else apply(right, data)
    return Condition(
        held=held,
        op=op,
        path=path,
        expected=expected,
        actual=get_var(data, path) if path else None,
        against=against,
    )


def _membership(args: list[Any], data: Any, held: bool) -> Condition:
    needle, haystack = [*args, None, None][:2]
    op = "in"
    if _var_path(needle) is None and _var_path(haystack) is not None:
        needle, haystack, op = haystack, needle, "contains"
    path = _var_path(needle)
    expected = haystack if _is_literal(haystack) else apply(haystack, data)
    against = _var_path(haystack) if path else None
    return Condition(
        held=held, op=op, path=path, expected=expected, actual=get_var(data, path) if path else None, against=against
    )


def format_value(
    value: Any,
    locale: Locale,
    translator: Translator,
    path: str | None = None,
    option_labels: OptionLabels | None = None,
) -> str:
    """A data value as a citizen reads it: yes/no, lists joined, "not provided" for missing values."""
    if value is None or value == "":
        return translator.gettext(locale, TEXTS["not_provided"])
    if isinstance(value, bool):
        return translator.gettext(locale, TEXTS["yes" if value else "no"])
    if isinstance(value, list):
        separator = ", " if locale is Locale.EN else "、"
        return separator.join(format_value(item, locale, translator, path, option_labels) for item in value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    if option_labels is not None and path is not None:
        label = option_labels(path, value, locale)
        if label:
            return label
    return str(value)


def describe(
    condition: Condition,
    locale: Locale,
    labels: Labels,
    translator: Translator,
    *,
    status: bool = True,
    option_labels: OptionLabels | None = None,
) -> str:
    """One short sentence for a condition in `locale`, ending in met / not met unless status=False.

    Nested conditions are rendered without their own status (their `held` is on each child for a UI).
    """
    text = _Renderer(locale, labels, translator, option_labels).sentence(condition)
    if status:
        text = translator.gettext(locale, TEXTS["met" if condition.held else "not_met"], condition=text)
    return text


def _is_group(condition: Condition) -> bool:
    return condition.op in ("and", "or", "if") or (condition.path is None and bool(condition.children))


class _Renderer:
    def __init__(self, locale: Locale, labels: Labels, translator: Translator, options: OptionLabels | None) -> None:
        self.locale = locale
        self.labels = labels
        self.translator = translator
        self.options = options

    def text(self, key: str, **params: Any) -> str:
        return self.translator.gettext(self.locale, TEXTS[key], **params)

    def value(self, value: Any, path: str | None) -> str:
        return format_value(value, self.locale, self.translator, path, self.options)

    def child(self, condition: Condition) -> str:
        # A group inside a group is bracketed, so "A; (B; C)" cannot be misread as "A; B; C".
        text = self.sentence(condition)
        if _is_group(condition):
            return f"({text})" if self.locale is Locale.EN else f"（{text}）"
        return text

    def group(self, key: str, children: list[Condition]) -> str:
        separator = "; " if self.locale is Locale.EN else "；"
        return self.text(key, conditions=separator.join(self.child(child) for child in children))

    def sentence(self, c: Condition) -> str:
        if c.op in ("and", "or", "if"):
            return self.group({"and": "all", "or": "any", "if": "if"}[c.op], c.children)
        if c.op == "!":
            return self.text("not", condition=self.sentence(c.children[0]) if c.children else "")
        if c.op == "!!" and c.children:
            return self.sentence(c.children[0])
        if c.op == "literal":
            if isinstance(c.expected, bool):
                return self.text("always" if c.expected else "never")
            return self.text("constant", value=self.value(c.expected, None))
        if c.path is None:
            if c.op in ("!missing", "missing") and c.children:
                return self.group("all", c.children)
            return self.text("other", op=c.op)
        label = self.labels(c.path, self.locale)
        actual = self.value(c.actual, c.path)
        if c.op == "!missing":
            # held, not the value: a value the reader may not see is hidden (None) but was found
            return self.text("present_found" if c.held else "present_missing", label=label)
        if c.op == "missing":
            return self.text("absent", label=label, actual=actual)
        if c.op == "var":
            return self.text("truthy", label=label, actual=actual)
        if c.op in ("between", "between_exclusive"):
            low, high = [*c.expected, None, None][:2] if isinstance(c.expected, list) else [None, None]
            low_text, high_text = self.value(low, c.path), self.value(high, c.path)
            return self.text(c.op, label=label, low=low_text, high=high_text, actual=actual)
        expected = self.value(c.expected, c.path)
        if c.against is not None and c.op in ("==", "===", "!=", "!=="):
            other = self.labels(c.against, self.locale)
            key = "eq_path" if c.op in ("==", "===") else "ne_path"
            return self.text(key, label=label, other=other, expected=expected, actual=actual)
        key = _TEMPLATE.get(c.op, c.op)
        if key not in TEXTS:
            return self.text("other", op=c.op)
        return self.text(key, label=label, expected=expected, actual=actual)


BUILTIN_LABELS: dict[str, dict[str, str]] = {
    "age": {"zh-Hans": "年龄", "zh-Hant": "年齡", "en": "Age"},
    "profile.name": {"zh-Hans": "姓名", "zh-Hant": "姓名", "en": "Name"},
    "profile.id_number": {"zh-Hans": "公民身份号码", "zh-Hant": "公民身份號碼", "en": "Citizen ID number"},
    "profile.birth_date": {"zh-Hans": "出生日期", "zh-Hant": "出生日期", "en": "Date of birth"},
    "profile.sex": {"zh-Hans": "性别", "zh-Hant": "性別", "en": "Sex"},
    "profile.address": {"zh-Hans": "住址", "zh-Hant": "住址", "en": "Address"},
    "profile.phone": {"zh-Hans": "手机号码", "zh-Hant": "手機號碼", "en": "Mobile phone number"},
}
"""Labels of the data paths that do not come from a matter's form or a certificate type."""

BUILTIN_OPTION_LABELS: dict[str, dict[str, dict[str, str]]] = {
    "profile.sex": {
        "male": {"zh-Hans": "男", "zh-Hant": "男", "en": "Male"},
        "female": {"zh-Hans": "女", "zh-Hant": "女", "en": "Female"},
    },
}
"""Labels of the registry's coded values that rules may compare."""


class CatalogLabels:
    """Labels for a matter's rule paths, from the catalog JSON: form fields, certificate fields, built-ins."""

    def __init__(self, matter: dict[str, Any], certificate_types: dict[str, dict[str, Any]]) -> None:
        self._form = {field["key"]: field for field in matter.get("form") or []}
        self._certificates = certificate_types

    def __call__(self, path: str, locale: Locale) -> str:
        """What to call the value at `path` in `locale`; the path itself when nothing is known about it."""
        if path in BUILTIN_LABELS:
            return pick(BUILTIN_LABELS[path], locale)
        scope, _, rest = path.partition(".")
        if scope == "form" and rest in self._form:
            return pick(self._form[rest]["label"], locale)
        if scope == "certs" and rest:
            code, _, key = rest.partition(".")
            certificate = self._certificates.get(code)
            if certificate is None:
                return rest
            name = pick(certificate["name"], locale)
            if not key:
                return name
            fields = {field["key"]: field for field in certificate.get("fields") or []}
            label = pick(fields[key]["label"], locale) if key in fields else key
            return f"{name} · {label}" if locale is Locale.EN else f"{name}·{label}"
        return rest if scope in ("form", "profile") and rest else path

    def option(self, path: str, value: Any, locale: Locale) -> str | None:
        """The label of an option value (a select field's, a certificate enum's, the profile's sex), or
        None when the path has no such option."""
        if path in BUILTIN_OPTION_LABELS:
            found = BUILTIN_OPTION_LABELS[path].get(str(value))
            return pick(found, locale) if found else None
        scope, _, key = path.partition(".")
        if scope == "certs":
            code, _, field_key = key.partition(".")
            fields = (self._certificates.get(code) or {}).get("fields") or []
            labels = next((f.get("option_labels") or {} for f in fields if f["key"] == field_key), {})
            found = labels.get(str(value))
            return pick(found, locale) if found else None
        if scope != "form" or key not in self._form:
            return None
        for option in self._form[key].get("options") or []:
            if option.get("value") == value:
                return pick(option["label"], locale)
        return None


def catalog_labels(matter: dict[str, Any], certificate_types: dict[str, dict[str, Any]]) -> CatalogLabels:
    """A Labels callable for `matter` (certificate_types keyed by code); its .option labels select values."""
    return CatalogLabels(matter, certificate_types)
