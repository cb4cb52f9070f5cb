"""Rectifying a 差评 (整改): the responsible department follows it up and closes it as fixed or explained
within N working days; the citizen rates the answer. Officers see the case, never who rated."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from sqlalchemy import Column, Table, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from backend.db import tables as t
from backend.hall.ratings import notices
from backend.hall.ratings.errors import RatingError, RatingErrorCode
from backend.hall.ratings.levels import Level
from backend.hall.ratings.models import Case, Rated

if TYPE_CHECKING:
    from backend.applications.workdays import WorkCalendar

SHANGHAI = ZoneInfo("Asia/Shanghai")
MAX_TEXT = 1000


class CaseState(StrEnum):
    """Where a rectification case stands."""

    OPEN = "open"
    FIXED = "fixed"  # 整改: fixed at once (clear) or by the deadline (complex)
    EXPLAINED = "explained"  # no legal basis for the demand: explained to the citizen
    EXCLUDED = "excluded"  # the 差评 was excluded on appeal


CLOSING = frozenset({CaseState.FIXED, CaseState.EXPLAINED})

TEXTS: dict[str, str] = {
    f"state.{CaseState.OPEN}": "Being rectified",
    f"state.{CaseState.FIXED}": "Fixed",
    f"state.{CaseState.EXPLAINED}": "Explained",
    f"state.{CaseState.EXCLUDED}": "Excluded on appeal",
}


def deadline(now: datetime, calendar: WorkCalendar, days: int) -> date:
    """`days` working days after the China date of `now` (a 差评 at 01:00 Beijing counts on that day)."""
    return calendar.add_working_days(now.astimezone(SHANGHAI).date(), days)


async def open_case(session: AsyncSession, rating: Rated, *, now: datetime, calendar: WorkCalendar, days: int) -> str:
    """The case of a 差评, due `days` working days after the China date it was given."""
    case_id = str(uuid.uuid4())
    await session.execute(
        t.rectification_cases.insert().values(
            id=case_id,
            rateable_id=rating.id,
            department_code=rating.department_code,
            state=CaseState.OPEN.value,
            opened_at=now,
            deadline=deadline(now, calendar, days),
        )
    )
    return case_id


async def case(session: AsyncSession, case_id: str) -> Case | None:
    """One case, or None."""
    row = (await session.execute(select(t.rectification_cases).where(t.rectification_cases.c.id == case_id))).first()
    return Case.of(row) if row else None


async def cases_of_ratings(session: AsyncSession, rateable_ids: list[str]) -> dict[str, Case]:
    """The cases of these ratings, by rating."""
    c = t.rectification_cases.c
    rows = await session.execute(select(t.rectification_cases).where(c.rateable_id.in_(rateable_ids)))
    return {row.rateable_id: Case.of(row) for row in rows}


async def department_cases(
    session: AsyncSession,
    departments: frozenset[str] | None,
    state: CaseState | None,
    *,
    limit: int,
    after: tuple[datetime, str] | None,
) -> list[tuple[Case, Rated]]:
    """The cases of these departments (None: all), oldest first, each with its rating."""
    c = t.rectification_cases.c
    query = select(t.rectification_cases, t.rateables).join(t.rateables, t.rateables.c.id == c.rateable_id)
    if departments is not None:
        query = query.where(c.department_code.in_(departments))
    if state is not None:
        query = query.where(c.state == state.value)
    if after is not None:
        at, last = after
        query = query.where((c.opened_at > at) | ((c.opened_at == at) & (c.id > last)))
    rows = await session.execute(query.order_by(c.opened_at, c.id).limit(limit))
    found = []
    for row in rows:
        values = row._mapping
        found.append(
            (
                Case(**{k: values[col] for k, col in _columns(t.rectification_cases).items()}),
                Rated(**{k: values[col] for k, col in _columns(t.rateables).items()}),
            )
        )
    return found


def _columns(table: Table) -> dict[str, Column[object]]:
    return {col.name: col for col in table.c}


async def _open_case_of(session: AsyncSession, case_id: str, departments: frozenset[str] | None) -> Case:
    found = await case(session, case_id)
    if found is None or (departments is not None and found.department_code not in departments):
        raise RatingError(RatingErrorCode.RECTIFICATION_NOT_FOUND, field="caseId")
    if found.state != CaseState.OPEN:
        raise RatingError(RatingErrorCode.RECTIFICATION_CLOSED, field="caseId")
    return found


def _text(text: str | None, field: str, code: RatingErrorCode) -> str:
    cleaned = (text or "").strip()
    if not cleaned or len(cleaned) > MAX_TEXT:
        raise RatingError(code, field=field, max=MAX_TEXT)
    return cleaned


async def follow_up(
    session: AsyncSession, case_id: str, departments: frozenset[str] | None, text: str, now: datetime
) -> Case:
    """Record the department's follow-up (contacted the citizen, looked into it); the case stays open."""
    await _open_case_of(session, case_id, departments)
    note = _text(text, "text", RatingErrorCode.RECTIFICATION_TEXT_REQUIRED)
    c = t.rectification_cases.c
    await session.execute(
        update(t.rectification_cases).where(c.id == case_id).values(follow_up=note, followed_up_at=now)
    )
    return await _must(session, case_id)


