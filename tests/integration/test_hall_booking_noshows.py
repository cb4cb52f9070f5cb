"""No-show rules (issue 19): a clean record's first missed appointment is a warning (inbox and SMS, it does
not count); after it, three missed within 90 days suspend booking for 30 days; residents aged 70 or more
are exempt. Driven through the domain and the sweep job's function, on a clock the test moves."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, update

from backend.applications.workdays import WorkCalendar
from backend.catalog.snapshot import CatalogSnapshot, load_snapshot
from backend.db import tables as t
from backend.db.engine import unit_of_work
from backend.errors import DomainError
from backend.hall.appointments import booking, stats
from backend.hall.appointments.outcomes import record_outcome
from backend.hall.appointments.sweep import sweep
from backend.i18n import Catalogs
from backend.identity.numbers import check_character
from standins.sms import OutboxSms
from tests.support.hall_booking import HALL, MATTER, beijing
from tests.support.hall_race import Sessions, make_citizens

MESSAGES = Catalogs.load(Path(__file__).resolve().parents[2] / "locales")
FIRST_MONDAY = date(2026, 12, 7)


def _id_number(born: str) -> str:
    first17 = f"440106{born}123"
    return first17 + check_character(first17)


async def _citizen(db: Sessions, born: str) -> tuple[str, str]:
    """A citizen born on `born` (YYYYMMDD): (id, phone)."""
    (citizen,) = await make_citizens(db, 1, beijing(FIRST_MONDAY, 9))
    async with db() as session, unit_of_work(session):
        await session.execute(update(t.citizens).where(t.citizens.c.id == citizen).values(id_number=_id_number(born)))
        phone = (await session.execute(select(t.citizens.c.phone).where(t.citizens.c.id == citizen))).scalar_one()
    return citizen, phone


async def _book(db: Sessions, snapshot: CatalogSnapshot, citizen: str, now: datetime, slot_start: datetime) -> str:
    async with db() as session, unit_of_work(session):
        held = await booking.book(
            session, snapshot, WorkCalendar.default(), citizen, HALL, MATTER, starts_at=slot_start, locale="en", now=now
        )
        return (await booking.confirm(session, citizen, held.id, now)).id


async def _sweep(db: Sessions, now: datetime) -> dict[str, int]:
    async with db() as session, unit_of_work(session):
        return await sweep(session, OutboxSms(), MESSAGES, now)


async def _miss_on(db: Sessions, snapshot: CatalogSnapshot, citizen: str, week: int) -> str:
    """Book that week's Wednesday 10:00 on its Monday, and miss it (swept at 11:15, the grace's end)."""
    monday = FIRST_MONDAY + timedelta(weeks=week)
    wednesday = monday + timedelta(days=2)
    appointment = await _book(db, snapshot, citizen, beijing(monday, 10), beijing(wednesday, 10))
    assert (await _sweep(db, beijing(wednesday, 11, 14)))["no_shows"] == 0
    assert (await _sweep(db, beijing(wednesday, 11, 15)))["no_shows"] == 1
    return appointment


async def _notices(db: Sessions, citizen: str) -> list[tuple[str, dict[str, object]]]:
    n = t.notifications
    async with db() as session:
        rows = await session.execute(
            select(n.c.kind, n.c.params).where(n.c.citizen_id == citizen).order_by(n.c.created_at)
        )
        return [(r.kind, dict(r.params)) for r in rows]


async def _texts(db: Sessions, phone: str) -> list[str]:
    async with db() as session:
        rows = await session.execute(
            select(t.sms_outbox.c.body).where(t.sms_outbox.c.phone == phone).order_by(t.sms_outbox.c.id)
        )
        return list(rows.scalars())


async def test_a_warning_then_three_strikes_suspend_booking_for_thirty_days(db: Sessions) -> None:
    async with db() as session:
        snapshot = await load_snapshot(session)
    citizen, phone = await _citizen(db, "19900101")
    for week in range(4):
        await _miss_on(db, snapshot, citizen, week)
    kinds = [(kind, params.get("count"), params.get("until")) for kind, params in await _notices(db, citizen)]
    assert kinds == [
        ("hall_no_show_warning", None, None),
        ("hall_no_show_strike", 1, None),
        ("hall_no_show_strike", 2, None),
        ("hall_booking_suspended", 3, "2027-01-29"),  # 30 days after Wednesday 30 December
    ]
    texts = await _texts(db, phone)
    assert len(texts) == 4 and texts[0].startswith("[onewindow] You missed appointment YY-GZGA-1209-")
    assert "Only a warning this time: 3 missed within 90 days suspend booking for 30 days" in texts[0]
    assert texts[3].endswith("booking is suspended until 2027-01-29.")
    # Suspended: refused with the day it ends; on that day's morning after it ended, booking works again
    monday = date(2027, 1, 4)
    with pytest.raises(DomainError) as refused:
        await _book(db, snapshot, citizen, beijing(monday, 10), beijing(monday + timedelta(days=2), 10))
    assert (str(refused.value.code), refused.value.params) == ("BOOKING_SUSPENDED", {"until": "2027-01-29"})
    after = beijing(date(2027, 1, 30), 12)  # suspended 11:15 Beijing 2026-12-30 + 30 days
    await _book(db, snapshot, citizen, after, beijing(date(2027, 2, 1), 10))
    # The figures a hall manager reads
    async with db() as session:
        assert await stats.no_shows(session, HALL, date(2026, 12, 30)) == 1
        assert await stats.booked(session, HALL, date(2027, 2, 1)) == {"GZ-GA": 1}


async def test_a_resident_of_seventy_or_more_is_exempt_and_served_visits_never_count(db: Sessions) -> None:
    async with db() as session:
        snapshot = await load_snapshot(session)
    elder, phone = await _citizen(db, "19561209")  # 70 on Wednesday 9 December 2026
    for week in range(4):
        await _miss_on(db, snapshot, elder, week)
    assert await _notices(db, elder) == [] and await _texts(db, phone) == []
    younger, _ = await _citizen(db, "19561210")  # 69 on that Wednesday: warned
    await _miss_on(db, snapshot, younger, 0)
    assert [kind for kind, _ in await _notices(db, younger)] == ["hall_no_show_warning"]
    # The queue's seam: a served visit is served; a missed ticket weighs as a no-show (a first one: a warning)
    younger, _ = await _citizen(db, "19900101")
    served = await _book(db, snapshot, younger, beijing(date(2026, 12, 14), 10), beijing(date(2026, 12, 16), 10))
    async with db() as session, unit_of_work(session):
        await record_outcome(session, served, served=True, now=beijing(date(2026, 12, 16), 10, 20))
    missed = await _book(db, snapshot, younger, beijing(date(2026, 12, 21), 10), beijing(date(2026, 12, 23), 10))
    async with db() as session, unit_of_work(session):
        await record_outcome(session, missed, served=False, now=beijing(date(2026, 12, 23), 10, 40))
        await record_outcome(session, missed, served=True, now=beijing(date(2026, 12, 23), 10, 50))  # too late
    async with db() as session:
        a = t.appointments
        rows = await session.execute(select(a.c.id, a.c.status, a.c.strike).where(a.c.id.in_([served, missed])))
        assert {r.id: (r.status, r.strike) for r in rows} == {served: ("served", None), missed: ("no_show", "warning")}
    assert (await _sweep(db, beijing(date(2026, 12, 23), 11)))["texted"] == 1
