"""Appointments benchmark: 500 citizens booking the last 20 places of one slot at once, on a real PostgreSQL.

    uv run python bench/hall_booking_bench.py [--citizens 500] [--places 20] [--pool 10]

Starts PostgreSQL 15 (Debian packages, as the tests do; fsync on), migrates, imports the demo catalog,
makes N citizens, leaves `places` places in one slot of the city centre's police counters, then every
citizen books and confirms that slot at once through the domain function (booking.book + confirm, one
transaction each) on a pool of `pool` connections (PostgreSQL allows 200; an instance's pool is far
smaller). Checks exactly `places` were confirmed, every other citizen was refused with SLOT_FULL, and
the slot's `taken` equals its capacity. Prints the booking latency: the transaction alone (from its
connection to its commit) and end to end (with the wait for a pooled connection).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import sys
import time
from collections import Counter
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from backend.applications.workdays import WorkCalendar
from backend.db.engine import create_engine, session_factory, unit_of_work
from backend.errors import DomainError
from backend.hall.appointments import booking
from tests.conftest import import_demo, migrated
from tests.support.hall_booking import HALL, MATTER, beijing
from tests.support.hall_race import confirmed_in, make_citizens, nearly_full_slot, slot_counts
from tests.support.servers import PostgresServer

SECRET = "bench-secret-0123456789-0123456789-0123"


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


async def race(url: str, citizens: int, places: int, pool: int) -> None:
    engine = create_engine(url, pool_size=pool, max_overflow=0, pool_timeout=120)
    sessions = session_factory(engine)
    calendar = WorkCalendar.default()
    day = calendar.next_working_day(date.today() + timedelta(days=2))
    now = beijing(date.today(), 0).astimezone()
    ids = await make_citizens(sessions, citizens, now)
    snapshot, slot = await nearly_full_slot(sessions, HALL, MATTER, day, 2, left=places)
    async with engine.connect() as warm:  # the pool's connections opened before the crowd arrives
        await warm.execute(text("SELECT 1"))
    connections = [await engine.connect() for _ in range(pool)]
    for connection in connections:
        await connection.close()

    async def one(citizen: str) -> tuple[str, float, float]:
        started = time.perf_counter()
        async with sessions() as session:
            await session.connection()
            begun = time.perf_counter()
            try:
                async with unit_of_work(session):
                    await _book(session, citizen)
                outcome = "confirmed"
            except DomainError as refused:
                outcome = str(refused.code)
        ended = time.perf_counter()
        return outcome, ended - begun, ended - started

    async def _book(session: AsyncSession, citizen: str) -> None:
        held = await booking.book(
            session, snapshot, calendar, citizen, None, MATTER, slot_id=slot.id, locale="zh-Hans", now=now
        )
        await booking.confirm(session, citizen, held.id, now)

    started = time.perf_counter()
    results = await asyncio.gather(*(one(c) for c in ids))
    wall = time.perf_counter() - started
    outcomes = Counter(o for o, _, _ in results)
    taken, capacity, holding = await slot_counts(sessions, slot.id)
    confirmed = await confirmed_in(sessions, slot.id)
    await engine.dispose()
    print(
        f"{citizens} citizens for the last {places} places of slot {slot.id} "
        f"({HALL} {MATTER} {day}, capacity {capacity})"
    )
    print(f"outcomes: {dict(outcomes)}; slot taken {taken}/{capacity}, confirmed appointments {confirmed}")
    assert outcomes == Counter({"confirmed": places, "SLOT_FULL": citizens - places}), outcomes
    assert taken == capacity, (taken, capacity)
    assert confirmed == places == holding, (confirmed, holding)
    for name, values in (("transaction", [r[1] for r in results]), ("end to end", [r[2] for r in results])):
        ms = [v * 1000 for v in values]
        print(
            f"booking latency, {name}: p50 {percentile(ms, 0.5):.1f} ms, p95 {percentile(ms, 0.95):.1f} ms, "
            f"max {max(ms):.1f} ms"
        )
    print(f"all {citizens} answered in {wall * 1000:.0f} ms ({citizens / wall:.0f} bookings/s)")


async def main(citizens: int, places: int, pool: int) -> None:
    print(f"machine: {platform.machine()}, {len(os.sched_getaffinity(0))} cores, Python {platform.python_version()}")
    pg = PostgresServer.start(durable=True)
    try:
        admin = create_engine(pg.admin_url, isolation_level="AUTOCOMMIT")
        async with admin.connect() as connection:
            await connection.execute(text('CREATE DATABASE "bench"'))
        await admin.dispose()
        url = pg.url("bench")
        await migrated(url)
        await import_demo(url, SECRET)
        await race(url, citizens, places, pool)
    finally:
        pg.stop()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--citizens", type=int, default=500)
    parser.add_argument("--places", type=int, default=20)
    parser.add_argument("--pool", type=int, default=10)
    arguments = parser.parse_args()
    asyncio.run(main(arguments.citizens, arguments.places, arguments.pool))
