"""A JSON Logic evaluator (jsonlogic.com semantics, with saner comparisons) for auto-approval rules.

Deliberate departures from JavaScript's coercions, so that a missing value can never approve anything:
- `==` compares numbers numerically and a numeric string with a number ("1" == 1), but booleans only equal
  booleans and null only equals null ("" == 0 and false == 0 are false).
- `<`, `<=`, `>`, `>=` compare numbers (or numeric strings) numerically and other strings lexically
  (so ISO dates work); anything else, null included, makes the comparison false (JavaScript: null < 70).
- `in` matches list members strictly (numbers numerically) and substrings only for string needles.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from typing import Any

MAX_DEPTH = 64
"""Deepest nesting of operations a rule may have; deeper rules are rejected, not evaluated."""

_NUMBER = re.compile(r"\s*[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?\s*")
_MISSING = object()


class RuleError(ValueError):
    """A rule that cannot be evaluated: unknown operator, bad arguments or too deeply nested."""


def is_operation(rule: Any) -> bool:
    """Whether `rule` is an operation {"op": args} rather than a literal."""
    return isinstance(rule, dict) and len(rule) == 1 and isinstance(next(iter(rule)), str)


def truthy(value: Any) -> bool:
    """JSON Logic truthiness: [], "", 0, null and false are false; "0" and {} are true."""
    if isinstance(value, float) and math.isnan(value):
        return False
    return bool(value) or isinstance(value, dict)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def to_number(value: Any) -> float | None:
    """The value as a number if it is one or a decimal string, else None (never for booleans)."""
    if _is_number(value):
        return float(value)
    if isinstance(value, str) and _NUMBER.fullmatch(value):
        return float(value)
    return None


def loose_equals(a: Any, b: Any) -> bool:
    """JSON Logic `==`, minus JavaScript's surprises (see the module docstring)."""
    if a is None or b is None:
        return a is None and b is None
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    if _is_number(a) or _is_number(b):
        x, y = to_number(a), to_number(b)
        return x is not None and y is not None and x == y
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(loose_equals(x, y) for x, y in zip(a, b, strict=True))
    return type(a) is type(b) and bool(a == b)


def strict_equals(a: Any, b: Any) -> bool:
    """JSON Logic `===`: same kind of value and equal; 1 and 1.0 are the same number."""
    if _is_number(a) and _is_number(b):
        return bool(a == b)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(strict_equals(x, y) for x, y in zip(a, b, strict=True))
    return type(a) is type(b) and bool(a == b)


def _less(a: Any, b: Any, or_equal: bool) -> bool:
    x, y = to_number(a), to_number(b)
    if x is not None and y is not None:
        return x <= y if or_equal else x < y
    if isinstance(a, str) and isinstance(b, str):
        return a <= b if or_equal else a < b
    return False


def get_var(data: Any, path: Any, default: Any = None) -> Any:
    """The value at a dotted path (or list index) in `data`; `default` when any step is absent."""
    if path is None or path == "":
        return data
    if _is_number(path):
        path = str(int(path))
    if not isinstance(path, str):
        raise RuleError(f"var needs a string path, not {path!r}")
    current = data
    for key in path.split("."):
        if isinstance(current, dict) and key in current:
            current = current[key]
        elif isinstance(current, list) and key.isdigit() and int(key) < len(current):
            current = current[int(key)]
        else:
            return default
    return current


def _missing(data: Any, keys: list[Any]) -> list[Any]:
    if keys and isinstance(keys[0], list):
        keys = keys[0]
    return [key for key in keys if get_var(data, key, _MISSING) in (_MISSING, None, "")]


def _missing_some(data: Any, need: Any, keys: Any) -> list[Any]:
    if not isinstance(keys, list) or to_number(need) is None:
        raise RuleError("missing_some needs [count, [paths]]")
    absent = _missing(data, [keys])
    return [] if len(keys) - len(absent) >= (to_number(need) or 0) else absent


