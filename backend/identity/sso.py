"""Browser sign-in sessions at the identity provider (behind the SSO cookie), revocable at once.

The cookie only names a session; the session itself lives in Redis, so "sign out everywhere" and a
refresh-token reuse alarm end it too. Losing Redis only means signing in again.
"""

from __future__ import annotations

import secrets

from redis.asyncio import Redis

SSO_SECONDS = 8 * 3600


def _key(sso_id: str) -> str:
    return f"sso:{sso_id}"


def _index(citizen_id: str) -> str:
    return f"sso:citizen:{citizen_id}"


async def start(redis: Redis, citizen_id: str) -> str:
    """A new browser session for the citizen; its id goes into the cookie."""
    sso_id = secrets.token_urlsafe(24)
    pipe = redis.pipeline()
    pipe.set(_key(sso_id), citizen_id.encode(), ex=SSO_SECONDS)
    pipe.sadd(_index(citizen_id), sso_id)
    pipe.expire(_index(citizen_id), SSO_SECONDS)
    await pipe.execute()
    return sso_id


async def is_live(redis: Redis, sso_id: str, citizen_id: str) -> bool:
    """Whether the browser session still exists and belongs to the citizen."""
    value: bytes | str | None = await redis.get(_key(sso_id))
    if isinstance(value, bytes):
        value = value.decode()
    return value == citizen_id


async def end_all(redis: Redis, citizen_id: str) -> None:
    """End every browser session of the citizen."""
    members = await redis.smembers(_index(citizen_id))
    keys = [_key(m.decode() if isinstance(m, bytes) else m) for m in members]
    if keys:
        await redis.delete(*keys, _index(citizen_id))
