"""hall appointments: each hall's booking policy, the bookable slots, the appointments

Revision ID: 0010_hall_appointments
Revises: 0009_fees
Create Date: 2026-12-07 19:04:09.908825
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import backend.db.types

revision = "0010_hall_appointments"
down_revision = "0009_fees"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "appointment_slots",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("hall_code", sa.String(length=32), nullable=False),
        sa.Column("category_code", sa.String(length=32), nullable=False),
        sa.Column("starts_at", backend.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("ends_at", backend.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=False),
        sa.Column("taken", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_appointment_slots")),
        sa.UniqueConstraint("hall_code", "category_code", "starts_at", name="uq_appointment_slots_hall_category_start"),
    )
    op.create_table(
        "hall_policies",
        sa.Column("hall_code", sa.String(length=32), nullable=False),
        sa.Column("slot_minutes", sa.Integer(), nullable=False),
        sa.Column("booking_window_days", sa.Integer(), nullable=False),
        sa.Column("min_notice_minutes", sa.Integer(), nullable=False),
        sa.Column("walk_in_percent", sa.Integer(), nullable=False),
        sa.Column("hold_minutes", sa.Integer(), nullable=False),
        sa.Column("anti_trading_minutes", sa.Integer(), nullable=False),
        sa.Column("handling_minutes", sa.Integer(), nullable=False),
        sa.Column("updated_at", backend.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("hall_code", name=op.f("pk_hall_policies")),
    )
    op.create_table(
        "appointments",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("reference", sa.String(length=24), nullable=False),
        sa.Column("citizen_id", sa.String(length=36), nullable=False),
        sa.Column("slot_id", sa.Integer(), nullable=False),
        sa.Column("hall_code", sa.String(length=32), nullable=False),
        sa.Column("category_code", sa.String(length=32), nullable=False),
        sa.Column("matter_code", sa.String(length=64), nullable=False),
        sa.Column("application_id", sa.String(length=36), nullable=True),
        sa.Column("starts_at", backend.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("ends_at", backend.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("held_until", backend.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("confirmed_at", backend.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("cancelled_at", backend.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("checked_in_at", backend.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("outcome_at", backend.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("rescheduled_from", sa.String(length=36), nullable=True),
        sa.Column("check_in_nonce", sa.String(length=32), nullable=False),
        sa.Column("locale", sa.String(length=8), nullable=False),
        sa.Column("reminded_day_before_at", backend.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("reminded_hour_before_at", backend.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", backend.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["citizen_id"], ["citizens.id"], name=op.f("fk_appointments_citizen_id_citizens")),
        sa.ForeignKeyConstraint(
            ["slot_id"], ["appointment_slots.id"], name=op.f("fk_appointments_slot_id_appointment_slots")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_appointments")),
        sa.UniqueConstraint("reference", name=op.f("uq_appointments_reference")),
    )
    with op.batch_alter_table("appointments", schema=None) as batch_op:
        batch_op.create_index("ix_appointments_citizen_status", ["citizen_id", "status"], unique=False)
        batch_op.create_index("ix_appointments_hall_starts", ["hall_code", "starts_at"], unique=False)
        batch_op.create_index("ix_appointments_slot_status", ["slot_id", "status"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("appointments", schema=None) as batch_op:
        batch_op.drop_index("ix_appointments_slot_status")
        batch_op.drop_index("ix_appointments_hall_starts")
        batch_op.drop_index("ix_appointments_citizen_status")

    op.drop_table("appointments")
    op.drop_table("hall_policies")
    op.drop_table("appointment_slots")
