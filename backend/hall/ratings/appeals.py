"""Appeals against a 差评: an officer of the department says why it is mistaken or malicious; an admin
excludes it (it stops counting, its case closes as excluded) or keeps it. The citizen is told the
decision, never who appealed."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from backend.db import tables as t
from backend.hall.ratings import notices
from backend.hall.ratings.errors import RatingError, RatingErrorCode
from backend.hall.ratings.levels import BAD, Level
from backend.hall.ratings.models import Appeal
from backend.hall.ratings.rating import rated
from backend.hall.ratings.rectification import CaseState

MAX_REASON = 1000


class AppealState(StrEnum):
    """Where an appeal stands."""

    PENDING = "pending"
    EXCLUDED = "excluded"
    KEPT = "kept"


def _reason(text: str) -> str:
    cleaned = text.strip()
    if not cleaned or len(cleaned) > MAX_REASON:
        raise RatingError(RatingErrorCode.RATING_REASON_REQUIRED, field="reason", max=MAX_REASON)
    return cleaned


async def appeal(
    session: AsyncSession,
    rateable_id: str,
    departments: frozenset[str] | None,
    officer_id: str,
    reason: str,
    now: datetime,
) -> Appeal:
    """An officer's appeal against a 差评 of their department."""
    found = await rated(session, rateable_id)
    if found is None or (departments is not None and found.department_code not in departments):
        raise RatingError(RatingErrorCode.RATING_NOT_FOUND, field="rateableId")
    if found.level is None or Level(found.level) not in BAD or found.excluded:
        raise RatingError(RatingErrorCode.NOT_A_BAD_RATING, field="rateableId")
    a = t.rating_appeals.c
    waiting = select(a.id).where(a.rateable_id == rateable_id, a.state == AppealState.PENDING.value)
    if (await session.execute(waiting)).first() is not None:
        raise RatingError(RatingErrorCode.RATING_APPEAL_PENDING, field="rateableId")
    appeal_id = str(uuid.uuid4())
    await session.execute(
        t.rating_appeals.insert().values(
            id=appeal_id,
            rateable_id=rateable_id,
            department_code=found.department_code,
            appealed_by=officer_id,
            reason=_reason(reason),
            created_at=now,
            state=AppealState.PENDING.value,
        )
    )
    return await _appeal(session, appeal_id)


async def pending(session: AsyncSession, limit: int) -> list[Appeal]:
    """Appeals waiting for an admin, oldest first."""
    a = t.rating_appeals.c
    rows = await session.execute(
        select(t.rating_appeals).where(a.state == AppealState.PENDING.value).order_by(a.created_at, a.id).limit(limit)
    )
    return [Appeal.of(row) for row in rows]


async def decide(
    session: AsyncSession, appeal_id: str, exclude: bool, reason: str, admin_id: str, now: datetime
) -> Appeal:
    """An admin's decision; excluding stops the rating counting and closes its case."""
    a = t.rating_appeals.c
    found = (await session.execute(select(t.rating_appeals).where(a.id == appeal_id))).first()
    if found is None:
        raise RatingError(RatingErrorCode.RATING_APPEAL_NOT_FOUND, field="id")
    said = _reason(reason)
    state = AppealState.EXCLUDED if exclude else AppealState.KEPT
    result = await session.execute(
        update(t.rating_appeals)
        .where(a.id == appeal_id, a.state == AppealState.PENDING.value)
        .values(state=state.value, decided_by=admin_id, decision_reason=said, decided_at=now)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise RatingError(RatingErrorCode.RATING_APPEAL_DECIDED, field="id")
    rating = await rated(session, found.rateable_id)
    assert rating is not None
    if exclude:
        await session.execute(update(t.rateables).where(t.rateables.c.id == rating.id).values(excluded=True))
        c = t.rectification_cases.c
        await session.execute(
            update(t.rectification_cases)
            .where(c.rateable_id == rating.id, c.state == CaseState.OPEN.value)
            .values(state=CaseState.EXCLUDED.value)
        )
    params = {"matter_code": rating.matter_code, "excluded": exclude, "reason": said}
    await notices.tell_citizen(session, rating.citizen_id, notices.RATING_APPEAL_DECIDED, now, **params)
    return await _appeal(session, appeal_id)


async def _appeal(session: AsyncSession, appeal_id: str) -> Appeal:
    row = (await session.execute(select(t.rating_appeals).where(t.rating_appeals.c.id == appeal_id))).one()
    return Appeal.of(row)
