"""Reminding a citizen of an appointment: an SMS and an inbox notice the evening before, and an hour before.

The evening-before reminder is due from 18:00 Beijing on the day before the slot (a booking made later
gets it at once), and only while the slot is more than an hour away: a booking made less than an hour
before its slot, or a pass that did not run that evening, gets the hour-before reminder alone. Each is
sent once: the pass sets `reminded_*_at` by a conditional UPDATE in the transaction that writes the SMS
and the notice, so of two workers racing, the second updates nothing and sends nothing. Only confirmed
appointments are reminded (a cancelled, expired or rescheduled-away one never is). No ID number is in a
message: the reference, the matter, the hall, its address and the time.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime, time, timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from backend.applications.workdays import SHANGHAI
from backend.catalog.snapshot import CatalogSnapshot
from backend.db import tables as t
from backend.db.engine import execute
from backend.hall import inbox
from backend.hall.appointments import visit_reads
from backend.hall.appointments.models import Appointment, AppointmentStatus
from backend.hall.appointments.visit_texts import DAY_BEFORE, HOUR_BEFORE, NOTICE_KIND, beijing_time, locale_of, render
from backend.i18n import Catalogs
from backend.identity import citizens
from backend.identity.sms import SmsSender

EVENING = time(18, 0)
HOUR = timedelta(hours=1)
_HORIZON = timedelta(hours=36)  # the evening before is at most ~32 hours before a slot


def evening_before(starts_at: datetime) -> datetime:
    """18:00 Beijing on the day before the slot's (Beijing) day."""
    day = starts_at.astimezone(SHANGHAI).date() - timedelta(days=1)
    return datetime.combine(day, EVENING, tzinfo=SHANGHAI)


def due(appointment: Appointment, day_before_sent: bool, hour_before_sent: bool, now: datetime) -> str | None:
    """Which reminder is due now, if any."""
    if appointment.status is not AppointmentStatus.CONFIRMED or now >= appointment.starts_at:
        return None
    hour_before = appointment.starts_at - HOUR
    if now >= hour_before:
        return None if hour_before_sent else HOUR_BEFORE
    if not day_before_sent and now >= evening_before(appointment.starts_at) and appointment.created_at < hour_before:
        return DAY_BEFORE
    return None


async def _claim(session: AsyncSession, appointment_id: str, which: str, now: datetime) -> bool:
    column = "reminded_day_before_at" if which == DAY_BEFORE else "reminded_hour_before_at"
    a = t.appointments.c
    claimed = await session.execute(
        update(t.appointments)
        .where(a.id == appointment_id, a[column].is_(None), a.status == AppointmentStatus.CONFIRMED.value)
        .values({column: now})
    )
    return bool(claimed.rowcount == 1)  # type: ignore[attr-defined]


async def send_due(
    session: AsyncSession,
    snapshot: CatalogSnapshot,
    sms: SmsSender,
    messages: Catalogs,
    now: datetime,
    *,
    new_id: Callable[[], str] = lambda: str(uuid.uuid4()),
) -> dict[str, int]:
    """Send every reminder due at `now`; how many of each. The caller owns the transaction."""
    a = t.appointments.c
    rows = await execute(
        session,
        select(*visit_reads.columns(), a.reminded_day_before_at, a.reminded_hour_before_at)
        .where(
            a.status == AppointmentStatus.CONFIRMED.value,
            a.starts_at > now,
            a.starts_at <= now + _HORIZON,
            or_(a.reminded_day_before_at.is_(None), a.reminded_hour_before_at.is_(None)),
        )
        .order_by(a.starts_at, a.id),
    )
    sent = {DAY_BEFORE: 0, HOUR_BEFORE: 0}
    halls = {h.code: h for h in snapshot.halls}
    for row in rows.all():
        appointment = visit_reads.to_model(row)
        which = due(appointment, row.reminded_day_before_at is not None, row.reminded_hour_before_at is not None, now)
        if which is None or not await _claim(session, appointment.id, which, now):
            continue
        hall = halls.get(appointment.hall_code)
        matter = snapshot.by_code.get(appointment.matter_code)
        params = {
            "reference": appointment.reference,
            "matter": dict(matter.name) if matter else appointment.matter_code,
            "hall": dict(hall.name) if hall else appointment.hall_code,
            "address": dict(hall.address) if hall else "",
            "time": beijing_time(appointment.starts_at),
        }
        notice = {"which": which, "appointment_id": appointment.id, **params}
        await inbox.tell_citizen(session, appointment.citizen_id, NOTICE_KIND, now, notice, appointment.application_id)
        account = await citizens.account(session, appointment.citizen_id)
        if account is not None and account.phone:
            body = render(messages, locale_of(appointment.locale), which, params, sms=True)
            await sms.send(session, account.phone, body)
        sent[which] += 1
    return sent
