"""What applications saved citizens, per department and for the whole city."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Any

import msgspec
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from backend.applications.states import FINAL, Action
from backend.db import tables as t
from backend.db.engine import execute


class DepartmentStats(msgspec.Struct, frozen=True, kw_only=True):
    """What a department's (or the city's) applications saved citizens."""

    department_code: str | None
    applications: int
    decided: int
    instantly_approved: int
    overdue: int
    fields_total: int
    fields_prefilled: int
    materials_replaced: int
    trips_saved: int
    median_hours_to_decision: float | None


async def stats(session: AsyncSession, today: date) -> list[DepartmentStats]:
    """Per department and for the whole city (department_code None), over every matter application."""
    a = t.applications.c
    query = select(
        a.department_code,
        a.status,
        a.fields_total,
        a.fields_prefilled,
        a.materials_replaced,
        a.max_trips,
        a.trips_needed,
        a.submitted_at,
        a.decided_at,
        a.deadline,
        a.id,
    ).where(a.kind == "matter")
    rows = (await execute(session, query)).all()
    instant_query = select(t.application_events.c.application_id).where(
        t.application_events.c.action == Action.AUTO_APPROVE
    )
    instant = {r.application_id for r in await execute(session, instant_query)}
    groups: dict[str | None, list[Any]] = defaultdict(list)
    for row in rows:
        groups[row.department_code].append(row)
        groups[None].append(row)
    return [
        _summary(department, items, instant, today)
        for department, items in sorted(groups.items(), key=lambda kv: (kv[0] is not None, kv[0] or ""))
    ]


def _summary(department: str | None, items: list[Any], instant: set[str], today: date) -> DepartmentStats:
    hours = sorted((r.decided_at - r.submitted_at).total_seconds() / 3600 for r in items if r.decided_at)
    late = [r for r in items if r.status not in FINAL and r.deadline and r.deadline < today and r.decided_at is None]
    return DepartmentStats(
        department_code=department,
        applications=len(items),
        decided=len(hours),
        instantly_approved=sum(1 for r in items if r.id in instant),
        overdue=len(late),
        fields_total=sum(r.fields_total for r in items),
        fields_prefilled=sum(r.fields_prefilled for r in items),
        materials_replaced=sum(r.materials_replaced for r in items),
        trips_saved=sum(max(r.max_trips - r.trips_needed, 0) for r in items),
        median_hours_to_decision=round(hours[len(hours) // 2], 4) if hours else None,
    )
