"""Calling the next ticket with 1,000 waiting: the officer's hot path (issue 19 asks p95 < 20 ms).

    uv run python bench/hall_call_next_bench.py [--rounds 300] [--backend sqlite|postgresql|both]

Through the domain functions the callNext mutation runs, in one committed transaction each: the
counter's row lock, the one conditional UPDATE that takes the first ticket in queue order (appointments
due, then priority, then arrival), and the near-turn SMS check of its queue. The window serves two
queues (a queue gives 999 numbers a day), refilled to 1,000 waiting between calls (not timed), a tenth
of them elderly. SQLite in a temporary folder; PostgreSQL 15 started for the run (Debian packages, as
the tests do). Prints its figures; nothing is asserted.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy.ext.asyncio import AsyncSession

from backend.catalog.files import DEMO_CATALOG_DIR
from backend.catalog.importer import import_catalog
from backend.catalog.snapshot import CatalogSnapshot, load_snapshot
from backend.catalog.validate import read_catalog
from backend.db.engine import create_engine, session_factory, unit_of_work
from backend.db.migrate import upgrade
from backend.hall.queue import calls, counters, estimates, tickets
from backend.hall.queue.models import Priority
from backend.i18n import catalogs
from tests.support.servers import PostgresServer

HALL = "HALL-GZ"
# Two queues at one window (police and civil affairs): a queue gives at most 999 numbers a day.
MATTERS = {"GZ-GA": "GZ-GA-0019", "GZ-MZJ": "GZ-MZJ-0004"}
START = datetime(2026, 12, 8, 1, 0, tzinfo=UTC)  # 09:00 in Beijing
WAITING = 1000
LOCALES = Path(__file__).resolve().parent.parent / "locales"


class NoSms:
    """Walk-ins without accounts get no SMS; the check still runs."""

    async def send(self, session: AsyncSession, phone: str, body: str) -> None:
        del session, phone, body


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


async def _issue(session: AsyncSession, snapshot: CatalogSnapshot, index: int) -> None:
    await tickets.issue_ticket(
        session,
        snapshot,
        hall_code=HALL,
        matter_code=list(MATTERS.values())[index % 2],
        priority=Priority.ELDERLY if index % 10 == 1 else Priority.NONE,
        id_number=None,
        locale="zh-Hans",
        now=START + timedelta(seconds=index),
    )


async def run(label: str, url: str, rounds: int) -> None:
    engine = create_engine(url)
    await upgrade(engine)
    catalog, problems = read_catalog(DEMO_CATALOG_DIR)
    assert catalog is not None
    assert not problems
    sessions = session_factory(engine)
    async with sessions() as session, unit_of_work(session):
        await import_catalog(session, catalog, source="demo")
    async with sessions() as session, unit_of_work(session):
        snapshot = await load_snapshot(session)
        for index in range(WAITING):
            await _issue(session, snapshot, index)
        counter = await counters.open_counter(
            session,
            snapshot,
            hall_code=HALL,
            window="01",
            categories=list(MATTERS),
            officer_id="bench-officer",
            departments=None,
            now=START,
        )
    messages = catalogs(str(LOCALES))
    timings: list[float] = []
    now = START + timedelta(hours=1)
    for index in range(rounds + 20):
        started = time.perf_counter()
        async with sessions() as session, unit_of_work(session):
            ticket = await calls.call_next(session, counter.id, "bench-officer", now)
            await estimates.notify_near(session, NoSms(), messages, HALL, ticket.category_code, now)
        elapsed = (time.perf_counter() - started) * 1000
        if index >= 20:  # warm-up calls are not counted
            timings.append(elapsed)
        async with sessions() as session, unit_of_work(session):
            await _issue(session, snapshot, WAITING + index)  # back to 1,000 waiting
    await engine.dispose()
    p50, p95 = percentile(timings, 0.5), percentile(timings, 0.95)
    print(
        f"{label:<40} callNext with {WAITING} waiting: n={len(timings)} p50 {p50:6.2f} ms  p95 {p95:6.2f} ms  "
        f"max {max(timings):6.2f} ms  mean {statistics.fmean(timings):6.2f} ms"
    )


async def main(rounds: int, backend: str) -> None:
    print(f"machine: {platform.machine()}, Python {platform.python_version()}, {len(os.sched_getaffinity(0))} cores")
    if backend in ("sqlite", "both"):
        folder = Path(tempfile.mkdtemp(prefix="onewindow-queue-bench-"))
        await run("SQLite (file, WAL)", f"sqlite+aiosqlite:///{folder / 'bench.sqlite3'}", rounds)
    if backend in ("postgresql", "both"):
        server = PostgresServer.start()
        try:
            from sqlalchemy import text

            admin = create_engine(server.admin_url, isolation_level="AUTOCOMMIT")
            async with admin.connect() as connection:
                await connection.execute(text('CREATE DATABASE "bench"'))
            await admin.dispose()
            await run(f"PostgreSQL {server.version}", server.url("bench"), rounds)
        finally:
            server.stop()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=300)
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    args = parser.parse_args()
    asyncio.run(main(args.rounds, args.backend))
