"""finance views: the indexes that find a payment by the channel's trade number or its application, and
read a range of days of payments and refunds in order

Revision ID: 0009_views
Revises: 0009
Create Date: 2026-12-07 16:20:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009_views"
down_revision = "0009_closing"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_payment_orders_channel_trade", "payment_orders", ["channel_trade_no"])
    op.create_index("ix_payment_orders_application", "payment_orders", ["application_id"])
    # A payment's moment for finance: when it was credited (opened, for an order never paid). On
    # PostgreSQL, where a city's orders are; SQLite (development, tests) reads its few without it.
    if op.get_bind().dialect.name == "postgresql":
        op.create_index("ix_payment_orders_moment", "payment_orders", [sa.text("coalesce(paid_at, created_at)"), "id"])
    op.create_index("ix_refunds_created", "refunds", ["created_at", "id"])


def downgrade() -> None:
    op.drop_index("ix_refunds_created", table_name="refunds")
    if op.get_bind().dialect.name == "postgresql":
        op.drop_index("ix_payment_orders_moment", table_name="payment_orders")
    op.drop_index("ix_payment_orders_application", table_name="payment_orders")
    op.drop_index("ix_payment_orders_channel_trade", table_name="payment_orders")
