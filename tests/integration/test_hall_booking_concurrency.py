"""No double booking, ever (issue 19): many citizens on their own connections racing for a slot's last places,
and moves and cancellations racing each other, on SQLite and PostgreSQL. A place is taken only by a
conditional UPDATE in the transaction that writes the appointment, so exactly the places left are booked,
every other booker is refused with SLOT_FULL (never "database is locked"), and a slot's `taken` always
equals the appointments holding its places."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator
from datetime import date, timedelta

import pytest_asyncio

from backend.applications.workdays import WorkCalendar
from backend.db.engine import create_engine, session_factory, unit_of_work
from backend.hall.appointments import booking, slots
from backend.hall.appointments.sweep import expire_holds
from tests.support.hall_booking import HALL, MATTER, beijing
from tests.support.hall_race import (
    Sessions,
    attempt,
    confirmed_in,
    make_citizens,
    nearly_full_slot,
    race_to_book,
    slot_counts,
)

NOW = beijing(date(2026, 12, 7), 10)
DAY = date(2026, 12, 9)
BOOKERS = 60


@pytest_asyncio.fixture
async def sessions(catalog_database: str) -> AsyncIterator[Sessions]:
    """A pool as large as the crowd: every booker on a connection of its own at once."""
    engine = create_engine(catalog_database, pool_size=BOOKERS + 10, max_overflow=0)
    yield session_factory(engine)
    await engine.dispose()


async def test_sixty_bookers_for_the_last_five_places_get_exactly_five(sessions: Sessions) -> None:
    citizens = await make_citizens(sessions, BOOKERS, NOW)
    snapshot, slot = await nearly_full_slot(sessions, HALL, MATTER, DAY, 2, left=5)
    outcomes, _ = await race_to_book(sessions, snapshot, slot, citizens, MATTER, NOW)
    assert outcomes == Counter({"ok": 5, "SLOT_FULL": BOOKERS - 5})
    taken, capacity, holding = await slot_counts(sessions, slot.id)
    assert (taken, holding, await confirmed_in(sessions, slot.id)) == (capacity, 5, 5)


async def test_racing_moves_cancellations_and_bookings_keep_every_count_true(sessions: Sessions) -> None:
    calendar = WorkCalendar.default()
    movers = await make_citizens(sessions, 20, NOW)
    snapshot, target = await nearly_full_slot(sessions, HALL, MATTER, DAY, 4, left=5)
    source = (await nearly_full_slot(sessions, HALL, MATTER, DAY, 3, left=40))[1]
    held = {}
    for citizen in movers:  # each mover has a confirmed appointment in the source slot
        async with sessions() as session, unit_of_work(session):
            made = await booking.book(
                session, snapshot, calendar, citizen, HALL, MATTER, slot_id=source.id, locale="en", now=NOW
            )
            held[citizen] = (await booking.confirm(session, citizen, made.id, NOW)).id
    newcomers = await make_citizens(sessions, 10, NOW)
    later = NOW + timedelta(minutes=1)

    def move(citizen: str):  # type: ignore[no-untyped-def]
        return lambda s: booking.reschedule(s, snapshot, calendar, citizen, held[citizen], target.id, later)

    def cancel(citizen: str):  # type: ignore[no-untyped-def]
        return lambda s: booking.cancel(s, citizen, held[citizen], later)

    def book(citizen: str):  # type: ignore[no-untyped-def]
        return lambda s: booking.book(
            s, snapshot, calendar, citizen, HALL, MATTER, slot_id=target.id, locale="en", now=later
        )

    works = [move(c) for c in movers] + [cancel(c) for c in movers[:10]] + [book(c) for c in newcomers]
    outcomes = Counter(o for o, _ in await asyncio.gather(*(attempt(w, sessions) for w in works)))
    # 30 tried for the target's 5 places; the cancellations raced the first ten moves
    assert outcomes["ok"] >= 5 and set(outcomes) <= {"ok", "SLOT_FULL", "APPOINTMENT_NOT_CHANGEABLE"}
    for slot_id, artificial in ((target.id, target.taken), (source.id, source.taken)):
        taken, capacity, holding = await slot_counts(sessions, slot_id)
        assert taken <= capacity and taken == artificial + holding
    assert (await slot_counts(sessions, target.id))[0] == target.capacity
    # Once the anti-trading delay is over, the source slot's moved and cancelled places are back
    async with sessions() as session, unit_of_work(session):
        await expire_holds(session, later + timedelta(minutes=30))
        await slots.reopen_due(session, later + timedelta(minutes=30))
    taken, _, holding = await slot_counts(sessions, source.id)
    assert taken == source.taken + holding and holding == await confirmed_in(sessions, source.id)
