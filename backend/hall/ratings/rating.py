"""Rating a finished case or visit: once, by its citizen, on its channel's criteria; and the 基本满意 a
rating left unrated past its due date counts as (Guangdong: 7 natural days)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from backend.db import tables as t
from backend.hall.ratings.errors import RatingError, RatingErrorCode
from backend.hall.ratings.levels import BAD, CRITERIA, Level
from backend.hall.ratings.models import Rated
from backend.hall.ratings.opening import RatedKind
from backend.hall.ratings.rectification import open_case

if TYPE_CHECKING:
    # Only the type: the calendar is handed in, so the hall never imports the applications domain
    # (which calls open_rating when an application finishes).
    from backend.applications.workdays import WorkCalendar

MAX_COMMENT = 500
"""Characters in a comment: enough for what went wrong, short enough to read in a list."""


async def rated(session: AsyncSession, rateable_id: str) -> Rated | None:
    """One rateable, or None."""
    row = (await session.execute(select(t.rateables).where(t.rateables.c.id == rateable_id))).first()
    return Rated.of(row) if row else None


async def mine(
    session: AsyncSession, citizen_id: str, *, pending: bool | None, limit: int, after: tuple[datetime, str] | None
) -> list[Rated]:
    """The citizen's rateables, newest finished first (pending: only unrated ones; False: only rated)."""
    r = t.rateables.c
    query = select(t.rateables).where(r.citizen_id == citizen_id)
    if pending is True:
        query = query.where(r.level.is_(None))
    elif pending is False:
        query = query.where(r.level.is_not(None))
    if after is not None:
        at, last = after
        query = query.where((r.finished_at < at) | ((r.finished_at == at) & (r.id > last)))
    rows = await session.execute(query.order_by(r.finished_at.desc(), r.id).limit(limit))
    return [Rated.of(row) for row in rows]


def check_criteria(kind: RatedKind, criteria: Mapping[str, str]) -> dict[str, str]:
    """The criteria as stored: exactly the kind's, each a level (RATING_CRITERIA_MISMATCH otherwise)."""
    wanted = {c.value for c in CRITERIA[kind]}
    if set(criteria) != wanted or any(v not in Level._value2member_map_ for v in criteria.values()):
        raise RatingError(
            RatingErrorCode.RATING_CRITERIA_MISMATCH, field="criteria", criteria=", ".join(sorted(wanted))
        )
    return dict(criteria)


async def rate(
    session: AsyncSession,
    citizen_id: str,
    rateable_id: str,
    level: Level,
    criteria: Mapping[str, str],
    comment: str | None,
    *,
    now: datetime,
    calendar: WorkCalendar,
    rectification_days: int,
) -> Rated:
    """Rate a service of the citizen's, once; a 差评 opens its rectification case."""
    found = await rated(session, rateable_id)
    if found is None or found.citizen_id != citizen_id:
        raise RatingError(RatingErrorCode.RATING_NOT_FOUND, field="rateableId")
    text = (comment or "").strip() or None
    if text is not None and len(text) > MAX_COMMENT:
        raise RatingError(RatingErrorCode.RATING_COMMENT_TOO_LONG, field="comment", max=MAX_COMMENT)
    stored = check_criteria(RatedKind(found.kind), criteria)
    # Conditional: of two concurrent ratings only one finds the level still empty.
    result = await session.execute(
        update(t.rateables)
        .where(t.rateables.c.id == rateable_id, t.rateables.c.level.is_(None))
        .values(level=level.value, criteria=stored, comment=text, rated_at=now, defaulted=False)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise RatingError(RatingErrorCode.ALREADY_RATED, field="rateableId")
    if level in BAD:
        await open_case(session, found, now=now, calendar=calendar, days=rectification_days)
    updated = await rated(session, rateable_id)
    assert updated is not None
    return updated


async def default_unrated(session: AsyncSession, now: datetime) -> int:
    """Every rateable unrated past its due date counts as 基本满意, marked defaulted: how many."""
    r = t.rateables.c
    result = await session.execute(
        update(t.rateables)
        .where(r.level.is_(None), r.due_at <= now)
        .values(level=Level.BASIC.value, defaulted=True, rated_at=now)
    )
    return int(result.rowcount)  # type: ignore[attr-defined]
