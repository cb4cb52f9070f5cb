"""Each hall's booking policy: the defaults of models.Policy until a hall manager or an admin sets one."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

import msgspec
from sqlalchemy import select

from backend.db import tables as t
from backend.db.engine import execute
from backend.db.upsert import insert_for
from backend.errors import DomainError
from backend.hall.appointments.errors import AppointmentErrorCode
from backend.hall.appointments.models import Policy

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

# Bounds that keep a typo from closing a hall's calendar or opening it for a year.
_BOUNDS: dict[str, tuple[int, int]] = {
    "slot_minutes": (15, 240),
    "booking_window_days": (1, 90),
    "min_notice_minutes": (0, 7 * 24 * 60),
    "walk_in_percent": (0, 90),
    "hold_minutes": (1, 120),
    "anti_trading_minutes": (0, 24 * 60),
    "handling_minutes": (1, 240),
}
_FIELDS = tuple(_BOUNDS)


async def policy_of(session: AsyncSession, hall_code: str) -> Policy:
    """The hall's policy (the defaults when it has none)."""
    row = (await execute(session, select(t.hall_policies).where(t.hall_policies.c.hall_code == hall_code))).first()
    if row is None:
        return Policy(hall_code=hall_code)
    return Policy(hall_code=hall_code, **{name: getattr(row, name) for name in _FIELDS})


def check(policy: Policy) -> None:
    """INVALID_POLICY unless every value is within its bounds and a slot fits whole handling times."""
    for name, (low, high) in _BOUNDS.items():
        value = getattr(policy, name)
        if not low <= value <= high:
            raise DomainError(
                AppointmentErrorCode.INVALID_POLICY, field=name, why=f"{name} {value} not in {low}..{high}"
            )
    if policy.handling_minutes > policy.slot_minutes:
        raise DomainError(
            AppointmentErrorCode.INVALID_POLICY, field="handling_minutes", why="a visit longer than a slot"
        )


async def set_policy(session: AsyncSession, policy: Policy, actor: str, now: datetime) -> Policy:
    """Store the hall's policy (the slots already made keep their capacity; new days use it)."""
    check(policy)
    values = {name: getattr(policy, name) for name in _FIELDS} | {"updated_at": now, "updated_by": actor}
    statement = insert_for(session, t.hall_policies).values(hall_code=policy.hall_code, **values)
    await session.execute(statement.on_conflict_do_update(index_elements=["hall_code"], set_=values))
    return policy


def changed(policy: Policy, **changes: int | None) -> Policy:
    """The policy with the values given (None keeps the current one)."""
    return msgspec.structs.replace(policy, **{k: v for k, v in changes.items() if v is not None})
