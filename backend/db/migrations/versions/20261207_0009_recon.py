"""reconciliation: the books of a day found by the channel's time (an index each for payments and refunds)

Revision ID: 0009_recon
Revises: 0009
Create Date: 2026-12-07 17:00:00
"""

from __future__ import annotations

from alembic import op

revision = "0009_recon"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A run reads one channel's payments and refunds of one Beijing day (and the margin around it) out of
    # every day's: without these, each run would read the whole history.
    op.create_index("ix_payment_orders_channel_paid", "payment_orders", ["channel", "channel_paid_at"])
    op.create_index("ix_refunds_channel_refunded", "refunds", ["channel_refunded_at"])


def downgrade() -> None:
    op.drop_index("ix_refunds_channel_refunded", table_name="refunds")
    op.drop_index("ix_payment_orders_channel_paid", table_name="payment_orders")
