"""payments

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22 05:54:08.365844
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy import Text
from sqlalchemy.dialects import postgresql

import backend.db.types

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "channel_notifications",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("notify_id", sa.String(length=128), nullable=True),
        sa.Column("out_trade_no", sa.String(length=64), nullable=True),
        sa.Column("outcome", sa.String(length=48), nullable=False),
        sa.Column("params", sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), "postgresql"), nullable=False),
        sa.Column("received_at", backend.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_channel_notifications")),
    )
    with op.batch_alter_table("channel_notifications", schema=None) as batch_op:
        batch_op.create_index("ix_channel_notifications_order", ["out_trade_no"], unique=False)

    op.create_table(
        "idempotency_keys",
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("key", sa.String(length=128), nullable=False),
        sa.Column("operation", sa.String(length=32), nullable=False),
        sa.Column("request_hash", sa.String(length=64), nullable=False),
        sa.Column(
            "response", sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), "postgresql"), nullable=False
        ),
        sa.Column("created_at", backend.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("actor", "key", name=op.f("pk_idempotency_keys")),
    )
    op.create_table(
        "ledger_accounts",
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_ledger_accounts")),
    )
    op.create_table(
        "receipt_series",
        sa.Column("bill_code", sa.String(length=8), nullable=False),
        sa.Column("next_number", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("bill_code", name=op.f("pk_receipt_series")),
    )
    op.create_table(
        "payment_orders",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("out_trade_no", sa.String(length=64), nullable=False),
        sa.Column("citizen_id", sa.String(length=36), nullable=False),
        sa.Column("application_id", sa.String(length=36), nullable=True),
        sa.Column("subject", sa.String(length=128), nullable=False),
        sa.Column("total_fen", sa.BigInteger(), nullable=False),
        sa.Column("refunded_fen", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.String(length=24), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=True),
        sa.Column("channel_trade_no", sa.String(length=64), nullable=True),
        sa.Column("created_at", backend.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("paid_at", backend.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("channel_paid_at", backend.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("closed_at", backend.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["application_id"], ["applications.id"], name=op.f("fk_payment_orders_application_id_applications")
        ),
        sa.ForeignKeyConstraint(["citizen_id"], ["citizens.id"], name=op.f("fk_payment_orders_citizen_id_citizens")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payment_orders")),
        sa.UniqueConstraint("out_trade_no", name=op.f("uq_payment_orders_out_trade_no")),
    )
    with op.batch_alter_table("payment_orders", schema=None) as batch_op:
        batch_op.create_index("ix_payment_orders_citizen", ["citizen_id", "created_at"], unique=False)
        batch_op.create_index("ix_payment_orders_status", ["status", "created_at"], unique=False)

    op.create_table(
        "journal_entries",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("reference", sa.String(length=128), nullable=False),
        sa.Column("order_id", sa.String(length=36), nullable=True),
        sa.Column("memo", sa.String(length=200), nullable=False),
        sa.Column("at", backend.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["order_id"], ["payment_orders.id"], name=op.f("fk_journal_entries_order_id_payment_orders")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_journal_entries")),
        sa.UniqueConstraint("kind", "reference", name="uq_journal_entries_kind_reference"),
    )
    with op.batch_alter_table("journal_entries", schema=None) as batch_op:
        batch_op.create_index("ix_journal_entries_order", ["order_id"], unique=False)

    op.create_table(
        "order_lines",
        sa.Column("order_id", sa.String(length=36), nullable=False),
        sa.Column("line_no", sa.Integer(), nullable=False),
        sa.Column("department_code", sa.String(length=48), nullable=False),
        sa.Column("fiscal_code", sa.String(length=16), nullable=False),
        sa.Column("item_code", sa.String(length=48), nullable=False),
        sa.Column("name", sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), "postgresql"), nullable=False),
        sa.Column("matter_code", sa.String(length=48), nullable=True),
        sa.Column("amount_fen", sa.BigInteger(), nullable=False),
        sa.Column("refunded_fen", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["order_id"], ["payment_orders.id"], name=op.f("fk_order_lines_order_id_payment_orders")
        ),
        sa.PrimaryKeyConstraint("order_id", "line_no", name=op.f("pk_order_lines")),
    )
    op.create_table(
        "receipts",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("order_id", sa.String(length=36), nullable=False),
        sa.Column("department_code", sa.String(length=48), nullable=False),
        sa.Column("bill_code", sa.String(length=8), nullable=False),
        sa.Column("bill_number", sa.String(length=10), nullable=False),
        sa.Column("check_code", sa.String(length=6), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("reverses", sa.String(length=36), nullable=True),
        sa.Column("status", sa.String(length=24), nullable=False),
        sa.Column("payer", sa.String(length=100), nullable=False),
        sa.Column("items", sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), "postgresql"), nullable=False),
        sa.Column("total_fen", sa.BigInteger(), nullable=False),
        sa.Column("issuer", sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), "postgresql"), nullable=False),
        sa.Column("signature", sa.String(length=200), nullable=False),
        sa.Column("issued_at", backend.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["order_id"], ["payment_orders.id"], name=op.f("fk_receipts_order_id_payment_orders")),
        sa.ForeignKeyConstraint(["reverses"], ["receipts.id"], name=op.f("fk_receipts_reverses_receipts")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_receipts")),
        sa.UniqueConstraint("bill_code", "bill_number", name="uq_receipts_code_number"),
    )
    with op.batch_alter_table("receipts", schema=None) as batch_op:
        batch_op.create_index("ix_receipts_order", ["order_id"], unique=False)

    op.create_table(
        "refunds",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("order_id", sa.String(length=36), nullable=False),
        sa.Column("out_request_no", sa.String(length=64), nullable=False),
        sa.Column("department_code", sa.String(length=48), nullable=False),
        sa.Column("amount_fen", sa.BigInteger(), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("requested_by", sa.String(length=36), nullable=False),
        sa.Column("created_at", backend.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["order_id"], ["payment_orders.id"], name=op.f("fk_refunds_order_id_payment_orders")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_refunds")),
        sa.UniqueConstraint("out_request_no", name=op.f("uq_refunds_out_request_no")),
    )
    with op.batch_alter_table("refunds", schema=None) as batch_op:
        batch_op.create_index("ix_refunds_order", ["order_id"], unique=False)

    op.create_table(
        "postings",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("entry_id", sa.Integer(), nullable=False),
        sa.Column("account", sa.String(length=64), nullable=False),
        sa.Column("amount_fen", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account"], ["ledger_accounts.code"], name=op.f("fk_postings_account_ledger_accounts")
        ),
        sa.ForeignKeyConstraint(
            ["entry_id"], ["journal_entries.id"], name=op.f("fk_postings_entry_id_journal_entries")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_postings")),
    )
    with op.batch_alter_table("postings", schema=None) as batch_op:
        batch_op.create_index("ix_postings_account", ["account"], unique=False)
        batch_op.create_index("ix_postings_entry", ["entry_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("postings", schema=None) as batch_op:
        batch_op.drop_index("ix_postings_entry")
        batch_op.drop_index("ix_postings_account")

    op.drop_table("postings")
    with op.batch_alter_table("refunds", schema=None) as batch_op:
        batch_op.drop_index("ix_refunds_order")

    op.drop_table("refunds")
    with op.batch_alter_table("receipts", schema=None) as batch_op:
        batch_op.drop_index("ix_receipts_order")

    op.drop_table("receipts")
    op.drop_table("order_lines")
    with op.batch_alter_table("journal_entries", schema=None) as batch_op:
        batch_op.drop_index("ix_journal_entries_order")

    op.drop_table("journal_entries")
    with op.batch_alter_table("payment_orders", schema=None) as batch_op:
        batch_op.drop_index("ix_payment_orders_status")
        batch_op.drop_index("ix_payment_orders_citizen")

    op.drop_table("payment_orders")
    op.drop_table("receipt_series")
    op.drop_table("ledger_accounts")
    op.drop_table("idempotency_keys")
    with op.batch_alter_table("channel_notifications", schema=None) as batch_op:
        batch_op.drop_index("ix_channel_notifications_order")

    op.drop_table("channel_notifications")
