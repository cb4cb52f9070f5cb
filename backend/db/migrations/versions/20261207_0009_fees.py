"""fees: the channels' fees as a sub-ledger (one row per payment), posted to the ledger as one entry per run

Revision ID: 0009_fees
Revises: 0009_views
Create Date: 2026-12-07 17:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009_fees"
down_revision = "0009_views"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # No foreign keys on purpose (payments/tables.py): a run writes a million rows at once.
    op.create_table(
        "payment_fees",
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("out_trade_no", sa.String(length=64), nullable=False),
        sa.Column("order_id", sa.String(length=36), nullable=False),
        sa.Column("fee_fen", sa.BigInteger(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("entry_id", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("channel", "out_trade_no"),
    )
    op.create_index("ix_payment_fees_entry", "payment_fees", ["entry_id"])


def downgrade() -> None:
    op.drop_index("ix_payment_fees_entry", table_name="payment_fees")
    op.drop_table("payment_fees")
