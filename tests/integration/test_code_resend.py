"""Sign-in codes: a "resend" tapped during the cooldown is refused with how long to wait, and counts
toward no limit (ten impatient taps used to lock the phone for a day: the daily cap is ten codes)."""

from __future__ import annotations

from typing import Any

import pytest
from litestar.testing import AsyncTestClient
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tests.support import factories
from tests.support.gql import send

REQUEST = """mutation($p: String!) { requestLoginCode(phone: $p) {
  sent expiresIn retryAfter errors { code message } } }"""


async def _ask(api: AsyncTestClient[Any], phone: str) -> dict[str, Any]:
    status, body = await send(api, REQUEST, {"p": phone})
    assert status == 200 and "errors" not in body, body
    answer: dict[str, Any] = body["data"]["requestLoginCode"]
    return answer


async def test_resends_during_the_cooldown_do_not_use_up_the_daily_codes(
    api: AsyncTestClient[Any], db: async_sessionmaker[AsyncSession], fresh_redis: Any
) -> None:
    phone = (await factories.resident(db)).phone
    first = await _ask(api, phone)
    assert first == {"sent": True, "expiresIn": 300, "retryAfter": 60, "errors": []}

    for _ in range(10):
        again = await _ask(api, phone)
        assert again["sent"] is False and [e["code"] for e in again["errors"]] == ["RATE_LIMITED"], again
        assert 0 < again["retryAfter"] <= 60, again
        assert f"{again['retryAfter']} seconds" in again["errors"][0]["message"], again

    # The minute passes (its window ends): the phone gets its second code of the day, not a 24-hour lock.
    assert await fresh_redis.delete(f"otp:cooldown:{phone}") == 1
    second = await _ask(api, phone)
    assert second == {"sent": True, "expiresIn": 300, "retryAfter": 60, "errors": []}
    assert int(await fresh_redis.get(f"otp:daily:{phone}")) == 2


async def test_the_daily_cap_still_counts_every_code_sent(
    api: AsyncTestClient[Any], db: async_sessionmaker[AsyncSession], fresh_redis: Any
) -> None:
    phone = (await factories.resident(db)).phone
    for _ in range(10):
        sent = await _ask(api, phone)
        assert sent["sent"] is True, sent
        await fresh_redis.delete(f"otp:cooldown:{phone}")  # each a minute after the one before
    refused = await _ask(api, phone)
    assert [e["code"] for e in refused["errors"]] == ["RATE_LIMITED"], refused
    assert 86000 < refused["retryAfter"] <= 86400, refused


async def test_a_code_the_sms_gateway_could_not_send_counts_toward_no_limit(
    api: AsyncTestClient[Any], db: async_sessionmaker[AsyncSession], fresh_redis: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    phone = (await factories.resident(db)).phone
    sms = api.app.state.resources.identity.sms

    async def unreachable(*args: Any, **kwargs: Any) -> None:
        raise OSError("the SMS gateway is unreachable")

    with monkeypatch.context() as patched:
        patched.setattr(sms, "send", unreachable)
        _, body = await send(api, REQUEST, {"p": phone})
    assert not (body.get("data") or {}).get("requestLoginCode") and body["errors"], body
    assert await fresh_redis.get(f"otp:daily:{phone}") in (None, b"0")
    # nothing was sent: the citizen may ask again at once, with no cooldown to wait out
    assert await _ask(api, phone) == {"sent": True, "expiresIn": 300, "retryAfter": 60, "errors": []}
