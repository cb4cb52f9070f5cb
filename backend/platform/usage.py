"""Per app and day: requests, cost spent, throttled requests and errors by code.

Today's numbers live in Redis, one hash per app and Beijing day, counted with one round trip per request.
A Redis flush must not lose a developer's history, so closed days (before today in Beijing) are copied to
the api_usage table (`persist_closed_days`: whenever usage is read, and by `onewindow usage persist`, for a
deployment's daily timer). A day is read from its hash while Redis still holds it, from the table otherwise.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import msgspec
import structlog
from redis.asyncio import Redis
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from backend.db import tables as t
from backend.outages import UNAVAILABLE

log = structlog.get_logger("backend.platform.usage")

ANONYMOUS_APP = "anonymous"
"""The app name under which calls without a token are counted."""

BEIJING = ZoneInfo("Asia/Shanghai")
# A hash outlives its day long enough for a missed daily copy to be caught up (and the longest read, 90
# days, mostly comes from the table anyway).
KEEP_SECONDS = 40 * 24 * 3600
MAX_DAYS = 90
_PREFIX = "usage:"
# Every hash written in the last KEEP_SECONDS, so the copy never scans the keyspace.
_INDEX = "usage:keys"
_ERROR = "err:"


class UsageDay(msgspec.Struct, frozen=True):
    """What one app asked of the API on one Beijing day."""

    day: date
    requests: int = 0
    cost: int = 0
    throttled: int = 0
    errors: dict[str, int] = msgspec.field(default_factory=dict)  # code -> how many


def beijing_today() -> date:
    """Today's date in Beijing: the day a request is counted in (tests move it to simulate midnight)."""
    return datetime.now(UTC).astimezone(BEIJING).date()


def _key(app: str, day: date) -> str:
    return f"{_PREFIX}{day.isoformat()}:{app}"


def _parse_key(key: str) -> tuple[str, date] | None:
    """(app, day) of a usage hash's key; None for anything else."""
    day, _, app = key.removeprefix(_PREFIX).partition(":")
    try:
        return app, date.fromisoformat(day)
    except ValueError:
        return None


async def record_request(redis: Redis, app: str, *, cost: int, throttled: bool, error_codes: Sequence[str]) -> None:
    """Count one GraphQL request of `app` (a client id, or ANONYMOUS_APP) in today's (Beijing) usage."""
    key = _key(app, beijing_today())
    pipe = redis.pipeline(transaction=False)
    pipe.hincrby(key, "requests", 1)
    if cost:
        pipe.hincrby(key, "cost", cost)
    if throttled:
        pipe.hincrby(key, "throttled", 1)
    for code in error_codes:
        pipe.hincrby(key, _ERROR + code, 1)
    pipe.expire(key, KEEP_SECONDS)
    pipe.sadd(_INDEX, key)
    pipe.expire(_INDEX, KEEP_SECONDS)
    try:
        await pipe.execute()
    except UNAVAILABLE as error:
        # Counting is bookkeeping: an unreachable Redis must not fail the caller's request with it.
        log.warning("usage.not_counted", app=app, error=type(error).__name__)


def _from_hash(day: date, fields: dict[Any, Any]) -> UsageDay:
    values = {_text(name): int(value) for name, value in fields.items()}
    errors = {name.removeprefix(_ERROR): n for name, n in sorted(values.items()) if name.startswith(_ERROR)}
    return UsageDay(day, values.get("requests", 0), values.get("cost", 0), values.get("throttled", 0), errors)


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value


async def _hashes(redis: Redis, keys: Sequence[str]) -> list[dict[Any, Any]]:
    pipe = redis.pipeline(transaction=False)
    for key in keys:
        pipe.hgetall(key)
    return list(await pipe.execute()) if keys else []


async def persist_closed_days(session: AsyncSession, redis: Redis, *, today: date | None = None) -> int:
    """Copy the closed days Redis holds and the table lacks to api_usage, and commit; how many (app, day)
    rows were written.

    A copy sets a row to its hash's numbers (never adds to them), so copying twice is harmless. Once
    committed, the days leave the index of days to copy (their hashes stay, for reading, until they
    expire): a crash in between only means they are copied again next time.
    """
    today = today or beijing_today()
    indexed = sorted(_text(k) for k in await redis.smembers(_INDEX))
    closed = [(key, parsed) for key in indexed if (parsed := _parse_key(key)) is not None and parsed[1] < today]
    if not closed:
        return 0
    counted = await _hashes(redis, [key for key, _ in closed])
    written = 0
    for (_, (app, day)), fields in zip(closed, counted, strict=True):
        if fields:  # an empty one expired: nothing is left to copy
            await _upsert(session, app, _from_hash(day, fields))
            written += 1
    await session.commit()
    await redis.srem(_INDEX, *(key for key, _ in closed))
    return written


def _from_row(row: Any) -> UsageDay:
    return UsageDay(row.day, row.requests, row.cost, row.throttled, dict(sorted(row.errors.items())))


async def _upsert(session: AsyncSession, app: str, row: UsageDay) -> None:
    """Insert or overwrite one (app, day) row; PostgreSQL and SQLite spell it the same way."""
    numbers = {"requests": row.requests, "cost": row.cost, "throttled": row.throttled, "errors": row.errors}
    key = {"app": app, "day": row.day}
    if session.bind.dialect.name == "postgresql":
        from sqlalchemy.dialects import postgresql

        upsert: Any = postgresql.insert(t.api_usage).values(**key, **numbers)
    else:
        from sqlalchemy.dialects import sqlite

        upsert = sqlite.insert(t.api_usage).values(**key, **numbers)
    await session.execute(upsert.on_conflict_do_update(index_elements=["app", "day"], set_=numbers))


async def daily_usage(
    session: AsyncSession, redis: Redis | None, app: str, days: int, *, today: date | None = None
) -> list[UsageDay]:
    """The app's last `days` Beijing days, today last, days without requests included as zeros: each
    day from Redis while it holds it, from the table otherwise (only the table without a Redis)."""
    today = today or beijing_today()
    wanted = [today - timedelta(days=back) for back in range(days - 1, -1, -1)]
    u = t.api_usage
    rows = await session.execute(select(u).where(u.c.app == app, u.c.day >= wanted[0], u.c.day <= today))
    stored = {r.day: _from_row(r) for r in rows}
    live = await _hashes(redis, [_key(app, day) for day in wanted]) if redis else [{} for _ in wanted]
    return [
        _from_hash(day, fields) if fields else stored.get(day, UsageDay(day))
        for day, fields in zip(wanted, live, strict=True)
    ]
