"""What 好差评 reads back: a rated (or pending) service and its rectification case."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import msgspec


class Rated(msgspec.Struct, frozen=True, kw_only=True):
    """One finished case or visit and its rating (level None while pending)."""

    id: str
    kind: str
    subject_id: str
    citizen_id: str
    department_code: str
    matter_code: str
    hall_code: str | None
    officer_id: str | None
    finished_at: datetime
    due_at: datetime
    level: str | None
    criteria: dict[str, str] | None
    comment: str | None
    rated_at: datetime | None
    defaulted: bool
    excluded: bool

    @classmethod
    def of(cls, row: Any) -> Rated:
        """From a `rateables` row."""
        return cls(**dict(row._mapping))


class Case(msgspec.Struct, frozen=True, kw_only=True):
    """A 差评's rectification case."""

    id: str
    rateable_id: str
    department_code: str
    state: str
    opened_at: datetime
    deadline: date
    follow_up: str | None
    followed_up_at: datetime | None
    answer: str | None
    answered_at: datetime | None
    answered_by: str | None
    escalated_at: datetime | None
    work_order: str | None
    fix_level: str | None
    fix_rated_at: datetime | None

    @classmethod
    def of(cls, row: Any) -> Case:
        """From a `rectification_cases` row."""
        return cls(**dict(row._mapping))


class Appeal(msgspec.Struct, frozen=True, kw_only=True):
    """An officer's appeal against a 差评."""

    id: str
    rateable_id: str
    department_code: str
    appealed_by: str
    reason: str
    created_at: datetime
    state: str
    decided_by: str | None
    decision_reason: str | None
    decided_at: datetime | None

    @classmethod
    def of(cls, row: Any) -> Appeal:
        """From a `rating_appeals` row."""
        return cls(**dict(row._mapping))
