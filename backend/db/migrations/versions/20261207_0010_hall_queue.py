"""hall queue: the day's ticket series, the tickets, the officers' counters

Revision ID: 0010_hall_queue
Revises: 0010_hall_booking (the brief's 0009_fees: the lead chains the parts at merge; chained here
so this worktree has one head)
Create Date: 2026-12-07 19:20:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import backend.db.types

revision = "0010_hall_queue"
down_revision = "0010_hall_booking"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "ticket_series",
        sa.Column("hall_code", sa.String(length=32), nullable=False),
        sa.Column("category_code", sa.String(length=32), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("last_number", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("hall_code", "category_code", "day", name=op.f("pk_ticket_series")),
    )
    op.create_table(
        "hall_counters",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("hall_code", sa.String(length=32), nullable=False),
        sa.Column("window", sa.String(length=16), nullable=False),
        sa.Column("categories", sa.String(length=256), nullable=False),
        sa.Column("officer_id", sa.String(length=36), nullable=False),
        sa.Column("opened_at", backend.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("closed_at", backend.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_call_at", backend.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hall_counters")),
    )
    with op.batch_alter_table("hall_counters", schema=None) as batch_op:
        batch_op.create_index("ix_hall_counters_hall_open", ["hall_code", "closed_at"], unique=False)
    op.create_table(
        "tickets",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("hall_code", sa.String(length=32), nullable=False),
        sa.Column("category_code", sa.String(length=32), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("label", sa.String(length=8), nullable=False),
        sa.Column("matter_code", sa.String(length=64), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("citizen_id", sa.String(length=36), nullable=True),
        sa.Column("appointment_id", sa.String(length=36), nullable=True),
        sa.Column("due_at", backend.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("priority", sa.String(length=16), nullable=False),
        sa.Column("priority_weight", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("calls", sa.Integer(), nullable=False),
        sa.Column("counter_id", sa.Integer(), nullable=True),
        sa.Column("target_counter_id", sa.Integer(), nullable=True),
        sa.Column("officer_id", sa.String(length=36), nullable=True),
        sa.Column("locale", sa.String(length=8), nullable=False),
        sa.Column("issued_at", backend.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("called_at", backend.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("serving_at", backend.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("ended_at", backend.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("notified_at", backend.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tickets")),
        sa.UniqueConstraint("appointment_id", name=op.f("uq_tickets_appointment_id")),
        sa.UniqueConstraint("hall_code", "category_code", "day", "number", name="uq_tickets_hall_category_day_number"),
    )
    with op.batch_alter_table("tickets", schema=None) as batch_op:
        batch_op.create_index("ix_tickets_citizen_day", ["citizen_id", "day"], unique=False)
        batch_op.create_index(
            "ix_tickets_waiting",
            ["hall_code", "status", "category_code", "priority_weight", "issued_at"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("tickets", schema=None) as batch_op:
        batch_op.drop_index("ix_tickets_waiting")
        batch_op.drop_index("ix_tickets_citizen_day")
    op.drop_table("tickets")
    with op.batch_alter_table("hall_counters", schema=None) as batch_op:
        batch_op.drop_index("ix_hall_counters_hall_open")
    op.drop_table("hall_counters")
    op.drop_table("ticket_series")
