"""Tables of the hall's queues: the day's number series per category, the tickets, the officers' counters."""

from __future__ import annotations

from sqlalchemy import Column, Date, Index, Integer, String, Table, UniqueConstraint

from backend.db.tables.base import metadata
from backend.db.types import UTCDateTime

# One row per hall, category and Beijing day: the last number given. It only moves by a conditional
# UPDATE ... RETURNING (a row lock on PostgreSQL, the write lock on SQLite), so no two tickets share a number.
ticket_series = Table(
    "ticket_series",
    metadata,
    Column("hall_code", String(32), primary_key=True),
    Column("category_code", String(32), primary_key=True),
    Column("day", Date, primary_key=True),
    Column("last_number", Integer, nullable=False),
)

# A service window an officer opened for the day, serving one or more categories (their departments').
hall_counters = Table(
    "hall_counters",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("hall_code", String(32), nullable=False),
    Column("window", String(16), nullable=False),
    Column("categories", String(256), nullable=False),  # category codes, comma-separated
    Column("officer_id", String(36), nullable=False),
    Column("opened_at", UTCDateTime, nullable=False),
    Column("closed_at", UTCDateTime, nullable=True),
    # Set by each call: the UPDATE that sets it is the call's first write, so it locks the counter row (and
    # takes SQLite's write lock before anything is read).
    Column("last_call_at", UTCDateTime, nullable=True),
    Index("ix_hall_counters_hall_open", "hall_code", "closed_at"),
)

tickets = Table(
    "tickets",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("hall_code", String(32), nullable=False),
    Column("category_code", String(32), nullable=False),
    Column("day", Date, nullable=False),  # the Beijing day the number belongs to
    Column("number", Integer, nullable=False),
    Column("label", String(8), nullable=False),  # A001
    Column("matter_code", String(64), nullable=False),
    Column("channel", String(16), nullable=False),  # app | hall | appointment
    Column("citizen_id", String(36), nullable=True),  # null for a walk-in without an account
    Column("appointment_id", String(36), nullable=True, unique=True),
    Column("due_at", UTCDateTime, nullable=True),  # an appointment's slot time: called at its time
    Column("priority", String(16), nullable=False),
    Column("priority_weight", Integer, nullable=False),
    # issued -> called -> serving -> finished | missed | transferred (back to issued) | cancelled
    Column("status", String(16), nullable=False),
    Column("calls", Integer, nullable=False),
    Column("counter_id", Integer, nullable=True),  # the counter that called it
    Column("target_counter_id", Integer, nullable=True),  # transferred to that counter
    Column("officer_id", String(36), nullable=True),
    Column("locale", String(8), nullable=False),
    Column("issued_at", UTCDateTime, nullable=False),  # its place in the queue (kept by a transfer)
    Column("called_at", UTCDateTime, nullable=True),
    Column("serving_at", UTCDateTime, nullable=True),
    Column("ended_at", UTCDateTime, nullable=True),
    Column("notified_at", UTCDateTime, nullable=True),  # the "your turn is near" SMS, once
    UniqueConstraint("hall_code", "category_code", "day", "number", name="uq_tickets_hall_category_day_number"),
    # The hot path (calling the next ticket) reads the waiting tickets of a hall's categories in queue order.
    Index("ix_tickets_waiting", "hall_code", "status", "category_code", "priority_weight", "issued_at"),
    Index("ix_tickets_citizen_day", "citizen_id", "day"),
)
