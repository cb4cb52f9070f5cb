"""developer platform: sandbox clients and personas, trusted documents, developers, daily usage

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07 10:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy import Text
from sqlalchemy.dialects import postgresql

import backend.db.types

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

_JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), "postgresql")


def upgrade() -> None:
    with op.batch_alter_table("oauth_clients") as batch:
        batch.add_column(sa.Column("sandbox", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch.add_column(sa.Column("documents_only", sa.Boolean(), nullable=False, server_default=sa.false()))
    with op.batch_alter_table("registry_persons") as batch:
        batch.add_column(sa.Column("persona", sa.String(length=32), nullable=True))
    op.create_table(
        "trusted_documents",
        sa.Column("owner", sa.String(length=64), nullable=False),
        sa.Column("document_id", sa.String(length=80), nullable=False),
        sa.Column("operation_type", sa.String(length=16), nullable=False),
        sa.Column("operation_name", sa.String(length=200), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", backend.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("owner", "document_id"),
    )
    op.create_table(
        "client_developers",
        sa.Column("client_id", sa.String(length=64), sa.ForeignKey("oauth_clients.client_id"), nullable=False),
        sa.Column("staff_id", sa.String(length=36), sa.ForeignKey("staff.id"), nullable=False),
        sa.PrimaryKeyConstraint("client_id", "staff_id"),
    )
    op.create_table(
        "api_usage",
        sa.Column("app", sa.String(length=64), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("requests", sa.BigInteger(), nullable=False),
        sa.Column("cost", sa.BigInteger(), nullable=False),
        sa.Column("throttled", sa.BigInteger(), nullable=False),
        sa.Column("errors", _JSON, nullable=False),
        sa.PrimaryKeyConstraint("app", "day"),
    )


def downgrade() -> None:
    op.drop_table("api_usage")
    op.drop_table("client_developers")
    op.drop_table("trusted_documents")
    with op.batch_alter_table("registry_persons") as batch:
        batch.drop_column("persona")
    with op.batch_alter_table("oauth_clients") as batch:
        batch.drop_column("documents_only")
        batch.drop_column("sandbox")
