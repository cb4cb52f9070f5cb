"""Which hall now: the halls handling a matter, nearest first, each with its queue's wait; the shortest
wait among the near ones is recommended.

Halls have no coordinates: the district (region code) is the distance proxy. Near means the caller's own
district's hall and the city hall; other districts come after, for the record.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

import msgspec
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from backend.catalog import models as m
from backend.catalog.snapshot import CatalogSnapshot
from backend.db import tables as t
from backend.hall.categories import Category, category_of, halls_serving
from backend.hall.queue import estimates
from backend.hall.queue.counters import open_counters, serving
from backend.hall.queue.hours import beijing_day, is_open


class Nearness(StrEnum):
    """How near a hall is, by district."""

    SAME_DISTRICT = "same_district"
    CITY_HALL = "city_hall"
    OTHER_DISTRICT = "other_district"


class HallNow(msgspec.Struct, frozen=True):
    """One hall's queue for the matter right now."""

    hall: m.Hall
    category: Category
    nearness: Nearness
    open_now: bool
    counters_open: int
    waiting: int
    wait_minutes: int | None
    """What a ticket taken now would wait; None when the hall is closed or no counter serves the queue."""


class Answer(msgspec.Struct, frozen=True):
    """Every hall handling the matter, nearest first, and the one recommended now."""

    halls: list[HallNow]
    recommended: HallNow | None


def nearness(snapshot: CatalogSnapshot, hall: m.Hall, region_code: str | None) -> Nearness:
    """Where the hall stands from the caller's district."""
    if region_code is not None and hall.region_code == region_code:
        return Nearness.SAME_DISTRICT
    if hall.region_code == snapshot.city_code:
        return Nearness.CITY_HALL
    return Nearness.OTHER_DISTRICT


async def _now_at(
    session: AsyncSession, snapshot: CatalogSnapshot, hall: m.Hall, category: Category, where: Nearness, now: datetime
) -> HallNow:
    tickets = t.tickets
    waiting = (
        await session.execute(
            select(func.count()).where(
                tickets.c.hall_code == hall.code,
                tickets.c.category_code == category.code,
                tickets.c.status == "issued",
                tickets.c.day == beijing_day(now),
            )
        )
    ).scalar_one()
    counters = serving(await open_counters(session, hall.code), category.code)
    open_now = is_open(hall, now)
    wait = None
    if open_now:
        handling = await estimates.handling_minutes(session, hall.code, category.code, beijing_day(now))
        wait = estimates.wait_minutes(int(waiting) + 1, handling, counters)
    return HallNow(hall, category, where, open_now, counters, int(waiting), wait)


async def which_hall_now(
    session: AsyncSession, snapshot: CatalogSnapshot, matter_code: str, region_code: str | None, now: datetime
) -> Answer:
    """The halls handling the matter, nearest first; the recommendation is the shortest wait among the near
    ones (all of them when the caller's district is unknown)."""
    found = []
    for hall in halls_serving(snapshot, matter_code):
        category = category_of(snapshot, hall.code, matter_code)
        if category is not None:
            found.append(await _now_at(session, snapshot, hall, category, nearness(snapshot, hall, region_code), now))
    order = list(Nearness)
    found.sort(key=lambda h: (order.index(h.nearness), h.hall.code))
    near = [h for h in found if region_code is None or h.nearness is not Nearness.OTHER_DISTRICT]
    candidates = [h for h in near if h.wait_minutes is not None]
    best = min(candidates, key=lambda h: (h.wait_minutes or 0, order.index(h.nearness))) if candidates else None
    return Answer(found, best)
