"""Taking a ticket: by app (near the hall, while the hall can still serve it today), at the hall from a
kiosk or an officer, or by checking in an appointment (the ticket keeps the slot's time)."""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from backend.catalog import models as m
from backend.catalog.snapshot import CatalogSnapshot
from backend.db import tables as t
from backend.hall.appointments.checkin import check_in
from backend.hall.categories import Category, categories_of, category_of
from backend.hall.queue import estimates
from backend.hall.queue.errors import QueueError, QueueErrorCode
from backend.hall.queue.hours import beijing_day, closes_at
from backend.hall.queue.models import WEIGHTS, Channel, Priority, Ticket, TicketStatus
from backend.hall.queue.numbering import label, next_number

T = t.tickets
ELDERLY_AGE = 70
WAITING = (TicketStatus.ISSUED.value, TicketStatus.CALLED.value, TicketStatus.SERVING.value)


def hall_of(snapshot: CatalogSnapshot, hall_code: str) -> m.Hall:
    """The catalog's hall, or QUEUE_HALL_UNKNOWN."""
    hall = next((h for h in snapshot.halls if h.code == hall_code), None)
    if hall is None:
        raise QueueError(QueueErrorCode.QUEUE_HALL_UNKNOWN, field="hallCode", hall=hall_code)
    return hall


def age_on(id_number: str, day: date) -> int | None:
    """The age by the resident ID number's birth date (digits 7-14), None when it cannot be read."""
    try:
        born = date(int(id_number[6:10]), int(id_number[10:12]), int(id_number[12:14]))
    except (ValueError, IndexError):
        return None
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def priority_for(declared: Priority, id_number: str | None, day: date) -> Priority:
    """What was declared, else elderly when the ID number says 70 or older."""
    if declared is not Priority.NONE or id_number is None:
        return declared
    age = age_on(id_number, day)
    return Priority.ELDERLY if age is not None and age >= ELDERLY_AGE else Priority.NONE


def near_enough(snapshot: CatalogSnapshot, hall: m.Hall, home_region: str) -> bool:
    """The distance proxy (halls have no coordinates): the citizen's home district is the hall's, or the hall
    is the city's own, which serves everyone."""
    return hall.region_code == snapshot.city_code or home_region == hall.region_code


async def _issue(
    session: AsyncSession,
    category: Category,
    *,
    matter_code: str,
    channel: Channel,
    citizen_id: str | None,
    priority: Priority,
    locale: str,
    now: datetime,
    appointment_id: str | None = None,
    due_at: datetime | None = None,
) -> Ticket:
    day = beijing_day(now)
    # The number first: its conditional UPDATE is the transaction's first write (SQLite's write lock).
    number = await next_number(session, category.hall_code, category.code, day)
    values = {
        "id": str(uuid.uuid4()),
        "hall_code": category.hall_code,
        "category_code": category.code,
        "day": day,
        "number": number,
        "label": label(category.prefix, number),
        "matter_code": matter_code,
        "channel": channel.value,
        "citizen_id": citizen_id,
        "appointment_id": appointment_id,
        "due_at": due_at,
        "priority": priority.value,
        "priority_weight": WEIGHTS[priority],
        "status": TicketStatus.ISSUED.value,
        "calls": 0,
        "locale": locale,
        "issued_at": now,
    }
    return Ticket.of((await session.execute(insert(T).values(**values).returning(*T.c))).one())


async def holding(session: AsyncSession, citizen_id: str, category: Category, day: date) -> Ticket | None:
    """The citizen's ticket still in the category's queue today, if any."""
    row = (
        await session.execute(
            select(T).where(
                T.c.citizen_id == citizen_id,
                T.c.hall_code == category.hall_code,
                T.c.category_code == category.code,
                T.c.day == day,
                T.c.status.in_(WAITING),
            )
        )
    ).first()
    return Ticket.of(row) if row is not None else None


