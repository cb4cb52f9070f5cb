"""Positions and waiting estimates (Berlin ZMS: average handling x position / open counters), and the SMS
that tells a citizen their turn is near."""

from __future__ import annotations

import math
from datetime import date, datetime

import msgspec
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from backend.db import tables as t
from backend.hall.appointments.models import Policy
from backend.hall.queue import ordering
from backend.hall.queue.counters import open_counters, serving
from backend.hall.queue.hours import beijing_day
from backend.hall.queue.models import Counter, Ticket, TicketStatus
from backend.hall.queue.texts import NEAR_SMS
from backend.i18n import Catalogs, Locale
from backend.identity.sms import SmsSender

T = t.tickets
NEAR_POSITION = 3
"""The SMS goes when a ticket reaches this position (3: two people before it)."""


class Place(msgspec.Struct, frozen=True):
    """Where a waiting ticket stands: `position` 1 is next; the wait is None with no counter open."""

    position: int
    ahead: int
    wait_minutes: int | None
    counters_open: int


async def handling_minutes(session: AsyncSession, hall_code: str, category_code: str, day: date) -> float:
    """The average minutes at the window of today's finished tickets, else the hall policy's figure."""
    rows = await session.execute(
        select(T.c.called_at, T.c.serving_at, T.c.ended_at).where(
            T.c.hall_code == hall_code,
            T.c.category_code == category_code,
            T.c.day == day,
            T.c.status == TicketStatus.FINISHED.value,
        )
    )
    spans = [(r.ended_at - (r.serving_at or r.called_at)).total_seconds() / 60 for r in rows if r.ended_at]
    if spans:
        return max(float(sum(spans)) / len(spans), 1.0)
    policy = (
        await session.execute(
            select(t.hall_policies.c.handling_minutes).where(t.hall_policies.c.hall_code == hall_code)
        )
    ).scalar_one_or_none()
    return float(policy if policy is not None else Policy(hall_code=hall_code).handling_minutes)


def wait_minutes(position: int, handling: float, counters: int) -> int | None:
    """ZMS's estimate: position x average handling / open counters (None with none open)."""
    if counters <= 0:
        return None
    return math.ceil(position * handling / counters)


async def waiting(session: AsyncSession, hall_code: str, category_code: str, now: datetime) -> list[Ticket]:
    """The category's waiting tickets in queue order."""
    rows = await session.execute(
        select(T).where(
            T.c.hall_code == hall_code,
            T.c.category_code == category_code,
            T.c.status == "issued",
            T.c.day == beijing_day(now),
        )
    )
    return sorted((Ticket.of(r) for r in rows), key=lambda x: ordering.key(x, now))


async def place_of(session: AsyncSession, ticket: Ticket, now: datetime) -> Place | None:
    """The waiting ticket's place and estimated wait; None once it is no longer waiting."""
    if ticket.status is not TicketStatus.ISSUED:
        return None
    queue = await waiting(session, ticket.hall_code, ticket.category_code, now)
    ahead = next((i for i, x in enumerate(queue) if x.id == ticket.id), len(queue))
    counters = serving(await open_counters(session, ticket.hall_code), ticket.category_code)
    handling = await handling_minutes(session, ticket.hall_code, ticket.category_code, ticket.day)
    return Place(ahead + 1, ahead, wait_minutes(ahead + 1, handling, counters), counters)


async def notify_near(
    session: AsyncSession,
    sms: SmsSender,
    messages: Catalogs,
    hall_code: str,
    category_code: str,
    now: datetime,
    at: int = NEAR_POSITION,
) -> int:
    """Text the citizens whose tickets are within the first `at` of the queue, once each; how many were sent."""
    rows = await session.execute(
        select(T, t.citizens.c.phone)
        .outerjoin(t.citizens, t.citizens.c.id == T.c.citizen_id)
        .where(ordering.waiting_for(hall_code, (category_code,), None, now))
        .order_by(*ordering.order_by(now))
        .limit(at)
    )
    sent = 0
    for ahead, row in enumerate(rows.all()):
        if row.notified_at is not None or row.phone is None:
            continue  # told already, or a walk-in without an account (the hall's screen calls them)
        locale = locale_of(row.locale)
        await sms.send(session, row.phone, messages.gettext(locale, NEAR_SMS, label=row.label, ahead=ahead))
        await session.execute(update(T).where(T.c.id == row.id).values(notified_at=now))
        sent += 1
    return sent


def locale_of(value: str) -> Locale:
    """The ticket's stored locale (the citizen's language when they took it)."""
    try:
        return Locale(value)
    except ValueError:
        return Locale.ZH_HANS


async def waiting_at(session: AsyncSession, counter: Counter, now: datetime, limit: int) -> list[Ticket]:
    """The first `limit` tickets the counter would call, in order."""
    rows = await session.execute(
        select(T)
        .where(ordering.waiting_for(counter.hall_code, counter.categories, counter.id, now))
        .order_by(*ordering.order_by(now))
        .limit(limit)
    )
    return [Ticket.of(r) for r in rows]
