"""Appointments' labels a person reads (English msgids, translated in locales/)."""

from __future__ import annotations

from backend.hall.appointments.listing import REASONS
from backend.hall.appointments.models import AppointmentStatus

STATUS_LABELS: dict[AppointmentStatus, str] = {
    AppointmentStatus.HELD: "Held for you: confirm it",
    AppointmentStatus.CONFIRMED: "Confirmed",
    AppointmentStatus.CHECKED_IN: "Checked in",
    AppointmentStatus.SERVED: "Served",
    AppointmentStatus.NO_SHOW: "Missed",
    AppointmentStatus.EXPIRED: "Expired: not confirmed in time",
    AppointmentStatus.CANCELLED: "Cancelled",
}
TEXTS: dict[str, str] = {
    **{f"status.{k.value}": v for k, v in STATUS_LABELS.items()},
    **{f"reason.{k}": v for k, v in REASONS.items()},
}
