"""The QR pass that checks a citizen in at the hall: a short code signed with the platform's secret.

The code is the appointment's id and an HMAC over the id and the appointment's `check_in_nonce`: any
instance checks it without storing anything, a changed id opens nothing, and a reschedule (a new nonce)
makes the old pass worthless even to someone who photographed it.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime, timedelta

import msgspec
import segno

from backend.hall.appointments.models import Appointment, AppointmentStatus

OPENS_BEFORE = timedelta(minutes=60)
"""A pass checks in from an hour before the slot's start (a citizen early for the queue) to its end."""
_SIGNATURE_CHARS = 20  # 80 bits of the HMAC: a QR code that stays small, and far beyond guessing
_PURPOSE = b"onewindow/hall-check-in"


class Pass(msgspec.Struct, frozen=True):
    """A pass: the code its QR image holds, the image, and when it checks in."""

    code: str
    qr_svg: str
    valid_from: datetime
    valid_until: datetime


def _signature(secret: bytes, appointment_id: str, nonce: str) -> str:
    key = hmac.new(secret, _PURPOSE, hashlib.sha256).digest()
    return hmac.new(key, f"{appointment_id}|{nonce}".encode(), hashlib.sha256).hexdigest()[:_SIGNATURE_CHARS]


def code_of(secret: bytes, appointment: Appointment) -> str:
    """The appointment's check-in code: `<id>.<signature>`."""
    return f"{appointment.id}.{_signature(secret, appointment.id, appointment.check_in_nonce)}"


def appointment_id_of(code: str) -> str | None:
    """The appointment id a code names (unchecked), or None when it is not a code's shape."""
    appointment_id, dot, signature = code.strip().rpartition(".")
    if not dot or len(signature) != _SIGNATURE_CHARS or not appointment_id or len(appointment_id) > 36:
        return None
    return appointment_id


def signed_for(secret: bytes, code: str, appointment: Appointment) -> bool:
    """Whether `code` is the current pass of `appointment` (constant-time)."""
    return hmac.compare_digest(code.strip(), code_of(secret, appointment))


def window(appointment: Appointment) -> tuple[datetime, datetime]:
    """When the pass checks in: from OPENS_BEFORE the slot's start to its end."""
    return appointment.starts_at - OPENS_BEFORE, appointment.ends_at


def pass_of(secret: bytes, appointment: Appointment, now: datetime) -> Pass | None:
    """The pass of a confirmed or checked-in appointment whose slot has not ended (None for any other)."""
    if appointment.status not in (AppointmentStatus.CONFIRMED, AppointmentStatus.CHECKED_IN):
        return None
    if now >= appointment.ends_at:
        return None
    code = code_of(secret, appointment)
    svg = segno.make(code, error="m").svg_inline(scale=4)
    valid_from, valid_until = window(appointment)
    return Pass(code=code, qr_svg=svg, valid_from=valid_from, valid_until=valid_until)
