"""Tables of booking at a hall: the citizens whose booking is suspended after repeated no-shows."""

from __future__ import annotations

from sqlalchemy import Column, ForeignKey, Index, String, Table

from backend.db.tables.base import metadata
from backend.db.types import UTCDateTime

# One suspension of a citizen's booking (backend/hall/appointments/noshows.py): the no-shows counted before
# `starts_at` never count again.
hall_booking_suspensions = Table(
    "hall_booking_suspensions",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("citizen_id", String(36), ForeignKey("citizens.id"), nullable=False),
    Column("starts_at", UTCDateTime, nullable=False),
    Column("ends_at", UTCDateTime, nullable=False),
    Column("appointment_id", String(36), nullable=False),  # the no-show that suspended
    Index("ix_hall_booking_suspensions_citizen", "citizen_id", "ends_at"),
)
