"""The queue order (Novo SGA): appointments due at their time first, then priority, then arrival.

One rule, written twice: `key` for Python (positions, the officer's list) and `order_by` for SQL (the
call), kept side by side so they cannot drift apart.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, case, literal, or_

from backend.db import tables as t
from backend.hall.queue.hours import beijing_day
from backend.hall.queue.models import Ticket, TicketStatus

T = t.tickets


def is_due(ticket: Ticket, now: datetime) -> bool:
    """An appointment's ticket whose slot has begun: it goes before every walk-in."""
    return ticket.due_at is not None and ticket.due_at <= now


def key(ticket: Ticket, now: datetime) -> tuple[int, int, datetime, str]:
    """The ticket's place: due appointments by their time, then the highest priority, then the earliest."""
    if ticket.due_at is not None and ticket.due_at <= now:
        return (0, 0, ticket.due_at, ticket.id)
    return (1, -ticket.priority_weight, ticket.issued_at, ticket.id)


def order_by(now: datetime) -> list[ColumnElement[Any]]:
    """`key` in SQL."""
    due = and_(T.c.due_at.is_not(None), T.c.due_at <= now)
    return [
        case((due, literal(0)), else_=literal(1)),
        case((due, literal(0)), else_=-T.c.priority_weight),
        case((due, T.c.due_at), else_=T.c.issued_at),
        T.c.id,
    ]


def waiting_for(
    hall_code: str, categories: tuple[str, ...], counter_id: int | None, now: datetime
) -> ColumnElement[bool]:
    """The tickets a counter may call today: its categories' (unless sent to another counter), and any sent to
    it. Numbers start again each Beijing day, so an earlier day's ticket left waiting is never called."""
    own = and_(T.c.category_code.in_(categories), T.c.target_counter_id.is_(None))
    if counter_id is not None:
        own = or_(own, T.c.target_counter_id == counter_id)
    today = T.c.day == beijing_day(now)
    return and_(T.c.hall_code == hall_code, T.c.status == TicketStatus.ISSUED.value, today, own)
