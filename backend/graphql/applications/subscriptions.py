"""Live updates: `applicationUpdated`, fed by Redis pub/sub so any API instance can deliver them."""

from __future__ import annotations

import json
from collections.abc import AsyncGenerator

import strawberry
from strawberry.permission import PermissionExtension

from backend.applications.events import channel
from backend.graphql import permissions
from backend.graphql.applications.types import Application
from backend.graphql.context import Info


@strawberry.type
class ApplicationSubscription:
    @strawberry.subscription(
        description="Your application as it changes (all of yours when id is null); over graphql-transport-ws.",
        extensions=[PermissionExtension([permissions.IsCitizen("applications:read")])],
    )
    async def application_updated(
        self, info: Info, id: strawberry.ID | None = None
    ) -> AsyncGenerator[Application, None]:
        principal = permissions.citizen(info, "applications:read")
        ctx = info.context
        pubsub = ctx.resources.redis.pubsub()
        await pubsub.subscribe(channel(principal.subject_id))
        try:
            async for message in pubsub.listen():
                if message.get("type") != "message":
                    continue
                update = json.loads(message["data"])
                if id is not None and update.get("application_id") != str(id):
                    continue
                service = await ctx.applications()
                found = await service.get(update["application_id"])
                if found is not None and found.citizen_id == principal.subject_id:
                    yield Application.build(found, info)
                # Each update reads afresh: release the session between updates.
                await ctx.reset()
        finally:
            await pubsub.unsubscribe()
            await pubsub.aclose()  # type: ignore[no-untyped-call]
            await ctx.close()
