"""Per app and day: requests, cost spent, throttled requests and errors by code."""

from __future__ import annotations

from collections.abc import Sequence

from redis.asyncio import Redis

ANONYMOUS_APP = "anonymous"
"""The app name under which calls without a token are counted."""


async def record_request(redis: Redis, app: str, *, cost: int, throttled: bool, error_codes: Sequence[str]) -> None:
    """Count one GraphQL request of `app` (a client id, or ANONYMOUS_APP) in today's (Beijing) usage."""
    # Placeholder: the counting is written with the usage queries (issue 16, item 7).
    del redis, app, cost, throttled, error_codes
