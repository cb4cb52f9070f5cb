"""What the queue's resolvers share: the views of a ticket, who may act at a hall, the live signal."""

from __future__ import annotations

import json

import structlog

from backend.errors import DomainError
from backend.graphql import permissions
from backend.graphql.context import Info
from backend.graphql.hall import clock
from backend.graphql.hall.queue.types import CalledTicket, Ticket
from backend.hall.queue import estimates
from backend.hall.queue import models as qm
from backend.hall.queue.counters import get_counter
from backend.hall.queue.errors import QueueErrorCode
from backend.identity import citizens
from backend.identity.models import Role
from backend.privacy import mask_name

log = structlog.get_logger("backend.graphql")

OFFICER = permissions.HasRole(Role.OFFICER)
HALL_STAFF = permissions.HasRole(Role.OFFICER, Role.HALL_MANAGER, Role.ADMIN)
MANAGER = permissions.HasRole(Role.HALL_MANAGER, Role.ADMIN)


def channel(hall_code: str) -> str:
    """The Redis channel a hall's queue movements travel on (every instance's subscriptions listen)."""
    return f"hall-queue:{hall_code}"


async def publish(info: Info, hall_code: str) -> None:
    """Tell live subscribers the hall's queues moved (after the commit; a lost message only delays a screen:
    the next movement carries the whole state again)."""
    try:
        await info.context.resources.redis.publish(channel(hall_code), json.dumps({"hall": hall_code}))
    except Exception:
        log.warning("queue.live_not_published", hall=hall_code, exc_info=True)


def departments(info: Info) -> frozenset[str] | None:
    """The departments an officer acts for (None for an admin: any)."""
    staff = permissions.caller(info)
    if staff.has_role(Role.ADMIN):
        return None
    return frozenset(g.department_code for g in staff.roles if g.role is Role.OFFICER and g.department_code)


def check_runs_hall(info: Info, hall_code: str) -> None:
    """A hall manager acts for their own hall only (an admin for any; officers at any hall's windows)."""
    staff = permissions.caller(info)
    if staff.has_role(Role.ADMIN) or staff.has_role(Role.OFFICER):
        return
    if not staff.has_role(Role.HALL_MANAGER, hall_code):
        raise DomainError(QueueErrorCode.QUEUE_NOT_YOUR_HALL, field="hallCode")


def check_manages(info: Info, hall_code: str) -> None:
    """The hall manager of this hall, or an admin."""
    staff = permissions.caller(info)
    if not (staff.has_role(Role.ADMIN) or staff.has_role(Role.HALL_MANAGER, hall_code)):
        raise DomainError(QueueErrorCode.QUEUE_NOT_YOUR_HALL, field="hallCode")


async def citizen_view(info: Info, ticket: qm.Ticket) -> Ticket:
    """The ticket with its place and estimate, as its holder reads it."""
    session = info.context.session
    snapshot = await info.context.catalog_snapshot()
    place = await estimates.place_of(session, ticket, clock.now(info))
    window = None
    if ticket.counter_id is not None:
        counter = await get_counter(session, ticket.counter_id)
        window = counter.window if counter is not None else None
    return Ticket.build(ticket, place, window, snapshot, info)


async def officer_view(info: Info, ticket: qm.Ticket) -> CalledTicket:
    """The ticket as the officer who called it reads it: the holder's name, masked."""
    name = None
    if ticket.citizen_id is not None and ticket.status is not qm.TicketStatus.ISSUED:
        full = (await citizens.names_of(info.context.session, [ticket.citizen_id])).get(ticket.citizen_id)
        name = mask_name(full) if full else None
    return CalledTicket.build(ticket, name, await info.context.catalog_snapshot(), info)
