"""The hall manager's view: today's queues, and how many counters the next hour needs (Erlang C)."""

from __future__ import annotations

import math
from datetime import datetime

import msgspec
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from backend.catalog.snapshot import CatalogSnapshot
from backend.db import tables as t
from backend.hall.appointments import stats
from backend.hall.categories import Category, categories_of
from backend.hall.queue import erlang, estimates
from backend.hall.queue.counters import open_counters, serving
from backend.hall.queue.hours import BEIJING, beijing_day, span
from backend.hall.queue.models import Channel, Ticket, TicketStatus
from backend.hall.queue.tickets import hall_of

T = t.tickets


class CategoryToday(msgspec.Struct, frozen=True):
    """One queue's day so far."""

    category: Category
    waiting: int
    called: int
    served: int
    missed: int
    average_wait_minutes: float | None
    """From arrival (or an appointment's slot time) to the first call, over the tickets called today."""
    longest_wait_minutes: float | None
    """The longest of those, and of the tickets still waiting."""
    counters_open: int


class HallToday(msgspec.Struct, frozen=True):
    """A hall's day so far, queue by queue."""

    hall_code: str
    categories: list[CategoryToday]
    no_shows: int
    """Appointments of today whose citizen did not come (the appointments' count)."""


class StaffingLine(msgspec.Struct, frozen=True):
    """The next hour of one queue, and the figures the hint was computed from."""

    category: Category
    walk_ins_per_hour: float
    booked_per_hour: float
    handling_minutes: float
    served_per_counter_hour: float
    load_erlangs: float
    counters_needed: int
    counters_open: int
    expected_wait_minutes: float | None
    """Erlang C's mean wait with `counters_needed` counters (None with nobody arriving)."""


def _waited(ticket: Ticket, now: datetime) -> float | None:
    start = max(ticket.issued_at, ticket.due_at) if ticket.due_at is not None else ticket.issued_at
    end = ticket.called_at if ticket.called_at is not None else (now if ticket.status is TicketStatus.ISSUED else None)
    return max((end - start).total_seconds() / 60, 0.0) if end is not None else None


async def _today(session: AsyncSession, hall_code: str, now: datetime) -> list[Ticket]:
    rows = await session.execute(select(T).where(T.c.hall_code == hall_code, T.c.day == beijing_day(now)))
    return [Ticket.of(r) for r in rows]


async def hall_today(session: AsyncSession, snapshot: CatalogSnapshot, hall_code: str, now: datetime) -> HallToday:
    """Per category: waiting, called, served, missed, average and longest wait, open counters; no-shows."""
    hall_of(snapshot, hall_code)
    tickets = await _today(session, hall_code, now)
    counters = await open_counters(session, hall_code)
    lines = []
    for category in categories_of(snapshot, hall_code):
        mine = [x for x in tickets if x.category_code == category.code]
        called = [w for x in mine if x.called_at is not None and (w := _waited(x, now)) is not None]
        waits = [w for x in mine if (w := _waited(x, now)) is not None]
        count = {s: sum(1 for x in mine if x.status is s) for s in TicketStatus}
        lines.append(
            CategoryToday(
                category=category,
                waiting=count[TicketStatus.ISSUED],
                called=count[TicketStatus.CALLED] + count[TicketStatus.SERVING],
                served=count[TicketStatus.FINISHED],
                missed=count[TicketStatus.MISSED],
                average_wait_minutes=round(sum(called) / len(called), 1) if called else None,
                longest_wait_minutes=round(max(waits), 1) if waits else None,
                counters_open=serving(counters, category.code),
            )
        )
    no_shows = await stats.no_shows(session, hall_code, beijing_day(now))
    return HallToday(hall_code, lines, no_shows)


async def staffing_hint(
    session: AsyncSession, snapshot: CatalogSnapshot, hall_code: str, target_minutes: float, now: datetime
) -> list[StaffingLine]:
    """Per category, the fewest counters whose Erlang C mean wait meets the target over the next hour.

    Arrivals per hour = today's walk-in tickets per hour the hall has been open (at least one hour) + the
    day's booked appointments spread over its opening hours; mu = 60 / handling minutes."""
    hall = hall_of(snapshot, hall_code)
    day = beijing_day(now)
    opening = span(hall, day)
    local = now.astimezone(BEIJING)
    if opening is not None:
        opened = datetime.combine(day, opening[0], BEIJING)
        open_hours = max((datetime.combine(day, opening[1], BEIJING) - opened).total_seconds() / 3600, 1.0)
        hours_so_far = max((local - opened).total_seconds() / 3600, 1.0)
    else:
        open_hours, hours_so_far = 8.0, 1.0
    tickets = await _today(session, hall_code, now)
    booked = await stats.booked(session, hall_code, day)
    counters = await open_counters(session, hall_code)
    lines = []
    for category in categories_of(snapshot, hall_code):
        walk_ins = sum(1 for x in tickets if x.category_code == category.code and x.channel is not Channel.APPOINTMENT)
        walk_rate = walk_ins / hours_so_far
        booked_rate = booked.get(category.code, 0) / open_hours
        arrivals = walk_rate + booked_rate
        handling = await estimates.handling_minutes(session, hall_code, category.code, day)
        mu = 60.0 / handling
        needed = erlang.counters_needed(arrivals, mu, target_minutes)
        expected = erlang.mean_wait(needed, arrivals, mu) if needed else None
        lines.append(
            StaffingLine(
                category=category,
                walk_ins_per_hour=round(walk_rate, 2),
                booked_per_hour=round(booked_rate, 2),
                handling_minutes=round(handling, 1),
                served_per_counter_hour=round(mu, 2),
                load_erlangs=round(arrivals / mu, 3),
                counters_needed=needed,
                counters_open=serving(counters, category.code),
                expected_wait_minutes=round(expected, 1) if expected is not None and math.isfinite(expected) else None,
            )
        )
    return lines
