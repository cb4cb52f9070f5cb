"""The shared job queue (SAQ over Redis): what the web processes and the workers enqueue on (shared kernel;
the worker and its schedule are in backend.jobs)."""

from __future__ import annotations

import contextlib
from datetime import datetime
from typing import Any

from redis.asyncio import Redis
from saq import Queue
from saq.queue.redis import RedisQueue

QUEUE_NAME = "onewindow"


def open_queue(redis_url: str) -> Queue:
    """The SAQ queue on `redis_url`, on a connection of its own: a worker blocks on Redis while it waits
    for jobs, which the request connections' one-second timeout and circuit breaker must not see."""
    # SAQ's own from_url knows redis:// only; the embedded server is on a unix:// socket.
    return RedisQueue(Redis.from_url(redis_url), name=QUEUE_NAME)


class JobQueue:
    """Enqueues jobs by name; a key already queued is not enqueued twice."""

    def __init__(self, queue: Queue) -> None:
        self.queue = queue

    async def enqueue(
        self, function: str, *, key: str | None = None, at: datetime | None = None, **kwargs: Any
    ) -> bool:
        """Queue `function(**kwargs)` now, or at `at`; False when a job with `key` is already waiting."""
        job: dict[str, Any] = {"kwargs": kwargs}
        if key is not None:
            job["key"] = key
        if at is not None:
            job["scheduled"] = int(at.timestamp())
        return await self.queue.enqueue(function, **job) is not None

    async def close(self) -> None:
        """Drop the queue's connections (Redis may be gone already: nothing to drop then)."""
        with contextlib.suppress(Exception):
            await self.queue.disconnect()