async def answer(
    session: AsyncSession,
    case_id: str,
    departments: frozenset[str] | None,
    outcome: CaseState,
    text: str,
    officer_id: str,
    now: datetime,
) -> Case:
    """Close the case as fixed or explained with what was done; the citizen is told and may rate it."""
    found = await _open_case_of(session, case_id, departments)
    if outcome not in CLOSING:
        raise RatingError(RatingErrorCode.RECTIFICATION_TEXT_REQUIRED, field="outcome", max=MAX_TEXT)
    said = _text(text, "text", RatingErrorCode.RECTIFICATION_TEXT_REQUIRED)
    c = t.rectification_cases.c
    closed = await session.execute(
        update(t.rectification_cases)
        .where(c.id == case_id, c.state == CaseState.OPEN.value)
        .values(state=outcome.value, answer=said, answered_at=now, answered_by=officer_id)
    )
    if closed.rowcount != 1:  # type: ignore[attr-defined]  # another officer answered it a moment ago
        raise RatingError(RatingErrorCode.RECTIFICATION_CLOSED, field="caseId")
    rating = await _rating(session, found.rateable_id)
    await notices.tell_citizen(
        session,
        rating.citizen_id,
        notices.ANSWERED,
        now,
        case_id=case_id,
        matter_code=rating.matter_code,
        answer=said,
    )
    return await _must(session, case_id)


async def rate_fix(session: AsyncSession, citizen_id: str, case_id: str, level: Level, now: datetime) -> Case:
    """The citizen rates the department's answer, once."""
    found = await case(session, case_id)
    if found is None or (await _rating(session, found.rateable_id)).citizen_id != citizen_id:
        raise RatingError(RatingErrorCode.RECTIFICATION_NOT_FOUND, field="caseId")
    if found.state not in CLOSING:
        raise RatingError(RatingErrorCode.RECTIFICATION_NOT_ANSWERED, field="caseId")
    c = t.rectification_cases.c
    result = await session.execute(
        update(t.rectification_cases)
        .where(c.id == case_id, c.fix_level.is_(None))
        .values(fix_level=level.value, fix_rated_at=now)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise RatingError(RatingErrorCode.FIX_ALREADY_RATED, field="caseId")
    return await _must(session, case_id)


async def _rating(session: AsyncSession, rateable_id: str) -> Rated:
    row = (await session.execute(select(t.rateables).where(t.rateables.c.id == rateable_id))).one()
    return Rated.of(row)


async def _must(session: AsyncSession, case_id: str) -> Case:
    found = await case(session, case_id)
    assert found is not None
    return found
