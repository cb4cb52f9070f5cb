"""The seam through which a finished case or visit becomes rateable (好差评: one rating per case)."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import msgspec
from sqlalchemy import select

from backend.db import tables as t
from backend.hall import inbox
from backend.settings import get_settings

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

SHANGHAI = ZoneInfo("Asia/Shanghai")


class RatedKind(StrEnum):
    """What is rated; each has the national criteria of its channel."""

    ONLINE_CASE = "online_case"  # an application finished online (一事一评)
    HALL_VISIT = "hall_visit"  # a walk-in ticket served at a window (一次一评)
    APPOINTMENT = "appointment"  # an appointment's visit served at a window


class Rateable(msgspec.Struct, frozen=True):
    """A finished case or visit the citizen may rate once."""

    kind: RatedKind
    subject_id: str
    """The application's, ticket's or appointment's id: at most one rating each."""
    citizen_id: str
    department_code: str
    matter_code: str
    finished_at: datetime
    hall_code: str | None = None
    officer_id: str | None = None
    """Who served (a rectification goes to their department; officers never see who rated)."""


async def open_rating(session: AsyncSession, rateable: Rateable, *, default_days: int | None = None) -> str:
    """Make `rateable` rateable (idempotent per subject), in the caller's transaction, and tell its
    citizen to rate it: the rateable's id (the existing one's when the subject was already opened)."""
    key = (t.rateables.c.kind == rateable.kind.value) & (t.rateables.c.subject_id == rateable.subject_id)
    existing = (await session.execute(select(t.rateables.c.id).where(key))).scalar_one_or_none()
    if existing is not None:
        return str(existing)
    rateable_id = str(uuid.uuid4())
    days = default_days if default_days is not None else get_settings().rating_default_days
    due_at = rateable.finished_at + timedelta(days=days)
    await session.execute(
        t.rateables.insert().values(
            id=rateable_id,
            kind=rateable.kind.value,
            subject_id=rateable.subject_id,
            citizen_id=rateable.citizen_id,
            department_code=rateable.department_code,
            matter_code=rateable.matter_code,
            hall_code=rateable.hall_code,
            officer_id=rateable.officer_id,
            finished_at=rateable.finished_at,
            due_at=due_at,
            defaulted=False,
            excluded=False,
        )
    )
    params = {
        "rateable_id": rateable_id,
        "matter_code": rateable.matter_code,
        "rated_kind": rateable.kind.value,
        "due": due_at.astimezone(SHANGHAI).date().isoformat(),
    }
    await inbox.tell_citizen(session, rateable.citizen_id, "rating_due", rateable.finished_at, params)
    return rateable_id
