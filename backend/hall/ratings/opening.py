"""The seam through which a finished case or visit becomes rateable (好差评: one rating per case)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING

import msgspec

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession


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


async def open_rating(session: AsyncSession, rateable: Rateable) -> None:
    """Make `rateable` rateable (idempotent per subject), in the caller's transaction."""
    del session, rateable  # filled in by the ratings part
