"""The visit's fields of an Appointment (the part that prepares the trip): the QR pass that checks in at the
hall, the materials to bring, the calendar file. `types.Appointment` delegates these fields here."""

from __future__ import annotations

from datetime import datetime

import strawberry
from strawberry.types import Info

from backend.hall.appointments.models import Appointment


@strawberry.type(description="What checks the citizen in at the hall: show the QR code at the entrance or a window.")
class CheckInPass:
    code: str = strawberry.field(description="The signed code the QR image holds.")
    qr_svg: str = strawberry.field(description="The QR code as an SVG image.")
    valid_from: datetime
    valid_until: datetime


@strawberry.type(description="A material to bring to the hall: one the electronic certificates do not provide.")
class MaterialToBring:
    name: str
    note: str | None


async def check_in_pass(appointment: Appointment, info: Info) -> CheckInPass | None:
    """The pass of a confirmed appointment (None otherwise)."""
    del appointment, info
    return None


async def materials_to_bring(appointment: Appointment, info: Info) -> list[MaterialToBring]:
    """The matter's materials the citizen must still bring."""
    del appointment, info
    return []


async def calendar_link(appointment: Appointment, info: Info) -> str | None:
    """A link to the appointment's .ics file (None when there is nothing to put in a calendar)."""
    del appointment, info
    return None
