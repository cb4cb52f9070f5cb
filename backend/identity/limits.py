"""Rate limits in Redis: fixed windows counted per key (phone, account, client address)."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

from redis.asyncio import Redis

from backend.errors import CommonErrorCode, DomainError


@dataclass(frozen=True)
class Limit:
    """At most `count` events per `seconds` window."""

    count: int
    seconds: int


def address_key(ip: str) -> str:
    """The unit a per-address limit counts: an IPv4 address, or an IPv6 /64 (one subscriber's network)."""
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return ip
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.IPv6Network((address, 64), strict=False))
    return str(address)


def rate_limited(seconds: int) -> DomainError:
    """RATE_LIMITED after `seconds`: the count for clients (retryAfter), and the wait as a person reads it.

    A day's limit says "24 hours", not "86400 seconds": seconds up to two minutes, then minutes up to
    two hours, then hours, each rounded up so nobody comes back too early.
    """
    if seconds < 120:
        amount, unit = seconds, ("秒", "秒", "second")
    elif seconds < 7200:
        amount, unit = -(-seconds // 60), ("分钟", "分鐘", "minute")
    else:
        amount, unit = -(-seconds // 3600), ("小时", "小時", "hour")
    plural = "" if amount == 1 else "s"
    wait = {"zh-Hans": f"{amount} {unit[0]}", "zh-Hant": f"{amount} {unit[1]}", "en": f"{amount} {unit[2]}{plural}"}
    return DomainError(CommonErrorCode.RATE_LIMITED, seconds=seconds, wait=wait)


async def hit(redis: Redis, key: str, limit: Limit) -> int:
    """Count one event; 0 when within the limit, else the seconds until the window ends."""
    pipe = redis.pipeline()
    # Start the window on the first event (SET NX EX works on the embedded Redis 6.2 too).
    pipe.set(key, 0, ex=limit.seconds, nx=True)
    pipe.incr(key)
    pipe.ttl(key)
    _, count, ttl = await pipe.execute()
    if int(count) > limit.count:
        return max(int(ttl), 1)
    return 0


async def check_limits(redis: Redis, checks: list[tuple[str, Limit]]) -> None:
    """Count one event against every limit; RATE_LIMITED with the longest wait if any is exceeded."""
    waits = [await hit(redis, key, limit) for key, limit in checks]
    if max(waits, default=0):
        raise rate_limited(max(waits))


# Give one event back, unless its window ended meanwhile (a DECR would leave a counter with no expiry).
_GIVE_BACK = "if redis.call('exists', KEYS[1]) == 1 then return redis.call('decr', KEYS[1]) end return 0"


async def take_within_limits(redis: Redis, checks: list[tuple[str, Limit]]) -> None:
    """Count one event against every limit, or against none: a refused event is given back everywhere.

    RATE_LIMITED (`seconds`: the longest wait) when any limit is exceeded. For events that cost
    something only when they happen (an SMS sent): a refused request must not use up a later one.
    """
    waits = [await hit(redis, key, limit) for key, limit in checks]
    if max(waits, default=0):
        await give_back(redis, checks)
        raise rate_limited(max(waits))


async def give_back(redis: Redis, checks: list[tuple[str, Limit]]) -> None:
    """Uncount one event taken against every limit (it did not happen after all)."""
    for key, _ in checks:
        await redis.eval(_GIVE_BACK, 1, key)


async def refuse_if_exceeded(redis: Redis, checks: list[tuple[str, Limit]]) -> None:
    """RATE_LIMITED if any counter is already past its limit; counts nothing (failures are counted after)."""
    pipe = redis.pipeline()
    for key, _ in checks:
        pipe.get(key)
        pipe.ttl(key)
    answers = await pipe.execute()
    waits = [
        max(int(ttl), 1)
        for (_, limit), count, ttl in zip(checks, answers[::2], answers[1::2], strict=True)
        if count is not None and int(count) >= limit.count
    ]
    if waits:
        raise rate_limited(max(waits))


async def count(redis: Redis, checks: list[tuple[str, Limit]]) -> None:
    """Count one event (a failure) against every limit, without refusing anything now."""
    for key, limit in checks:
        await hit(redis, key, limit)
