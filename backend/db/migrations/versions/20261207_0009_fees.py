"""fees: the channels' fees as a sub-ledger (one row per payment), posted to the ledger as one entry per run

Revision ID: 0009_fees
Revises: 0009_views
Create Date: 2026-12-07 17:30:00
"""

from __future__ import annotations

from datetime import UTC, date, timedelta

import sqlalchemy as sa
from alembic import op

import backend.db.types

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
    _copy_per_payment_fee_entries()


_TIME = backend.db.types.UTCDateTime(timezone=True)
BEIJING_OFFSET = timedelta(hours=8)


def _copy_per_payment_fee_entries() -> None:
    """Fees posted before, one entry per payment (reference = out_trade_no), become rows naming their entry,
    so a re-run neither records them again nor misses a changed fee, and closing still reads them. Each is
    given to the latest run of its channel started by the entry's time (the run that posted it)."""
    bind = op.get_bind()
    entries = sa.table(
        "journal_entries",
        sa.column("id", sa.Integer),
        sa.column("kind", sa.String),
        sa.column("reference", sa.String),
        sa.column("order_id", sa.String),
        sa.column("at", _TIME),
    )
    postings = sa.table(
        "postings", sa.column("entry_id", sa.Integer), sa.column("account", sa.String), sa.column("amount_fen")
    )
    orders = sa.table("payment_orders", sa.column("id", sa.String), sa.column("channel", sa.String))
    runs = sa.table(
        "reconciliation_runs",
        sa.column("id", sa.Integer),
        sa.column("channel", sa.String),
        sa.column("day", sa.Date),
        sa.column("started_at", _TIME),
    )
    known_runs = bind.execute(sa.select(runs.c.id, runs.c.channel, runs.c.day, runs.c.started_at)).all()
    fee_posting = (
        sa.select(postings.c.amount_fen)
        .where(postings.c.entry_id == entries.c.id, postings.c.account.like("fees:%"))
        .limit(1)
    )
    old = bind.execute(
        sa.select(
            entries.c.id,
            entries.c.reference,
            entries.c.order_id,
            entries.c.at,
            orders.c.channel,
            fee_posting.scalar_subquery().label("fee_fen"),
        )
        .join(orders, orders.c.id == entries.c.order_id)
        .where(entries.c.kind == "fee", entries.c.order_id.is_not(None))
    ).all()
    rows = []
    for entry in old:
        channel = entry.channel or "alipay"
        mine = [r for r in known_runs if r.channel == channel and r.started_at <= entry.at]
        run = max(mine, key=lambda r: r.id, default=None)
        day: date = run.day if run else (entry.at.astimezone(UTC) + BEIJING_OFFSET).date()
        rows.append(
            {
                "channel": channel,
                "out_trade_no": entry.reference,
                "order_id": entry.order_id,
                "fee_fen": int(entry.fee_fen or 0),
                "day": day,
                "run_id": run.id if run else 0,
                "entry_id": entry.id,
            }
        )
    if rows:
        fees = sa.table(
            "payment_fees",
            *(sa.column(name) for name in ("channel", "out_trade_no", "order_id", "fee_fen", "day", "run_id")),
            sa.column("entry_id"),
        )
        bind.execute(sa.insert(fees), rows)


def downgrade() -> None:
    op.drop_index("ix_payment_fees_entry", table_name="payment_fees")
    op.drop_table("payment_fees")
