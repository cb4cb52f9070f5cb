"""The visit's fields of an Appointment (the part that prepares the trip): the QR pass that checks in at the
hall, the materials to bring, the calendar file. `types.Appointment` delegates these fields here."""

from __future__ import annotations

from datetime import datetime

import strawberry
from strawberry.types import Info

from backend.applications.workdays import SHANGHAI
from backend.catalog import format as fmt
from backend.graphql.hall import clock
from backend.hall.appointments import ics, passes
from backend.hall.appointments.materials import to_bring
from backend.hall.appointments.models import Appointment, AppointmentStatus
from backend.i18n import Locale, pick_text


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

    @staticmethod
    def build(material: fmt.Material, locale: Locale) -> MaterialToBring:
        """In the caller's language."""
        note = pick_text(material.note, locale) if material.note is not None else None
        return MaterialToBring(name=pick_text(material.name, locale), note=note)


async def check_in_pass(appointment: Appointment, info: Info) -> CheckInPass | None:
    """The pass of a confirmed appointment (None otherwise)."""
    found = passes.pass_of(info.context.resources.identity.master_secret, appointment, clock.now(info))
    if found is None:
        return None
    return CheckInPass(code=found.code, qr_svg=found.qr_svg, valid_from=found.valid_from, valid_until=found.valid_until)


async def materials_to_bring(appointment: Appointment, info: Info) -> list[MaterialToBring]:
    """The matter's materials the citizen must still bring."""
    day = appointment.starts_at.astimezone(SHANGHAI).date()
    found = await to_bring(
        info.context.session, appointment.citizen_id, appointment.matter_code, appointment.application_id, day
    )
    return [MaterialToBring.build(m, info.context.locale) for m in found]


async def calendar_link(appointment: Appointment, info: Info) -> str | None:
    """A link to the appointment's .ics file (None when there is nothing to put in a calendar)."""
    if appointment.status in (AppointmentStatus.HELD, AppointmentStatus.EXPIRED):
        return None
    ctx = info.context
    base = ctx.settings.public_url or "http://127.0.0.1:8000"
    return ics.signed_url(base, ctx.resources.identity.master_secret, appointment.id, clock.now(info), ctx.locale)
