"""Tables of appointments at a hall: each hall's booking policy, the bookable slots, the appointments."""

from __future__ import annotations

from sqlalchemy import Column, ForeignKey, Index, Integer, String, Table, UniqueConstraint

from backend.db.tables.base import metadata
from backend.db.types import UTCDateTime

# A hall's booking policy; a hall without a row uses the defaults in backend/hall/appointments.
hall_policies = Table(
    "hall_policies",
    metadata,
    Column("hall_code", String(32), primary_key=True),
    Column("slot_minutes", Integer, nullable=False),  # 60: booking by the hour
    Column("booking_window_days", Integer, nullable=False),  # how far ahead a citizen may book
    Column("min_notice_minutes", Integer, nullable=False),  # how soon before the slot booking closes
    Column("walk_in_percent", Integer, nullable=False),  # of each slot's places, kept for walk-ins
    Column("hold_minutes", Integer, nullable=False),  # how long a held place waits for confirmation
    Column("anti_trading_minutes", Integer, nullable=False),  # a cancelled place stays closed this long
    Column("handling_minutes", Integer, nullable=False),  # average time at a counter
    Column("updated_at", UTCDateTime, nullable=False),
    Column("updated_by", String(64), nullable=False),
)

# One bookable hour (or slot) of one category at one hall. The row is what a booking locks: `taken` only
# moves by a conditional UPDATE (or under SELECT ... FOR UPDATE), never read-then-written.
appointment_slots = Table(
    "appointment_slots",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("hall_code", String(32), nullable=False),
    Column("category_code", String(32), nullable=False),
    Column("starts_at", UTCDateTime, nullable=False),
    Column("ends_at", UTCDateTime, nullable=False),
    Column("capacity", Integer, nullable=False),  # places open to public booking
    Column("taken", Integer, nullable=False, default=0),  # held, confirmed, or closed after a cancellation
    UniqueConstraint("hall_code", "category_code", "starts_at", name="uq_appointment_slots_hall_category_start"),
)

appointments = Table(
    "appointments",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("reference", String(24), nullable=False, unique=True),  # what the citizen quotes
    Column("citizen_id", String(36), ForeignKey("citizens.id"), nullable=False),
    Column("slot_id", Integer, ForeignKey("appointment_slots.id"), nullable=False),
    Column("hall_code", String(32), nullable=False),
    Column("category_code", String(32), nullable=False),
    Column("matter_code", String(64), nullable=False),
    Column("application_id", String(36), nullable=True),  # booked from an application that needs a visit
    Column("starts_at", UTCDateTime, nullable=False),
    Column("ends_at", UTCDateTime, nullable=False),
    # held -> confirmed -> checked_in -> served | no_show; held -> expired; held | confirmed -> cancelled
    Column("status", String(16), nullable=False),
    Column("held_until", UTCDateTime, nullable=True),
    Column("confirmed_at", UTCDateTime, nullable=True),
    Column("cancelled_at", UTCDateTime, nullable=True),
    Column("checked_in_at", UTCDateTime, nullable=True),
    Column("outcome_at", UTCDateTime, nullable=True),  # served or marked no-show
    Column("rescheduled_from", String(36), nullable=True),  # the appointment this one replaced
    Column("check_in_nonce", String(32), nullable=False),  # in the signed QR code; new on each reschedule
    Column("locale", String(8), nullable=False),  # the language of its SMS reminders
    Column("reminded_day_before_at", UTCDateTime, nullable=True),
    Column("reminded_hour_before_at", UTCDateTime, nullable=True),
    Column("created_at", UTCDateTime, nullable=False),
    # A cancelled or expired place goes back to the slot at `reopens_at` (after the anti-trading delay for a
    # cancellation, at once for an expired hold); `reopened_at` marks it given back (exactly once).
    Column("reopens_at", UTCDateTime, nullable=True),
    Column("reopened_at", UTCDateTime, nullable=True),
    Column("strike", String(8), nullable=True),  # a no-show's weight: warning | counted | exempt
    Column("strike_texted_at", UTCDateTime, nullable=True),  # its SMS sent (by the sweep job, which has a sender)
    Index("ix_appointments_citizen_status", "citizen_id", "status"),
    Index("ix_appointments_slot_status", "slot_id", "status"),
    Index("ix_appointments_hall_starts", "hall_code", "starts_at"),
    Index("ix_appointments_reopens", "reopened_at", "reopens_at"),
)
