"""Queues live: `ticketUpdated`, a ticket's position, estimate and state whenever its hall's queues move.

Every queue movement is published on the hall's Redis channel after its commit (any instance); each
subscriber re-reads its own ticket and sends it when what the citizen sees changed."""

from __future__ import annotations

from collections.abc import AsyncGenerator, AsyncIterator

import strawberry
from strawberry.permission import PermissionExtension

from backend.broadcast import Listener
from backend.errors import CommonErrorCode, DomainError
from backend.graphql import permissions
from backend.graphql.context import Info
from backend.graphql.hall.queue.common import channel, citizen_view
from backend.graphql.hall.queue.types import Ticket
from backend.hall.queue import tickets
from backend.hall.queue.models import TicketStatus
from backend.identity.models import Scope

ENDED = (TicketStatus.FINISHED, TicketStatus.MISSED, TicketStatus.CANCELLED)


@strawberry.type
class QueueSubscription:
    @strawberry.subscription(
        description="Your ticket as the queue moves: first as it stands, then on each change of position, "
        "estimate or state, until it is finished or missed; over graphql-transport-ws.",
        extensions=[PermissionExtension([permissions.IsCitizen(Scope.HALL)])],
    )
    async def ticket_updated(self, info: Info, id: strawberry.ID) -> AsyncIterator[Ticket]:
        principal = permissions.caller(info)
        found = await tickets.get_ticket(info.context.session, str(id))
        if found is None or found.citizen_id != principal.subject_id:
            raise DomainError(CommonErrorCode.NOT_FOUND, field="id")
        # Subscribed before the resolver returns: no movement after `subscribe` is missed.
        listener = await info.context.resources.broadcast.listen(channel(found.hall_code).encode())
        info.context.on_finish(listener.close)
        info.context.live.set()
        return _updates(info, listener, str(id), principal.session_id)


async def _updates(info: Info, listener: Listener, ticket_id: str, session_id: str) -> AsyncGenerator[Ticket, None]:
    ctx = info.context
    last: Ticket | None = None
    try:
        while True:
            found = await tickets.get_ticket(ctx.session, ticket_id)
            if found is None:
                return
            view = await citizen_view(info, found)
            await ctx.reset()  # each update reads afresh: release the session between them
            if view != last:
                yield view
                last = view
            if found.status in ENDED:
                return
            await listener.get()
            # A subscription outlives its token: stop as soon as the citizen signs out or is revoked.
            if not await ctx.identity.access.session_active(session_id):
                return
    finally:
        await ctx.finish()
