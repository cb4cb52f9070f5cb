"""finance: duplicate payments, reconciliation runs and breaks, the finance audit trail, closed days, clearing

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07 16:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy import Text
from sqlalchemy.dialects import postgresql

import backend.db.types

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

_JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), "postgresql")
_TIME = backend.db.types.UTCDateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("refunds") as batch:
        batch.add_column(sa.Column("channel_refunded_at", _TIME, nullable=True))
    op.create_table(
        "duplicate_payments",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("order_id", sa.String(length=36), sa.ForeignKey("payment_orders.id"), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("channel_trade_no", sa.String(length=64), nullable=False),
        sa.Column("amount_fen", sa.BigInteger(), nullable=False),
        sa.Column("channel_paid_at", _TIME, nullable=True),
        sa.Column("out_request_no", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at", _TIME, nullable=False),
        sa.Column("refunded_at", _TIME, nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("out_request_no"),
        sa.UniqueConstraint("channel", "channel_trade_no", name="uq_duplicate_payments_trade"),
    )
    op.create_index("ix_duplicate_payments_order", "duplicate_payments", ["order_id"])
    op.create_table(
        "reconciliation_runs",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("verdict", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=True),
        sa.Column("counts", _JSON, nullable=False),
        sa.Column("totals", _JSON, nullable=False),
        sa.Column("started_by", sa.String(length=64), nullable=False),
        sa.Column("started_at", _TIME, nullable=False),
        sa.Column("finished_at", _TIME, nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_reconciliation_runs_channel_day", "reconciliation_runs", ["channel", "day"])
    op.create_table(
        "reconciliation_breaks",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("entry_kind", sa.String(length=16), nullable=False),
        sa.Column("reference", sa.String(length=64), nullable=False),
        sa.Column("trade_no", sa.String(length=64), nullable=True),
        sa.Column("channel_fen", sa.BigInteger(), nullable=True),
        sa.Column("platform_fen", sa.BigInteger(), nullable=True),
        sa.Column("priority", sa.String(length=2), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("first_run_id", sa.Integer(), sa.ForeignKey("reconciliation_runs.id"), nullable=False),
        sa.Column("last_run_id", sa.Integer(), sa.ForeignKey("reconciliation_runs.id"), nullable=False),
        sa.Column("detected_at", _TIME, nullable=False),
        sa.Column("resolution", sa.String(length=16), nullable=True),
        sa.Column("resolution_note", sa.String(length=500), nullable=True),
        sa.Column("proposed_by", sa.String(length=64), nullable=True),
        sa.Column("proposed_at", _TIME, nullable=True),
        sa.Column("resolved_by", sa.String(length=64), nullable=True),
        sa.Column("resolved_at", _TIME, nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("channel", "day", "kind", "reference", name="uq_reconciliation_breaks_item"),
    )
    op.create_index("ix_reconciliation_breaks_status", "reconciliation_breaks", ["status", "day"])
    op.create_table(
        "finance_audit",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("at", _TIME, nullable=False),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column("day", sa.Date(), nullable=True),
        sa.Column("channel", sa.String(length=16), nullable=True),
        sa.Column("break_id", sa.String(length=36), nullable=True),
        sa.Column("department_code", sa.String(length=48), nullable=True),
        sa.Column("note", sa.String(length=500), nullable=True),
        sa.Column("data", _JSON, nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_finance_audit_day", "finance_audit", ["day"])
    op.create_index("ix_finance_audit_break", "finance_audit", ["break_id"])
    op.create_table(
        "closed_days",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("last_entry_id", sa.Integer(), nullable=False),
        sa.Column("record", _JSON, nullable=False),
        sa.Column("record_sha256", sa.String(length=64), nullable=False),
        sa.Column("signature", sa.String(length=200), nullable=False),
        sa.Column("closed_by", sa.String(length=64), nullable=False),
        sa.Column("closed_at", _TIME, nullable=False),
        sa.PrimaryKeyConstraint("day"),
    )
    op.create_table(
        "clearing_instructions",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("department_code", sa.String(length=48), nullable=False),
        sa.Column("fiscal_code", sa.String(length=16), nullable=False),
        sa.Column("item_code", sa.String(length=48), nullable=False),
        sa.Column("amount_fen", sa.BigInteger(), nullable=False),
        sa.Column("entry_id", sa.Integer(), sa.ForeignKey("journal_entries.id"), nullable=True),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", _TIME, nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("day", "department_code", "item_code", name="uq_clearing_instructions_item"),
    )
    op.create_index("ix_clearing_instructions_department", "clearing_instructions", ["department_code", "day"])


def downgrade() -> None:
    for table in (
        "clearing_instructions",
        "closed_days",
        "finance_audit",
        "reconciliation_breaks",
        "reconciliation_runs",
        "duplicate_payments",
    ):
        op.drop_table(table)
    with op.batch_alter_table("refunds") as batch:
        batch.drop_column("channel_refunded_at")
