"""The citizen's inbox notices of 好差评 (rate it, the department's answer, escalation, an appeal decided)
and the department's staff notices. Stored as a kind and parameters; rendered in the reader's language."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from backend.db import tables as t
from backend.hall import inbox

RATE_IT = "rating_due"
ANSWERED = "rating_answered"
ESCALATED = "rating_escalated"
RATING_APPEAL_DECIDED = "rating_appeal_decided"
KINDS = frozenset({RATE_IT, ANSWERED, ESCALATED, RATING_APPEAL_DECIDED})

TEXTS: dict[str, str] = {
    RATE_IT: "How was it? Rate “{matter}” ({kind}) by {due}: unrated, it counts as basically satisfied.",
    ANSWERED: "The department answered your rating of “{matter}”: {answer}. Rate its answer.",
    ESCALATED: (
        "Your rating of “{matter}” was not rectified in time: it was passed to the 12345 hotline "
        "(work order {work_order})."
    ),
    f"{RATING_APPEAL_DECIDED}.excluded": (
        "After review, your rating of “{matter}” was found mistaken and no longer counts: {reason}"
    ),
    f"{RATING_APPEAL_DECIDED}.kept": "After review, your rating of “{matter}” stands and is being rectified.",
    "staff.escalated": (
        "Rectification case of “{matter}” passed its deadline {deadline}: escalated to the 12345 hotline "
        "(work order {work_order})."
    ),
}


async def tell_citizen(session: AsyncSession, citizen_id: str, kind: str, now: datetime, **params: Any) -> None:
    """An inbox notice, in the caller's transaction (the inbox shows it in the reader's language)."""
    await inbox.tell_citizen(session, citizen_id, kind, now, params)


async def tell_department(
    session: AsyncSession, department_code: str, case_id: str, kind: str, now: datetime, **params: Any
) -> None:
    """A notice to the department's officers (read with their rectification cases)."""
    await session.execute(
        t.rating_staff_notices.insert().values(
            id=str(uuid.uuid4()),
            department_code=department_code,
            case_id=case_id,
            kind=kind,
            params=params,
            created_at=now,
        )
    )


def msgid(kind: str, params: dict[str, Any]) -> str:
    """The message a stored notice is said with."""
    if kind == RATING_APPEAL_DECIDED:
        return TEXTS[f"{kind}.{'excluded' if params.get('excluded') else 'kept'}"]
    return TEXTS[kind]


async def department_notices(
    session: AsyncSession, departments: frozenset[str] | None, limit: int
) -> list[tuple[str, str, dict[str, Any], datetime]]:
    """The newest staff notices of these departments (None: all): (case id, kind, params, when)."""
    n = t.rating_staff_notices.c
    query = select(n.case_id, n.kind, n.params, n.created_at)
    if departments is not None:
        query = query.where(n.department_code.in_(departments))
    rows = await session.execute(query.order_by(n.created_at.desc(), n.id).limit(limit))
    return [(row.case_id, row.kind, row.params, row.created_at) for row in rows]
