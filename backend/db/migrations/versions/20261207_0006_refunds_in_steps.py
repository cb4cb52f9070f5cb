"""refunds in steps: an idempotency key reserved before its answer exists

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-07 09:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy import Text
from sqlalchemy.dialects import postgresql

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

_JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), "postgresql")


def upgrade() -> None:
    # NULL: the request is being worked on (its refund is pending at the channel)
    with op.batch_alter_table("idempotency_keys") as batch:
        batch.alter_column("response", existing_type=_JSON, nullable=True)
    with op.batch_alter_table("refunds") as batch:
        batch.add_column(sa.Column("idempotency_key", sa.String(length=128), nullable=True))
        batch.add_column(sa.Column("receipt_id", sa.String(length=36), nullable=True))
    op.create_index("ix_refunds_status", "refunds", ["status", "created_at"])


def downgrade() -> None:
    op.drop_index("ix_refunds_status", table_name="refunds")
    with op.batch_alter_table("refunds") as batch:
        batch.drop_column("receipt_id")
        batch.drop_column("idempotency_key")
    op.execute("DELETE FROM idempotency_keys WHERE response IS NULL")
    with op.batch_alter_table("idempotency_keys") as batch:
        batch.alter_column("response", existing_type=_JSON, nullable=False)
