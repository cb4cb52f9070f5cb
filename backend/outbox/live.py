"""Live subscriptions fed from the outbox: an application's event is published on its citizen's channel."""

from __future__ import annotations

import json
from collections.abc import Sequence

import structlog
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncSession

from backend.outbox.events import OutboxEvent
from backend.outbox.relay import AfterCommit

log = structlog.get_logger("backend.outbox")


SESSION_ENDED = b'{"session_ended": true}'
"""Published on a citizen's channel when one of their sessions is revoked: subscriptions re-check theirs."""


def channel(citizen_id: str) -> str:
    """The Redis channel a citizen's live updates travel on (every instance's subscriptions listen)."""
    return f"applications:{citizen_id}"


class LiveConsumer:
    """Publishes application events on Redis pub/sub, where every instance's subscriptions listen."""

    def __init__(self, redis: Redis) -> None:
        self._redis = redis

    async def consume(self, session: AsyncSession, events: Sequence[OutboxEvent]) -> AfterCommit | None:
        """Publish before the relay commits: a crash repeats a message (subscribers re-read the
        application), it never loses one. Redis down loses the live message only; the event is relayed."""
        for event in events:
            application_id = event.data.get("application_id")
            if event.citizen_id is None or application_id is None or not event.type.startswith("application."):
                continue
            message = {"application_id": application_id, "status": event.data.get("status"), "event": event.id}
            try:
                await self._redis.publish(channel(event.citizen_id), json.dumps(message))
            except Exception:
                log.warning("outbox.live_not_published", event=event.id, exc_info=True)
        return None
