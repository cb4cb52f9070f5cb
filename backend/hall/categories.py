"""A hall's service categories: the departments whose matters it handles in person.

One category per department keeps tickets, appointments and counters aligned with who does the work:
a ticket for a 户籍 matter waits for a police counter, whatever the matter. Categories are derived from
the catalog (it ships unchanged), so the same catalog always gives the same ticket letters: departments
in code order get A, B, C ... Z, then AA, AB ...; the hall's windows are shared between them by how many
of the hall's matters each handles, at least one each.
"""

from __future__ import annotations

import weakref
from string import ascii_uppercase

import msgspec

from backend.catalog import models as m
from backend.catalog.snapshot import CatalogSnapshot


class Category(msgspec.Struct, frozen=True):
    """One queue and one appointment calendar of a hall."""

    hall_code: str
    code: str
    """The department's code (GZ-GA ...): stable, and what officers are bound to."""
    prefix: str
    """The ticket letter(s): A001 is the first ticket of the day in category A."""
    name: m.LocaleMap
    """The department's short name, in the three locales."""
    counters: int
    """The windows planned for it (its share of the hall's windows)."""


# Keyed by the snapshot's identity (a dataclass with eq is unhashable), dropped when the snapshot goes.
_CACHE: dict[int, tuple[weakref.ref[CatalogSnapshot], dict[str, list[Category]]]] = {}


def _prefix(index: int) -> str:
    """A, B ... Z, AA, AB ..."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = ascii_uppercase[rest] + letters
    return letters


def _build(snapshot: CatalogSnapshot, hall: m.Hall) -> list[Category]:
    served: dict[str, int] = {}
    for matter in snapshot.matters:
        if snapshot.hall_serves(hall, matter):
            served[matter.department_code] = served.get(matter.department_code, 0) + 1
    total = sum(served.values())
    categories = []
    for index, code in enumerate(sorted(served)):
        department = snapshot.departments.get(code)
        name = department.short_name if department is not None else {"zh-Hans": code, "zh-Hant": code, "en": code}
        counters = max(1, hall.windows * served[code] // total) if total else 1
        categories.append(Category(hall.code, code, _prefix(index), name, counters))
    return categories


def categories_of(snapshot: CatalogSnapshot, hall_code: str) -> list[Category]:
    """The hall's categories in letter order; empty for an unknown hall."""
    key = id(snapshot)
    cached = _CACHE.get(key)
    if cached is not None and cached[0]() is snapshot:
        per_hall = cached[1]
    else:
        per_hall = {hall.code: _build(snapshot, hall) for hall in snapshot.halls}
        _CACHE[key] = (weakref.ref(snapshot, lambda _gone: _CACHE.pop(key, None)), per_hall)
    return per_hall.get(hall_code, [])


def category_of(snapshot: CatalogSnapshot, hall_code: str, matter_code: str) -> Category | None:
    """The category that handles `matter_code` at the hall, or None when the hall does not handle it."""
    matter = snapshot.by_code.get(matter_code)
    hall = next((h for h in snapshot.halls if h.code == hall_code), None)
    if matter is None or hall is None or not snapshot.hall_serves(hall, matter):
        return None
    return next((c for c in categories_of(snapshot, hall_code) if c.code == matter.department_code), None)


def halls_serving(snapshot: CatalogSnapshot, matter_code: str) -> list[m.Hall]:
    """Every hall that handles the matter in person, in code order."""
    matter = snapshot.by_code.get(matter_code)
    if matter is None:
        return []
    return sorted((h for h in snapshot.halls if snapshot.hall_serves(h, matter)), key=lambda h: h.code)
