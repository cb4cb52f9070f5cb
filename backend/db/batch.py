"""Answering a DataLoader's batch: rows of one query, handed back per key in the order asked."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any, TypeVar

T = TypeVar("T")


def per_key(rows: Iterable[Any], keys: Sequence[str], column: str, make: Callable[[Any], T]) -> list[list[T]]:
    """For each key, the rows whose `column` holds it (made into `make(row)`), in row order; [] for none."""
    found: dict[str, list[T]] = {}
    for row in rows:
        found.setdefault(getattr(row, column), []).append(make(row))
    return [found.get(key, []) for key in keys]
