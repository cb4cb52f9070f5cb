"""closing: the journal and the receipts indexed by time (a day's period and its receipts are read by time)

Revision ID: 0009_closing
Revises: 0009
Create Date: 2026-12-07 16:30:00
"""

from __future__ import annotations

from alembic import op

revision = "0009_closing"
down_revision = "0009_recon"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_journal_entries_at", "journal_entries", ["at"])
    op.create_index("ix_receipts_issued_at", "receipts", ["issued_at"])


def downgrade() -> None:
    op.drop_index("ix_receipts_issued_at", table_name="receipts")
    op.drop_index("ix_journal_entries_at", table_name="journal_entries")
