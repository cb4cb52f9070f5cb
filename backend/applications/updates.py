"""Live updates of applications: buffered during a unit of work, published on Redis after it commits.

A subscriber never hears of a change that was rolled back: the mutation pipeline publishes the buffer
after the commit and discards it when the work fails.
"""

from __future__ import annotations

import json
from typing import Any

import structlog

from backend.outbox.live import channel

log = structlog.get_logger(__name__)


class LiveUpdates:
    """The live updates of one unit of work, waiting for its commit."""

    def __init__(self) -> None:
        self._pending: list[tuple[str, dict[str, Any]]] = []

    def add(self, citizen_id: str, message: dict[str, Any]) -> None:
        """Queue an update for the citizen's subscribers."""
        self._pending.append((channel(citizen_id), message))

    def discard(self) -> None:
        """Forget the updates of a unit of work that rolled back."""
        self._pending.clear()

    async def publish(self, redis: Any) -> None:
        """Announce the committed changes to live subscribers (best effort: the inbox has them anyway)."""
        pending, self._pending = self._pending, []
        for name, message in pending:
            try:
                await redis.publish(name, json.dumps(message))
            except Exception:  # Redis down must not fail a committed change; the inbox has it
                log.warning("live update not published", channel=name, exc_info=True)
