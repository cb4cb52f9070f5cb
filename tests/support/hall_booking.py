"""Helpers of the appointments tests: the server's clock, and the GraphQL documents they send."""

from __future__ import annotations

import dataclasses
from datetime import date, datetime, time
from typing import Any

from litestar.testing import AsyncTestClient
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from backend.applications.workdays import SHANGHAI
from tests.support import queue
from tests.support.identity import staff_token

HALL, MATTER, CATEGORY = "HALL-GZ", "GZ-GA-0019", "GZ-GA"  # 初次申领机动车驾驶证 at the city centre (police)

APPOINTMENT = """id reference status statusLabel hallName categoryName matterName slotId startsAt endsAt heldUntil
  rescheduledFrom cancelledAt"""
SLOTS = """query($h: String!, $m: String!, $d: Date!) { appointmentSlots(hallCode: $h, matterCode: $m, day: $d) {
  id startsAt endsAt capacity placesLeft bookable whyNot } }"""
BOOK = f"""mutation($i: BookAppointmentInput!) {{ bookAppointment(input: $i) {{ appointment {{ {APPOINTMENT} }}
  errors {{ code field message }} }} }}"""
CONFIRM = f"""mutation($id: ID!) {{ confirmAppointment(id: $id) {{ appointment {{ {APPOINTMENT} }}
  errors {{ code message }} }} }}"""
CANCEL = f"""mutation($id: ID!) {{ cancelAppointment(id: $id) {{ appointment {{ {APPOINTMENT} }}
  errors {{ code message }} }} }}"""
RESCHEDULE = f"""mutation($id: ID!, $s: ID!) {{ rescheduleAppointment(id: $id, slotId: $s) {{
  appointment {{ {APPOINTMENT} }} errors {{ code message }} }} }}"""
MINE = f"""query($first: Int!, $after: String) {{ myAppointments(first: $first, after: $after) {{
  items {{ {APPOINTMENT} }} endCursor hasNextPage }} }}"""
POLICY = """mutation($i: HallPolicyInput!) { setHallPolicy(input: $i) { policy { hallCode walkInPercent
  bookingWindowDays } errors { code message } } }"""


def beijing(day: date, hour: int, minute: int = 0) -> datetime:
    """A Beijing wall-clock moment, aware."""
    return datetime.combine(day, time(hour, minute), SHANGHAI)


def set_clock(api: AsyncTestClient[Any], moment: datetime) -> None:
    """The server's clock stands at `moment`."""
    resources = api.app.state.resources
    resources.applications = dataclasses.replace(resources.applications, clock=lambda: moment)


async def hall_manager(api: AsyncTestClient[Any], db: async_sessionmaker[AsyncSession], hall_code: str) -> str:
    """An access token of a new hall manager of `hall_code`."""
    return await staff_token(api, await queue.hall_manager(db, hall_code))