async def take_ticket(
    session: AsyncSession,
    snapshot: CatalogSnapshot,
    *,
    citizen_id: str,
    id_number: str | None,
    home_region: str | None,
    hall_code: str,
    matter_code: str,
    locale: str,
    now: datetime,
) -> Ticket:
    """A ticket by app: a verified citizen of the hall's district (or any, at the city hall), while the hall
    is open on a working day and the people already waiting leave time to serve one more before it closes."""
    hall = hall_of(snapshot, hall_code)
    category = category_of(snapshot, hall_code, matter_code)
    if category is None:
        raise QueueError(QueueErrorCode.QUEUE_MATTER_NOT_AT_HALL, field="matterCode")
    if id_number is None:
        raise QueueError(QueueErrorCode.TICKET_NEEDS_REAL_NAME)
    if not near_enough(snapshot, hall, (home_region or id_number)[:6]):
        raise QueueError(QueueErrorCode.HALL_TOO_FAR, field="hallCode")
    closing = closes_at(hall, now)
    if closing is None:
        raise QueueError(QueueErrorCode.QUEUE_HALL_CLOSED, field="hallCode")
    day = beijing_day(now)
    ticket = await _issue(
        session,
        category,
        matter_code=matter_code,
        channel=Channel.APP,
        citizen_id=citizen_id,
        priority=priority_for(Priority.NONE, id_number, day),
        locale=locale,
        now=now,
    )
    held = await holding(session, citizen_id, category, day)
    if held is not None and held.id != ticket.id:
        raise QueueError(QueueErrorCode.ALREADY_WAITING, label=held.label)
    place = await estimates.place_of(session, ticket, now)
    if place is not None and place.wait_minutes is not None:
        handling = await estimates.handling_minutes(session, hall_code, category.code, day)
        if now + timedelta(minutes=place.wait_minutes + handling) > closing:
            raise QueueError(QueueErrorCode.TICKETS_CLOSED_FOR_TODAY)
    return ticket


async def issue_ticket(
    session: AsyncSession,
    snapshot: CatalogSnapshot,
    *,
    hall_code: str,
    matter_code: str,
    priority: Priority,
    id_number: str | None,
    locale: str,
    now: datetime,
) -> Ticket:
    """A ticket at the hall (kiosk or officer): the priority declared there, or elderly by the ID number;
    the citizen's account, when they have one, gets the SMS and the live position."""
    hall_of(snapshot, hall_code)
    category = category_of(snapshot, hall_code, matter_code)
    if category is None:
        raise QueueError(QueueErrorCode.QUEUE_MATTER_NOT_AT_HALL, field="matterCode")
    citizen_id = None
    if id_number:
        found = await session.execute(select(t.citizens.c.id).where(t.citizens.c.id_number == id_number))
        citizen_id = found.scalar_one_or_none()
    return await _issue(
        session,
        category,
        matter_code=matter_code,
        channel=Channel.HALL,
        citizen_id=citizen_id,
        priority=priority_for(priority, id_number, beijing_day(now)),
        locale=locale,
        now=now,
    )


async def check_in_ticket(
    session: AsyncSession,
    snapshot: CatalogSnapshot,
    *,
    code: str,
    hall_code: str,
    now: datetime,
    secret: bytes,
) -> Ticket:
    """The appointment's QR code scanned at the hall: its ticket, due at the slot's time (the same ticket
    on a second scan). `secret` verifies the pass (the platform's master secret)."""
    arrived = await check_in(session, code, hall_code, now, secret=secret)
    found = (await session.execute(select(T).where(T.c.appointment_id == arrived.appointment_id))).first()
    if found is not None:
        return Ticket.of(found)
    category = next((c for c in categories_of(snapshot, hall_code) if c.code == arrived.category_code), None)
    if category is None:
        raise QueueError(QueueErrorCode.QUEUE_MATTER_NOT_AT_HALL, field="code")
    return await _issue(
        session,
        category,
        matter_code=arrived.matter_code,
        channel=Channel.APPOINTMENT,
        citizen_id=arrived.citizen_id,
        priority=Priority.NONE,
        locale=arrived.locale,
        now=now,
        appointment_id=arrived.appointment_id,
        due_at=arrived.starts_at,
    )


async def get_ticket(session: AsyncSession, ticket_id: str) -> Ticket | None:
    """A ticket by id."""
    row = (await session.execute(select(T).where(T.c.id == ticket_id))).first()
    return Ticket.of(row) if row is not None else None


async def tickets_of(session: AsyncSession, citizen_id: str, day: date) -> list[Ticket]:
    """The citizen's tickets of the day, newest first."""
    rows = await session.execute(
        select(T).where(T.c.citizen_id == citizen_id, T.c.day == day).order_by(T.c.issued_at.desc())
    )
    return [Ticket.of(r) for r in rows]
