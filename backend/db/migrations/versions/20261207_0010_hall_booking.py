"""hall booking: when a cancelled or expired place reopens, a no-show's weight, booking suspensions

Revision ID: 0010_hall_booking
Revises: 0010_hall_appointments
Create Date: 2026-12-07 19:10:00

Chained after 0010_hall_appointments so this branch has one head (the parts' migrations are chained at merge).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import backend.db.types

revision = "0010_hall_booking"
down_revision = "0010_hall_appointments"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("appointments", schema=None) as batch_op:
        batch_op.add_column(sa.Column("reopens_at", backend.db.types.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("reopened_at", backend.db.types.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("strike", sa.String(length=8), nullable=True))
        batch_op.add_column(sa.Column("strike_texted_at", backend.db.types.UTCDateTime(timezone=True), nullable=True))
        batch_op.create_index("ix_appointments_reopens", ["reopened_at", "reopens_at"], unique=False)
    op.create_table(
        "hall_booking_suspensions",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("citizen_id", sa.String(length=36), nullable=False),
        sa.Column("starts_at", backend.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("ends_at", backend.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("appointment_id", sa.String(length=36), nullable=False),
        sa.ForeignKeyConstraint(
            ["citizen_id"], ["citizens.id"], name=op.f("fk_hall_booking_suspensions_citizen_id_citizens")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hall_booking_suspensions")),
    )
    with op.batch_alter_table("hall_booking_suspensions", schema=None) as batch_op:
        batch_op.create_index("ix_hall_booking_suspensions_citizen", ["citizen_id", "ends_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("hall_booking_suspensions", schema=None) as batch_op:
        batch_op.drop_index("ix_hall_booking_suspensions_citizen")
    op.drop_table("hall_booking_suspensions")
    with op.batch_alter_table("appointments", schema=None) as batch_op:
        batch_op.drop_index("ix_appointments_reopens")
        batch_op.drop_column("strike_texted_at")
        batch_op.drop_column("strike")
        batch_op.drop_column("reopened_at")
        batch_op.drop_column("reopens_at")
