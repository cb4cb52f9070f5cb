"""closed orders closed at the channel too; the record of daily bill checks

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-22 08:20:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy import Text
from sqlalchemy.dialects import postgresql

import backend.db.types

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("payment_orders") as batch:
        batch.add_column(sa.Column("channel_closed_at", backend.db.types.UTCDateTime(), nullable=True))
    op.create_table(
        "bill_checks",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("clean", sa.Boolean(), nullable=False),
        sa.Column("report", sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), "postgresql"), nullable=False),
        sa.Column("checked_at", backend.db.types.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_bill_checks_channel_day", "bill_checks", ["channel", "day"])


def downgrade() -> None:
    op.drop_index("ix_bill_checks_channel_day", table_name="bill_checks")
    op.drop_table("bill_checks")
    with op.batch_alter_table("payment_orders") as batch:
        batch.drop_column("channel_closed_at")