def _in(needle: Any, haystack: Any) -> bool:
    if isinstance(haystack, list):
        return any(strict_equals(needle, item) for item in haystack)
    if isinstance(haystack, str) and isinstance(needle, str):
        return needle in haystack
    return False


def _compare(args: list[Any], or_equal: bool) -> bool:
    # Two arguments compare; three are the "between" form: a < b < c.
    if len(args) >= 3:
        return _less(args[0], args[1], or_equal) and _less(args[1], args[2], or_equal)
    return _less(_arg(args, 0), _arg(args, 1), or_equal)


def _arg(args: list[Any], index: int) -> Any:
    return args[index] if index < len(args) else None


def _cat(args: list[Any]) -> str:
    def text(value: Any) -> str:
        if value is None:
            return "null"
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, float) and value.is_integer():
            return str(int(value))
        return str(value)

    return "".join(text(value) for value in args)


def _merge(args: list[Any]) -> list[Any]:
    merged: list[Any] = []
    for value in args:
        merged.extend(value if isinstance(value, list) else [value])
    return merged


_Eager = Callable[[list[Any], Any], Any]

_EAGER: dict[str, _Eager] = {
    "var": lambda args, data: get_var(data, _arg(args, 0), _arg(args, 1)),
    "missing": lambda args, data: _missing(data, args),
    "missing_some": lambda args, data: _missing_some(data, _arg(args, 0), _arg(args, 1)),
    "==": lambda args, _: loose_equals(_arg(args, 0), _arg(args, 1)),
    "!=": lambda args, _: not loose_equals(_arg(args, 0), _arg(args, 1)),
    "===": lambda args, _: strict_equals(_arg(args, 0), _arg(args, 1)),
    "!==": lambda args, _: not strict_equals(_arg(args, 0), _arg(args, 1)),
    "<": lambda args, _: _compare(args, or_equal=False),
    "<=": lambda args, _: _compare(args, or_equal=True),
    ">": lambda args, _: _less(_arg(args, 1), _arg(args, 0), or_equal=False),
    ">=": lambda args, _: _less(_arg(args, 1), _arg(args, 0), or_equal=True),
    "!": lambda args, _: not truthy(_arg(args, 0)),
    "!!": lambda args, _: truthy(_arg(args, 0)),
    "in": lambda args, _: _in(_arg(args, 0), _arg(args, 1)),
    "cat": lambda args, _: _cat(args),
    "merge": lambda args, _: _merge(args),
}

OPERATORS: frozenset[str] = frozenset({*_EAGER, "and", "or", "if", "?:"})
"""Every operator this evaluator knows."""


def apply(rule: Any, data: Any = None) -> Any:
    """Evaluate a JSON Logic rule over `data`; raises RuleError for unknown operators or runaway nesting."""
    return _apply(rule, data, 0)


def _apply(rule: Any, data: Any, depth: int) -> Any:
    if depth > MAX_DEPTH:
        raise RuleError(f"the rule is nested more than {MAX_DEPTH} levels deep")
    if isinstance(rule, list):
        return [_apply(item, data, depth + 1) for item in rule]
    if not is_operation(rule):
        return rule
    op, raw = next(iter(rule.items()))
    args: list[Any] = raw if isinstance(raw, list) else [raw]
    # and/or/if are lazy: later operands may depend on earlier ones being true (jsonlogic.com).
    if op == "and" or op == "or":
        value: Any = None
        for operand in args:
            value = _apply(operand, data, depth + 1)
            if truthy(value) == (op == "or"):
                return value
        return value
    if op == "if" or op == "?:":
        index = 0
        while index + 1 < len(args):
            if truthy(_apply(args[index], data, depth + 1)):
                return _apply(args[index + 1], data, depth + 1)
            index += 2
        return _apply(args[index], data, depth + 1) if index < len(args) else None
    handler = _EAGER.get(op)
    if handler is None:
        raise RuleError(f"unknown operator {op!r}")
    return handler([_apply(arg, data, depth + 1) for arg in args], data)
