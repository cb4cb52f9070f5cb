"""GET /health: is the service able to serve (database and Redis reachable)?"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable
from typing import Any

import msgspec
from litestar import Request, get
from litestar.response import Response
from sqlalchemy import text

from backend.db.migrate import head_revision
from backend.resources import Resources


class Check(msgspec.Struct):
    """One dependency's state."""

    status: str
    latency_ms: float | None = None
    detail: str | None = None


class Health(msgspec.Struct):
    """The whole health report."""

    status: str
    database: Check
    redis: Check
    version: str


_TIMEOUT = 2.0


async def _timed(work: Awaitable[str | None]) -> Check:
    started = time.perf_counter()
    try:
        detail = await asyncio.wait_for(work, _TIMEOUT)
    except Exception as exc:  # any failure is a "down" answer, never a 500 of the health check
        return Check(status="down", detail=type(exc).__name__)
    return Check(status="up", latency_ms=round((time.perf_counter() - started) * 1000, 2), detail=detail)


async def _database(resources: Resources) -> str | None:
    async with resources.sessions() as session:
        await session.execute(text("SELECT 1"))
        revision = (await session.execute(text("SELECT version_num FROM alembic_version"))).scalar_one_or_none()
    head = head_revision()
    return f"{session.bind.dialect.name}, migration {revision}" + ("" if revision == head else f" (code has {head})")


async def _redis(resources: Resources) -> str | None:
    await resources.redis.ping()
    info = await resources.redis.info("server")
    return f"redis {info.get('redis_version', '?')}"


@get("/health", include_in_schema=False)
async def health(request: Request[Any, Any, Any]) -> Response[bytes]:
    """200 with each dependency's state when all are up; 503 otherwise."""
    from backend import __version__

    resources: Resources = request.app.state.resources
    database, redis = await asyncio.gather(_timed(_database(resources)), _timed(_redis(resources)))
    up = database.status == "up" and redis.status == "up"
    body = Health(status="ok" if up else "degraded", database=database, redis=redis, version=__version__)
    return Response(
        msgspec.json.encode(body),
        status_code=200 if up else 503,
        media_type="application/json",
        headers={"cache-control": "no-store"},
    )
