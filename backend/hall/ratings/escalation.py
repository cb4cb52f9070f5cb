"""An open rectification case past its deadline escalates: a work order at the 12345 hotline (without
the rater's identity), the case marked with its number, notices to the citizen and the department."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from backend.db import tables as t
from backend.hall.ratings import notices
from backend.hall.ratings.hotline import Hotline, WorkOrder
from backend.hall.ratings.models import Case, Rated
from backend.hall.ratings.rectification import CaseState

SHANGHAI = ZoneInfo("Asia/Shanghai")


async def escalate_overdue(session: AsyncSession, hotline: Hotline, now: datetime) -> int:
    """Escalate every open case whose deadline (a China date) has passed and that was not escalated yet."""
    c = t.rectification_cases.c
    today = now.astimezone(SHANGHAI).date()
    query = (
        select(t.rectification_cases, t.rateables)
        .join(t.rateables, t.rateables.c.id == c.rateable_id)
        .where(c.state == CaseState.OPEN.value, c.escalated_at.is_(None), c.deadline < today)
        .order_by(c.deadline, c.id)
    )
    rows = list(await session.execute(query))
    for row in rows:
        values = row._mapping
        case = Case(**{col.name: values[col] for col in t.rectification_cases.c})
        rating = Rated(**{col.name: values[col] for col in t.rateables.c})
        await _escalate(session, hotline, case, rating, now)
    return len(rows)


async def _escalate(session: AsyncSession, hotline: Hotline, case: Case, rating: Rated, now: datetime) -> None:
    summary = f"好差评整改逾期: {rating.kind} {rating.matter_code}, level {rating.level}, deadline {case.deadline}"
    number = await hotline.open_work_order(session, WorkOrder(case.id, case.department_code, summary))
    c = t.rectification_cases.c
    await session.execute(
        update(t.rectification_cases).where(c.id == case.id).values(escalated_at=now, work_order=number)
    )
    await notices.tell_citizen(
        session,
        rating.citizen_id,
        notices.ESCALATED,
        now,
        case_id=case.id,
        matter_code=rating.matter_code,
        work_order=number,
    )
    await notices.tell_department(
        session,
        case.department_code,
        case.id,
        "staff.escalated",
        now,
        matter_code=rating.matter_code,
        deadline=case.deadline.isoformat(),
        work_order=number,
    )
