"""Leaky buckets of query cost in Redis: one bucket per (app, subject), or per anonymous address.

A bucket holds up to `maximum` points and refills at `rate` points a second. A query takes its
requested cost when the bucket holds that much (else it waits: THROTTLED, with the seconds until it
would), and gets back what it did not use (requested - actual) once it ran. Taking and refunding are
one Lua script, so concurrent requests on several workers never both spend the same points; the time
is Redis's own (TIME), so workers with drifting clocks agree.
"""

from __future__ import annotations

import msgspec
from redis.asyncio import Redis

from backend.identity.limits import address_key

# KEYS[1]: the bucket. ARGV: maximum, restore rate a second, points to take (negative: a refund).
# A refund is never refused; a take is all or nothing. Returns {taken (1/0), points left after
# this call, seconds to wait for the points asked (0 when taken)}; points as a string, for Lua
# numbers become integers on the way out.
_SCRIPT = """
local maximum = tonumber(ARGV[1])
local rate = tonumber(ARGV[2])
local points = tonumber(ARGV[3])
local clock = redis.call('TIME')
local now = tonumber(clock[1]) + tonumber(clock[2]) / 1000000
local state = redis.call('HMGET', KEYS[1], 'available', 'at')
local available = tonumber(state[1]) or maximum
local at = tonumber(state[2]) or now
available = math.min(maximum, available + math.max(0, now - at) * rate)
local taken = 1
local wait = 0
if points > available then
  taken = 0
  wait = math.ceil((points - available) / rate)
else
  available = math.min(maximum, available - points)
end
redis.call('HSET', KEYS[1], 'available', string.format('%.3f', available), 'at', string.format('%.6f', now))
redis.call('PEXPIRE', KEYS[1], math.ceil((maximum - available) / rate * 1000) + 1000)
return {taken, string.format('%.3f', available), wait}
"""


class Bucket(msgspec.Struct, frozen=True):
    """Whose bucket (its Redis key) and its size: `maximum` points, refilled at `rate` a second."""

    key: str
    maximum: int
    rate: int


class Take(msgspec.Struct, frozen=True):
    """What a bucket answered: whether the points were taken, what it holds now, how long to wait."""

    taken: bool
    available: float
    retry_after: int


def token_bucket(app: str, subject: str, maximum: int, rate: int) -> Bucket:
    """The bucket of one signed-in subject in one app: one citizen cannot spend the app's budget for all."""
    return Bucket(f"cost:{app}:{subject}", maximum, rate)


def address_bucket(ip: str | None, maximum: int, rate: int) -> Bucket:
    """The bucket of anonymous callers at one address (an IPv6 /64 counts as one)."""
    return Bucket(f"cost:anonymous:{address_key(ip or 'unknown')}", maximum, rate)


class Throttle:
    """The buckets' one script on one Redis; `take` spends, `refund` gives back, `peek` only reads."""

    def __init__(self, redis: Redis) -> None:
        self._script = redis.register_script(_SCRIPT)

    async def _run(self, bucket: Bucket, points: float) -> Take:
        taken, available, wait = await self._script(keys=[bucket.key], args=[bucket.maximum, bucket.rate, points])
        return Take(taken=bool(taken), available=float(available), retry_after=int(wait))

    async def take(self, bucket: Bucket, points: int) -> Take:
        """Spend `points` if the bucket holds them; else nothing is spent and retry_after says when."""
        return await self._run(bucket, points)

    async def refund(self, bucket: Bucket, points: int) -> Take:
        """Give back `points` a query asked for but did not use (never above the bucket's maximum)."""
        return await self._run(bucket, -points)

    async def peek(self, bucket: Bucket) -> Take:
        """What the bucket holds, spending nothing (a dry run, a refused query)."""
        return await self._run(bucket, 0)
