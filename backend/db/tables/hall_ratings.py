"""Tables of 好差评: what may be rated (one row per finished case or visit, holding its rating), the
rectification of a 差评, appeals against one, and the 12345 hotline stand-in's work orders."""

from __future__ import annotations

from sqlalchemy import Boolean, Column, Date, Index, String, Table, Text, UniqueConstraint

from backend.db.tables.base import metadata
from backend.db.types import Json, UTCDateTime

# One finished case or visit; its rating is written into the same row, once (a conditional UPDATE on
# `level IS NULL`), so "rated twice" cannot happen even between two concurrent requests.
rateables = Table(
    "rateables",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("kind", String(16), nullable=False),  # online_case | hall_visit | appointment
    Column("subject_id", String(36), nullable=False),  # the application's, ticket's or appointment's id
    Column("citizen_id", String(36), nullable=False),
    Column("department_code", String(64), nullable=False),
    Column("matter_code", String(64), nullable=False),
    Column("hall_code", String(32), nullable=True),
    Column("officer_id", String(64), nullable=True),  # who served: never shown with the rating's rater
    Column("finished_at", UTCDateTime, nullable=False),
    Column("due_at", UTCDateTime, nullable=False),  # unrated then: 基本满意, defaulted
    Column("level", String(24), nullable=True),  # null while pending
    Column("criteria", Json, nullable=True),  # {criterion: level}
    Column("comment", Text, nullable=True),
    Column("rated_at", UTCDateTime, nullable=True),
    Column("defaulted", Boolean, nullable=False, default=False),
    Column("excluded", Boolean, nullable=False, default=False),  # by an admin's appeal decision
    UniqueConstraint("kind", "subject_id", name="uq_rateables_kind_subject"),
    Index("ix_rateables_citizen_finished", "citizen_id", "finished_at"),
    Index("ix_rateables_level_due", "level", "due_at"),
)

# The follow-up of one 差评 by the responsible department: open -> fixed | explained | excluded.
rectification_cases = Table(
    "rectification_cases",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("rateable_id", String(36), nullable=False, unique=True),
    Column("department_code", String(64), nullable=False),
    Column("state", String(16), nullable=False),
    Column("opened_at", UTCDateTime, nullable=False),
    Column("deadline", Date, nullable=False),  # a China date, N working days after the 差评
    Column("follow_up", Text, nullable=True),
    Column("followed_up_at", UTCDateTime, nullable=True),
    Column("answer", Text, nullable=True),
    Column("answered_at", UTCDateTime, nullable=True),
    Column("answered_by", String(64), nullable=True),
    Column("escalated_at", UTCDateTime, nullable=True),
    Column("work_order", String(32), nullable=True),  # the 12345 hotline's number
    Column("fix_level", String(24), nullable=True),  # the citizen's rating of the answer
    Column("fix_rated_at", UTCDateTime, nullable=True),
    Index("ix_rectification_cases_department_state", "department_code", "state"),
)

# An officer's appeal against a 差评 (mistaken or malicious); an admin decides.
rating_appeals = Table(
    "rating_appeals",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("rateable_id", String(36), nullable=False),
    Column("department_code", String(64), nullable=False),
    Column("appealed_by", String(64), nullable=False),
    Column("reason", Text, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("state", String(16), nullable=False),  # pending | excluded | kept
    Column("decided_by", String(64), nullable=True),
    Column("decision_reason", Text, nullable=True),
    Column("decided_at", UTCDateTime, nullable=True),
    Index("ix_rating_appeals_state", "state", "created_at"),
)

# Department staff's notices (an escalated case): officers read them with their cases.
rating_staff_notices = Table(
    "rating_staff_notices",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("department_code", String(64), nullable=False),
    Column("case_id", String(36), nullable=False),
    Column("kind", String(24), nullable=False),
    Column("params", Json, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Index("ix_rating_staff_notices_department", "department_code", "created_at"),
)

# The 12345 hotline stand-in's work orders (standins/hotline12345.py); kept in the migrations like the
# SMS outbox, so development and production schemas do not differ.
hotline_work_orders = Table(
    "hotline_work_orders",
    metadata,
    Column("number", String(32), primary_key=True),
    Column("department_code", String(64), nullable=False),
    Column("case_id", String(36), nullable=False),
    Column("summary", Text, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
)
