"""One-time login codes sent by SMS, kept in Redis (losing them only means asking for a new one).

A code lives 5 minutes, works once, and allows 5 wrong tries. Requests are rate limited per phone
and per client address. Codes are stored as keyed hashes and compared in constant time.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from redis.asyncio import Redis

from backend.errors import DomainError
from backend.identity.errors import IdentityErrorCode
from backend.identity.limits import Limit, address_key, check_limits, give_back, take_within_limits

SANDBOX_CODE = "000000"
"""What a sandbox app's personas sign in with (no SMS is sent); a code sent by SMS is never this one."""
CODE_SECONDS = 300
MAX_WRONG_TRIES = 5


PER_PHONE_COOLDOWN = Limit(1, 60)
PER_PHONE_DAILY = Limit(10, 86400)
PER_ADDRESS_HOURLY = Limit(30, 3600)
LOGIN_PER_ADDRESS = Limit(60, 3600)


class LoginCodes:
    """Issues and checks login codes for phone numbers."""

    def __init__(self, redis: Redis, hash_key: bytes) -> None:
        self._redis = redis
        self._hash_key = hash_key

    def _digest(self, phone: str, code: str) -> bytes:
        return hmac.new(self._hash_key, f"{phone}:{code}".encode(), hashlib.sha256).digest()

    async def issue(self, phone: str, address: str | None) -> str:
        """A fresh code for `phone` (replacing any earlier one), within the rate limits.

        Only a code sent counts: a request refused (a "resend" tapped during the cooldown) counts toward
        no limit, so impatient taps cannot use up the phone's daily codes.
        """
        await take_within_limits(self._redis, self._limits(phone, address))
        code = f"{secrets.randbelow(999_999) + 1:06d}"  # 000001-999999: never the sandbox code
        pipe = self._redis.pipeline()
        pipe.set(f"otp:code:{phone}", self._digest(phone, code), ex=CODE_SECONDS)
        pipe.delete(f"otp:tries:{phone}")
        await pipe.execute()
        return code

    async def withdraw(self, phone: str, address: str | None) -> None:
        """The code just issued could not be sent: forget it, and it counts toward no limit."""
        await give_back(self._redis, self._limits(phone, address))
        await self._redis.delete(f"otp:code:{phone}")

    @staticmethod
    def _limits(phone: str, address: str | None) -> list[tuple[str, Limit]]:
        checks = [(f"otp:cooldown:{phone}", PER_PHONE_COOLDOWN), (f"otp:daily:{phone}", PER_PHONE_DAILY)]
        if address:
            checks.append((f"otp:address:{address_key(address)}", PER_ADDRESS_HOURLY))
        return checks

    async def consume(self, phone: str, code: str, address: str | None) -> None:
        """Accept the code once; LOGIN_CODE_INVALID, LOGIN_CODE_LOCKED or RATE_LIMITED otherwise."""
        if address:
            await check_limits(self._redis, [(f"login:address:{address_key(address)}", LOGIN_PER_ADDRESS)])
        key, tries_key = f"otp:code:{phone}", f"otp:tries:{phone}"
        pipe = self._redis.pipeline()
        pipe.set(tries_key, 0, ex=CODE_SECONDS, nx=True)
        pipe.incr(tries_key)
        pipe.get(key)
        _, tries, stored = await pipe.execute()
        if int(tries) > MAX_WRONG_TRIES:
            await self._redis.delete(key)
            raise DomainError(IdentityErrorCode.LOGIN_CODE_LOCKED, field="code")
        # Compare digests of equal length in constant time, even when there is no stored code.
        expected = stored if stored is not None else b"\0" * 32
        matches = hmac.compare_digest(expected, self._digest(phone, code.strip()))
        # Only the request that deletes the code wins: a code cannot log in twice, even concurrently.
        if not matches or stored is None or await self._redis.delete(key) != 1:
            raise DomainError(IdentityErrorCode.LOGIN_CODE_INVALID, field="code")
        await self._redis.delete(tries_key)
