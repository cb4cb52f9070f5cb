"""Officers' calls at a counter: call the next ticket (the hot path), recall, missed, transfer, serve, finish.

Calling takes the counter's row lock first, then moves the first waiting ticket with one conditional
UPDATE whose subquery picks it in queue order (`FOR UPDATE SKIP LOCKED` on PostgreSQL: two counters
calling at once take two different tickets; SQLite has one writer at a time).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from backend.catalog.snapshot import CatalogSnapshot
from backend.db import tables as t
from backend.hall.appointments.outcomes import record_outcome
from backend.hall.categories import categories_of
from backend.hall.queue import ordering
from backend.hall.queue.counters import get_counter, lock_counter
from backend.hall.queue.errors import QueueError, QueueErrorCode
from backend.hall.queue.models import MAX_CALLS, Ticket, TicketStatus
from backend.hall.ratings.opening import Rateable, RatedKind, open_rating

T = t.tickets


async def call_next(session: AsyncSession, counter_id: int, officer_id: str | None, now: datetime) -> Ticket:
    """Call the first ticket waiting for the counter (NOBODY_WAITING when none)."""
    counter = await lock_counter(session, counter_id, officer_id, now)
    waiting = ordering.waiting_for(counter.hall_code, counter.categories, counter.id, now)
    # Two short indexed picks rather than one sort by a CASE: an appointment due (few), else the queue by
    # priority and arrival (an appointment not yet due waits there like a walk-in, as `ordering.key` says);
    # taken in the same statement that calls it (PostgreSQL skips rows another counter holds).
    due = select(T.c.id).where(waiting, T.c.due_at.is_not(None), T.c.due_at <= now).order_by(T.c.due_at, T.c.id)
    queue = select(T.c.id).where(waiting).order_by(T.c.priority_weight.desc(), T.c.issued_at, T.c.id)
    first = func.coalesce(*(pick.limit(1).with_for_update(skip_locked=True).scalar_subquery() for pick in (due, queue)))
    for _ in range(3):  # a ticket another counter called in between is not called twice: pick again
        row = (
            await session.execute(
                update(T)
                .where(T.c.id == first, T.c.status == TicketStatus.ISSUED.value)
                .values(
                    status=TicketStatus.CALLED.value,
                    calls=1,
                    counter_id=counter.id,
                    target_counter_id=None,
                    officer_id=counter.officer_id,
                    called_at=now,
                )
                .returning(*T.c)
            )
        ).first()
        if row is not None:
            return Ticket.of(row)
    raise QueueError(QueueErrorCode.NOBODY_WAITING, field="counterId")


async def _called(session: AsyncSession, ticket_id: str, officer_id: str | None, *states: TicketStatus) -> Ticket:
    """The ticket this officer called, locked, in one of `states`."""
    row = (await session.execute(select(T).where(T.c.id == ticket_id).with_for_update())).first()
    if row is None:
        raise QueueError(QueueErrorCode.TICKET_NOT_FOUND, field="ticketId")
    ticket = Ticket.of(row)
    if ticket.status not in states or (officer_id is not None and ticket.officer_id != officer_id):
        raise QueueError(QueueErrorCode.TICKET_NOT_CALLED, field="ticketId", label=ticket.label)
    return ticket


async def _set(session: AsyncSession, ticket_id: str, **values: Any) -> Ticket:
    row = (await session.execute(update(T).where(T.c.id == ticket_id).values(**values).returning(*T.c))).one()
    return Ticket.of(row)


async def recall(session: AsyncSession, ticket_id: str, officer_id: str | None, now: datetime) -> Ticket:
    """Call the ticket again; after its third call it is missed (Berlin ZMS)."""
    ticket = await _called(session, ticket_id, officer_id, TicketStatus.CALLED)
    if ticket.calls >= MAX_CALLS:
        return await mark_missed(session, ticket_id, officer_id, now)
    return await _set(session, ticket_id, calls=ticket.calls + 1, called_at=now)


async def mark_missed(session: AsyncSession, ticket_id: str, officer_id: str | None, now: datetime) -> Ticket:
    """Nobody came: the ticket is missed (an appointment's counts as a no-show)."""
    ticket = await _called(session, ticket_id, officer_id, TicketStatus.CALLED)
    missed = await _set(session, ticket_id, status=TicketStatus.MISSED.value, ended_at=now)
    if ticket.appointment_id is not None:
        await record_outcome(session, ticket.appointment_id, served=False, now=now)
    return missed


async def start_serving(session: AsyncSession, ticket_id: str, officer_id: str | None, now: datetime) -> Ticket:
    """The citizen is at the window."""
    await _called(session, ticket_id, officer_id, TicketStatus.CALLED)
    return await _set(session, ticket_id, status=TicketStatus.SERVING.value, serving_at=now)


async def finish(session: AsyncSession, ticket_id: str, officer_id: str | None, now: datetime) -> Ticket:
    """Served: the visit (or the appointment) becomes rateable, and an appointment's outcome is recorded."""
    ticket = await _called(session, ticket_id, officer_id, TicketStatus.CALLED, TicketStatus.SERVING)
    done = await _set(session, ticket_id, status=TicketStatus.FINISHED.value, ended_at=now)
    if ticket.appointment_id is not None:
        await record_outcome(session, ticket.appointment_id, served=True, now=now)
    if ticket.citizen_id is not None:
        appointment = ticket.appointment_id is not None
        await open_rating(
            session,
            Rateable(
                kind=RatedKind.APPOINTMENT if appointment else RatedKind.HALL_VISIT,
                subject_id=ticket.appointment_id if ticket.appointment_id is not None else ticket.id,
                citizen_id=ticket.citizen_id,
                department_code=ticket.category_code,
                matter_code=ticket.matter_code,
                finished_at=now,
                hall_code=ticket.hall_code,
                officer_id=ticket.officer_id,
            ),
        )
    return done


async def transfer(
    session: AsyncSession,
    snapshot: CatalogSnapshot,
    ticket_id: str,
    officer_id: str | None,
    now: datetime,
    *,
    to_counter_id: int | None = None,
    to_category: str | None = None,
) -> Ticket:
    """Send the ticket to another counter or category; it keeps its place (its arrival time)."""
    ticket = await _called(session, ticket_id, officer_id, TicketStatus.CALLED, TicketStatus.SERVING)
    category = ticket.category_code
    if to_counter_id is not None:
        target = await get_counter(session, to_counter_id)
        if target is None or target.closed_at is not None or target.hall_code != ticket.hall_code:
            raise QueueError(QueueErrorCode.COUNTER_NOT_FOUND, field="toCounterId")
    elif to_category is not None:
        if to_category not in {c.code for c in categories_of(snapshot, ticket.hall_code)}:
            raise QueueError(QueueErrorCode.CATEGORY_NOT_YOURS, field="toCategory")
        category = to_category
    else:
        raise QueueError(QueueErrorCode.COUNTER_NOT_FOUND, field="toCounterId")
    del now  # the place is the arrival time, unchanged
    return await _set(
        session,
        ticket_id,
        status=TicketStatus.ISSUED.value,
        category_code=category,
        target_counter_id=to_counter_id,
        counter_id=None,
        officer_id=None,
        calls=0,
        called_at=None,
        serving_at=None,
    )
