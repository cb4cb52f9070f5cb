"""hall ratings: 好差评 rateables and ratings, rectification cases, appeals, staff notices, the 12345 stand-in

Revision ID: 0010_hall_ratings
Revises: 0010_hall_queue (the lead chains the hall parts' migrations at merge; "0009_fees" alone)
Create Date: 2026-12-07 19:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import backend.db.types

revision = "0010_hall_ratings"
# Chained after the appointments' migration so this worktree has one head; the lead re-chains at merge.
down_revision = "0010_hall_queue"
branch_labels = None
depends_on = None

UTC = backend.db.types.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "rateables",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("subject_id", sa.String(length=36), nullable=False),
        sa.Column("citizen_id", sa.String(length=36), nullable=False),
        sa.Column("department_code", sa.String(length=64), nullable=False),
        sa.Column("matter_code", sa.String(length=64), nullable=False),
        sa.Column("hall_code", sa.String(length=32), nullable=True),
        sa.Column("officer_id", sa.String(length=64), nullable=True),
        sa.Column("finished_at", UTC, nullable=False),
        sa.Column("due_at", UTC, nullable=False),
        sa.Column("level", sa.String(length=24), nullable=True),
        sa.Column("criteria", backend.db.types.Json, nullable=True),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("rated_at", UTC, nullable=True),
        sa.Column("defaulted", sa.Boolean(), nullable=False),
        sa.Column("excluded", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rateables")),
        sa.UniqueConstraint("kind", "subject_id", name="uq_rateables_kind_subject"),
    )
    with op.batch_alter_table("rateables", schema=None) as batch_op:
        batch_op.create_index("ix_rateables_citizen_finished", ["citizen_id", "finished_at"], unique=False)
        batch_op.create_index("ix_rateables_level_due", ["level", "due_at"], unique=False)
    op.create_table(
        "rectification_cases",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("rateable_id", sa.String(length=36), nullable=False),
        sa.Column("department_code", sa.String(length=64), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("opened_at", UTC, nullable=False),
        sa.Column("deadline", sa.Date(), nullable=False),
        sa.Column("follow_up", sa.Text(), nullable=True),
        sa.Column("followed_up_at", UTC, nullable=True),
        sa.Column("answer", sa.Text(), nullable=True),
        sa.Column("answered_at", UTC, nullable=True),
        sa.Column("answered_by", sa.String(length=64), nullable=True),
        sa.Column("escalated_at", UTC, nullable=True),
        sa.Column("work_order", sa.String(length=32), nullable=True),
        sa.Column("fix_level", sa.String(length=24), nullable=True),
        sa.Column("fix_rated_at", UTC, nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rectification_cases")),
        sa.UniqueConstraint("rateable_id", name=op.f("uq_rectification_cases_rateable_id")),
    )
    with op.batch_alter_table("rectification_cases", schema=None) as batch_op:
        batch_op.create_index("ix_rectification_cases_department_state", ["department_code", "state"], unique=False)
    op.create_table(
        "rating_appeals",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("rateable_id", sa.String(length=36), nullable=False),
        sa.Column("department_code", sa.String(length=64), nullable=False),
        sa.Column("appealed_by", sa.String(length=64), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("decided_by", sa.String(length=64), nullable=True),
        sa.Column("decision_reason", sa.Text(), nullable=True),
        sa.Column("decided_at", UTC, nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rating_appeals")),
    )
    with op.batch_alter_table("rating_appeals", schema=None) as batch_op:
        batch_op.create_index("ix_rating_appeals_state", ["state", "created_at"], unique=False)
    op.create_table(
        "rating_staff_notices",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("department_code", sa.String(length=64), nullable=False),
        sa.Column("case_id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("params", backend.db.types.Json, nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rating_staff_notices")),
    )
    with op.batch_alter_table("rating_staff_notices", schema=None) as batch_op:
        batch_op.create_index("ix_rating_staff_notices_department", ["department_code", "created_at"], unique=False)
    op.create_table(
        "hotline_work_orders",
        sa.Column("number", sa.String(length=32), nullable=False),
        sa.Column("department_code", sa.String(length=64), nullable=False),
        sa.Column("case_id", sa.String(length=36), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        sa.PrimaryKeyConstraint("number", name=op.f("pk_hotline_work_orders")),
    )


def downgrade() -> None:
    op.drop_table("hotline_work_orders")
    with op.batch_alter_table("rating_staff_notices", schema=None) as batch_op:
        batch_op.drop_index("ix_rating_staff_notices_department")
    op.drop_table("rating_staff_notices")
    with op.batch_alter_table("rating_appeals", schema=None) as batch_op:
        batch_op.drop_index("ix_rating_appeals_state")
    op.drop_table("rating_appeals")
    with op.batch_alter_table("rectification_cases", schema=None) as batch_op:
        batch_op.drop_index("ix_rectification_cases_department_state")
    op.drop_table("rectification_cases")
    with op.batch_alter_table("rateables", schema=None) as batch_op:
        batch_op.drop_index("ix_rateables_level_due")
        batch_op.drop_index("ix_rateables_citizen_finished")
    op.drop_table("rateables")
