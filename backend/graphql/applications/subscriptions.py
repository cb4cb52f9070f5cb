"""Live updates: `applicationUpdated`, fed by Redis pub/sub (the process's one connection) on any instance."""

from __future__ import annotations

import json
from collections.abc import AsyncGenerator, AsyncIterator

import strawberry
from strawberry.permission import PermissionExtension

from backend.broadcast import Listener
from backend.graphql import permissions
from backend.graphql.applications.types import Application
from backend.graphql.context import Info
from backend.outbox.live import channel


@strawberry.type
class ApplicationSubscription:
    @strawberry.subscription(
        description="Your application as it changes (all of yours when id is null); over graphql-transport-ws.",
        extensions=[PermissionExtension([permissions.IsCitizen("applications:read")])],
    )
    async def application_updated(self, info: Info, id: strawberry.ID | None = None) -> AsyncIterator[Application]:
        principal = permissions.caller(info)
        # Subscribed at Redis before the resolver returns: once the server has handled `subscribe`, no
        # update can be missed (the WebSocket handler awaits this before reading the next message).
        listener = await info.context.resources.broadcast.listen(channel(principal.subject_id).encode())
        # Released when the operation ends, even if the stream never started (completed at once).
        info.context.on_finish(listener.close)
        info.context.live.set()
        wanted = str(id) if id is not None else None
        return _updates(info, listener, principal.subject_id, principal.session_id, wanted)


async def _updates(
    info: Info, listener: Listener, citizen_id: str, session_id: str, wanted: str | None
) -> AsyncGenerator[Application, None]:
    ctx = info.context
    try:
        while True:
            update = json.loads(await listener.get())
            # A subscription outlives its token: stop as soon as the citizen signs out or is revoked.
            if not await ctx.identity.access.session_active(session_id):
                return
            if "application_id" not in update or (wanted is not None and update["application_id"] != wanted):
                continue  # another application, or a sign-out somewhere that was not this session's
            service = await ctx.applications()
            found = await service.reads.get(update["application_id"])
            if found is not None and found.citizen_id == citizen_id:
                yield Application.build(found, info)
            # Each update reads afresh: release the session between updates.
            await ctx.reset()
    finally:
        await ctx.finish()
