"""Leaky buckets of query cost in Redis: one bucket per (app, subject), or per anonymous address.

A bucket holds up to `maximum` points and refills at `rate` points a second. A query takes its
requested cost when the bucket holds that much (else it waits: THROTTLED, with the seconds until it
would), and gets back what it did not use (requested - actual) once it ran. Redis keeps the buckets
with one Lua script (refill, charge what a worker spent, take), atomic across workers; the time is
Redis's own (TIME), so workers with drifting clocks agree.
"""

from __future__ import annotations

import functools
import time
import weakref

import msgspec
from redis.asyncio import Redis

from backend.identity.limits import address_key

# KEYS[1]: the bucket. ARGV: maximum, restore rate a second, points a worker already spent on its own
# since it last asked (negative: more refunded than spent; they are charged unconditionally, so the
# bucket may go below zero: the caller's debt, repaid by waiting), points to take now (all or nothing;
# 0 to read). Returns {taken (1/0), points left, seconds to wait for the points asked (0 when taken)};
# points as a string, for Lua numbers become integers on the way out.
_SCRIPT = """
local maximum = tonumber(ARGV[1])
local rate = tonumber(ARGV[2])
local spent = tonumber(ARGV[3])
local points = tonumber(ARGV[4])
local clock = redis.call('TIME')
local now = tonumber(clock[1]) + tonumber(clock[2]) / 1000000
local state = redis.call('HMGET', KEYS[1], 'available', 'at')
local available = tonumber(state[1]) or maximum
local at = tonumber(state[2]) or now
available = math.min(maximum, available + math.max(0, now - at) * rate)
available = math.min(maximum, available - spent)
local taken = 1
local wait = 0
if points > available then
  taken = 0
  wait = math.ceil((points - available) / rate)
else
  available = available - points
end
redis.call('HSET', KEYS[1], 'available', string.format('%.3f', available), 'at', string.format('%.6f', now))
redis.call('PEXPIRE', KEYS[1], math.ceil((maximum - available) / rate * 1000) + 1000)
return {taken, string.format('%.3f', available), wait}
"""
SYNC_SECONDS = 0.05
"""How long a worker spends from what it last saw of a bucket before it asks Redis again."""
_KEYS_KEPT = 10_000


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
    return Bucket(_address_bucket_key(ip or "unknown"), maximum, rate)


@functools.lru_cache(maxsize=4096)
def _address_bucket_key(ip: str) -> str:
    # Parsing the address takes longer than the rest of the check on a cheap query: done once per address.
    return f"cost:anonymous:{address_key(ip)}"


class _Seen:
    """What one worker knows of a bucket: what Redis said it held, when, and what this worker has spent
    from it since (charges minus refunds), not yet told to Redis."""

    __slots__ = ("at", "available", "spent")

    def __init__(self) -> None:
        self.available, self.at, self.spent = 0.0, float("-inf"), 0.0

    def estimate(self, bucket: Bucket, now: float) -> float:
        return min(bucket.maximum, self.available + (now - self.at) * bucket.rate) - self.spent


class Throttle:
    """The buckets of one Redis, as one worker uses them: `take` spends, `refund` gives back, `peek` reads.

    Asking Redis for every request would cost more than a cheap query itself (issue 16: the check may
    add at most 5%). So a worker that asked Redis less than SYNC_SECONDS ago admits a query from its own
    estimate (Redis's answer, plus refill, minus what it spent since) and tells Redis what it spent with
    its next question. Redis decides every refusal and every first request of a bucket; with several
    workers, a burst may overspend a bucket by what the others spent in the last SYNC_SECONDS, and the
    bucket then goes below zero: its caller waits that much longer (the rate over time holds).
    """

    def __init__(self, redis: Redis) -> None:
        self._script = redis.register_script(_SCRIPT)
        self._seen: dict[str, _Seen] = {}

    @classmethod
    def of(cls, redis: Redis) -> Throttle:
        """The worker's one throttle on `redis` (what it saw of the buckets lives as long as the client)."""
        throttle = _throttles.get(redis)
        if throttle is None:
            throttle = _throttles[redis] = cls(redis)
        return throttle

    def _fresh(self, bucket: Bucket) -> tuple[_Seen | None, float]:
        now = time.monotonic()
        seen = self._seen.get(bucket.key)
        return (seen if seen is not None and now - seen.at < SYNC_SECONDS else None), now

    async def _ask(self, bucket: Bucket, points: float) -> Take:
        seen = self._seen.get(bucket.key)
        if seen is None:
            if len(self._seen) >= _KEYS_KEPT:
                self._seen.clear()  # what workers spent unreported is then forgotten: at most SYNC_SECONDS' worth
            seen = self._seen[bucket.key] = _Seen()
        spent, seen.spent = seen.spent, 0.0  # told once, even to concurrent questions
        try:
            taken, available, wait = await self._script(
                keys=[bucket.key], args=[bucket.maximum, bucket.rate, spent, points]
            )
        except BaseException:
            seen.spent += spent
            raise
        seen.available, seen.at = float(available), time.monotonic()
        return Take(taken=bool(taken), available=seen.estimate(bucket, seen.at), retry_after=int(wait))

    async def take(self, bucket: Bucket, points: int) -> Take:
        """Spend `points` if the bucket holds them; else nothing is spent and retry_after says when."""
        seen, now = self._fresh(bucket)
        if seen is not None and seen.estimate(bucket, now) >= points:
            seen.spent += points
            return Take(taken=True, available=seen.estimate(bucket, now), retry_after=0)
        return await self._ask(bucket, points)

    async def refund(self, bucket: Bucket, points: int) -> Take:
        """Give back `points` a query asked for but did not use (told to Redis with the next question)."""
        seen = self._seen.get(bucket.key)
        if seen is None:  # this worker never asked (its memory of buckets was cleared): tell Redis now
            seen = self._seen[bucket.key] = _Seen()
            seen.spent = -points
            return await self._ask(bucket, 0)
        seen.spent -= points
        return Take(taken=True, available=seen.estimate(bucket, time.monotonic()), retry_after=0)

    async def peek(self, bucket: Bucket) -> Take:
        """What the bucket holds, spending nothing (a dry run, a refused query)."""
        seen, now = self._fresh(bucket)
        if seen is not None:
            return Take(taken=True, available=seen.estimate(bucket, now), retry_after=0)
        return await self._ask(bucket, 0)


_throttles: weakref.WeakKeyDictionary[Redis, Throttle] = weakref.WeakKeyDictionary()
