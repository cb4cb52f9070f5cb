"""The appointment as a calendar file (.ics, RFC 5545) for the citizen's phone, and the signed link a
phone's calendar opens without a bearer token.

One UID per chain of reschedules (the first appointment's id), SEQUENCE the number of reschedules: a
calendar that imported the first file updates the same event when it opens a later one. A cancelled
appointment is sent as METHOD:CANCEL with STATUS:CANCELLED, which removes the event.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime, timedelta
from urllib.parse import urlencode

import msgspec
from icalendar import Alarm, Calendar, Event
from sqlalchemy.ext.asyncio import AsyncSession

from backend.applications.workdays import SHANGHAI
from backend.catalog import models as m
from backend.catalog.snapshot import CatalogSnapshot
from backend.hall.appointments import visit_reads
from backend.hall.appointments.materials import to_bring
from backend.hall.appointments.models import Appointment, AppointmentStatus
from backend.hall.appointments.visit_texts import CALENDAR_ALARM, CALENDAR_BRING, CALENDAR_DESCRIPTION, CALENDAR_NOTHING
from backend.i18n import Catalogs, Locale, pick, pick_text

LINK_SECONDS = 24 * 3600
"""A calendar link works for a day: long enough to tap it, and a leaked one soon opens nothing."""
ALARM_BEFORE = timedelta(hours=1)
_PURPOSE = b"onewindow/hall-calendar-links"
CANCELLED = (AppointmentStatus.CANCELLED, AppointmentStatus.EXPIRED)


class Entry(msgspec.Struct, frozen=True, kw_only=True):
    """What a calendar file says of an appointment, in one language."""

    appointment: Appointment
    uid: str
    sequence: int
    matter: str
    hall: m.Hall
    materials: list[str]


def _signature(secret: bytes, appointment_id: str, expires: int) -> str:
    key = hmac.new(secret, _PURPOSE, hashlib.sha256).digest()
    return hmac.new(key, f"{appointment_id}|{expires}".encode(), hashlib.sha256).hexdigest()


def signed_url(base_url: str, secret: bytes, appointment_id: str, now: datetime, locale: Locale) -> str:
    """A link to the appointment's .ics, in `locale`, that works without a token for LINK_SECONDS."""
    expires = int(now.timestamp()) + LINK_SECONDS
    query = urlencode(
        {"expires": expires, "lang": locale.value, "signature": _signature(secret, appointment_id, expires)}
    )
    return f"{base_url.rstrip('/')}/hall/appointments/{appointment_id}/calendar.ics?{query}"


def link_valid(secret: bytes, appointment_id: str, expires: str, signature: str, now: datetime) -> bool:
    """Whether a link is the platform's, for this appointment, and not past its expiry."""
    # ASCII digits only, and no longer than a timestamp: "²" and 5,000 digits are no link of ours.
    if not (expires.isascii() and expires.isdigit() and len(expires) <= 12) or int(expires) < int(now.timestamp()):
        return False
    return hmac.compare_digest(_signature(secret, appointment_id, int(expires)), signature)


def ics(entry: Entry, messages: Catalogs, locale: Locale, now: datetime) -> bytes:
    """The calendar file of `entry` in `locale` (times in UTC: every calendar shows them in its own zone)."""
    a = entry.appointment
    cancelled = a.status in CANCELLED
    calendar = Calendar()
    calendar.add("prodid", "-//onewindow//hall appointments//EN")
    calendar.add("version", "2.0")
    calendar.add("method", "CANCEL" if cancelled else "PUBLISH")
    event = Event()
    event.add("uid", f"{entry.uid}@onewindow")
    event.add("sequence", entry.sequence)
    event.add("dtstamp", now)
    event.add("dtstart", a.starts_at)
    event.add("dtend", a.ends_at)
    hall_name = pick(entry.hall.name, locale)
    event.add("summary", f"{entry.matter} ({hall_name})")
    event.add("location", f"{hall_name}, {pick(entry.hall.address, locale)}")
    lines = [messages.gettext(locale, CALENDAR_DESCRIPTION, reference=a.reference)]
    if entry.materials:
        lines += [messages.gettext(locale, CALENDAR_BRING), *(f"- {name}" for name in entry.materials)]
    else:
        lines.append(messages.gettext(locale, CALENDAR_NOTHING))
    event.add("description", "\n".join(lines))
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    if not cancelled:
        alarm = Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("trigger", -ALARM_BEFORE)
        alarm.add("description", messages.gettext(locale, CALENDAR_ALARM, reference=a.reference, hall=hall_name))
        event.add_component(alarm)
    calendar.add_component(event)
    return bytes(calendar.to_ical())


async def entry_for(
    session: AsyncSession, snapshot: CatalogSnapshot, appointment: Appointment, locale: Locale
) -> Entry | None:
    """The calendar entry of `appointment` as it stands now: the appointment that replaced it when it was
    rescheduled, with its chain's UID and SEQUENCE; None when its hall is not in the catalog."""
    current = await visit_reads.latest(session, appointment)
    hall = next((h for h in snapshot.halls if h.code == current.hall_code), None)
    if hall is None:
        return None
    root, sequence = await visit_reads.chain_root(session, current)
    matter = snapshot.by_code.get(current.matter_code)
    today = current.starts_at.astimezone(SHANGHAI).date()
    bring = await to_bring(session, current.citizen_id, current.matter_code, current.application_id, today)
    return Entry(
        appointment=current,
        uid=root,
        sequence=sequence,
        matter=pick(matter.name, locale) if matter else current.matter_code,
        hall=hall,
        materials=[pick_text(m.name, locale) for m in bring],
    )
