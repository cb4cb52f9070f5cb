"""Appointments' boundary data: what the transports and the other hall parts read."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

import msgspec


class AppointmentStatus(StrEnum):
    """held -> confirmed -> checked_in -> served | no_show; held -> expired; held | confirmed -> cancelled."""

    HELD = "held"
    CONFIRMED = "confirmed"
    CHECKED_IN = "checked_in"
    SERVED = "served"
    NO_SHOW = "no_show"
    EXPIRED = "expired"
    CANCELLED = "cancelled"


class Appointment(msgspec.Struct, frozen=True, kw_only=True):
    """One row of `appointments`."""

    id: str
    reference: str
    citizen_id: str
    slot_id: int
    hall_code: str
    category_code: str
    matter_code: str
    application_id: str | None
    starts_at: datetime
    ends_at: datetime
    status: AppointmentStatus
    held_until: datetime | None
    confirmed_at: datetime | None
    cancelled_at: datetime | None
    checked_in_at: datetime | None
    outcome_at: datetime | None
    rescheduled_from: str | None
    check_in_nonce: str
    locale: str
    created_at: datetime


class Policy(msgspec.Struct, frozen=True, kw_only=True):
    """A hall's booking policy (the defaults where the hall has no row)."""

    hall_code: str
    slot_minutes: int = 60
    booking_window_days: int = 14
    min_notice_minutes: int = 120
    walk_in_percent: int = 30
    hold_minutes: int = 15
    anti_trading_minutes: int = 30
    handling_minutes: int = 15
