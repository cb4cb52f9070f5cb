"""What the queue's tests share: a movable clock, staff of a hall, the GraphQL documents."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from backend import clock
from backend.db import tables as t
from backend.db.engine import unit_of_work
from backend.hall.queue.tickets import ELDERLY_AGE, age_on
from backend.identity import staff
from backend.identity.models import Role, RoleGrant
from standins.seed import DEMO_PASSWORD

Sessions = async_sessionmaker[AsyncSession]
TUESDAY_10AM = datetime(2026, 12, 8, 2, 0, tzinfo=UTC)  # 10:00 in Beijing on a working Tuesday

TICKET = """id label state stateLabel priority priorityLabel position ahead estimatedWaitMinutes countersOpen
  window calls hallName categoryName matterName"""
CALLED = "id label state calls matterName priorityLabel holderName"
TAKE = f"""mutation($h: String!, $m: String!) {{ takeTicket(hallCode: $h, matterCode: $m) {{
  ticket {{ {TICKET} }} errors {{ code message }} }} }}"""
ISSUE = f"""mutation($h: String!, $m: String!, $p: TicketPriority, $i: String) {{
  issueTicket(hallCode: $h, matterCode: $m, priority: $p, idNumber: $i) {{ ticket {{ {TICKET} }}
  errors {{ code message }} }} }}"""
OPEN = """mutation($h: String!, $w: String!, $c: [String!]!) { openCounter(hallCode: $h, window: $w, categories: $c) {
  counter { id window categories } errors { code message } } }"""
CALL = f"""mutation($c: ID!) {{ callNext(counterId: $c) {{ ticket {{ {CALLED} }} errors {{ code message }} }} }}"""
RECALL = f"""mutation($t: ID!) {{ recallTicket(ticketId: $t) {{ ticket {{ {CALLED} }} errors {{ code }} }} }}"""
MISSED = f"""mutation($t: ID!) {{ markTicketMissed(ticketId: $t) {{ ticket {{ {CALLED} }} errors {{ code }} }} }}"""
SERVE = f"""mutation($t: ID!) {{ startServing(ticketId: $t) {{ ticket {{ {CALLED} }} errors {{ code }} }} }}"""
FINISH = f"""mutation($t: ID!) {{ finishTicket(ticketId: $t) {{ ticket {{ {CALLED} }} errors {{ code }} }} }}"""
TRANSFER = f"""mutation($t: ID!, $to: ID, $cat: String) {{ transferTicket(ticketId: $t, toCounterId: $to,
  toCategory: $cat) {{ ticket {{ {CALLED} }} errors {{ code }} }} }}"""
QUEUE = """query($c: ID!) { counterQueue(counterId: $c) { label matterName priority priorityLabel waitedMinutes
  appointmentDue } }"""
MINE = f"{{ myTickets {{ {TICKET} }} }}"


class Clock:
    """The queue's clock, moved by the test."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, start: datetime = TUESDAY_10AM) -> None:
        self.now = start
        monkeypatch.setattr(clock, "now", lambda: self.now)

    def tick(self, minutes: float = 1) -> datetime:
        self.now += timedelta(minutes=minutes)
        return self.now


async def staff_of(db: Sessions, username: str, grants: list[RoleGrant]) -> None:
    """A staff account with these grants (its password the demo one)."""
    async with db() as session, unit_of_work(session):
        await staff.create_staff(session, username=username, name=username, password=DEMO_PASSWORD, roles=grants)


async def hall_manager(db: Sessions, hall_code: str) -> str:
    """The username of a new manager of the hall."""
    username = f"manager.{hall_code.lower()}"
    await staff_of(db, username, [RoleGrant(Role.HALL_MANAGER, hall_code)])
    return username


async def texts_to(db: Sessions, phone: str) -> list[str]:
    """The SMS stand-in's messages to a phone, oldest first."""
    async with db() as session:
        rows = await session.execute(
            select(t.sms_outbox.c.body).where(t.sms_outbox.c.phone == phone).order_by(t.sms_outbox.c.id)
        )
        return list(rows.scalars())


def ok(payload: dict[str, Any]) -> dict[str, Any]:
    """A mutation payload without errors: its one object."""
    assert payload["errors"] == [], payload
    found: dict[str, Any] = next(v for k, v in payload.items() if k != "errors")
    return found


async def young_citizen(api: Any, db: Sessions) -> Any:
    """A signed-in, verified citizen under 70 (an elderly one would be served first)."""
    from tests.support import factories

    for skip in range(20):
        person = await factories.resident(db, skip=skip)
        if (age_on(person.id_number, TUESDAY_10AM.date()) or 0) < ELDERLY_AGE:
            return await factories.citizen(api, db, skip=skip)
    raise AssertionError("no resident under 70 among the first 20")
