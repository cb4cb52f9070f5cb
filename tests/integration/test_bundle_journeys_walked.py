"""Issue 14, walked on a running server: what a citizen reads when the journey refuses them.

A citizen who has used up their real-name tries for the day is told when to come back in words a
person reads ("24 hours"), not as a count of seconds ("86400 seconds")."""

from __future__ import annotations

from typing import Any

import pytest
from litestar.testing import AsyncTestClient
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from backend.errors import DomainError
from backend.identity.limits import rate_limited
from tests.support import factories
from tests.support.gql import run

VERIFY = "mutation($n: String!, $i: String!) { verifyRealName(name: $n, idNumber: $i) { errors { code message } } }"
REQUEST = "mutation($p: String!) { requestLoginCode(phone: $p) { sent retryAfter errors { code message } } }"


@pytest.fixture
async def unverified(
    api: AsyncTestClient[Any], db: async_sessionmaker[AsyncSession], fresh_redis: Any
) -> factories.Citizen:
    return await factories.citizen(api, db, verified=False)


async def test_a_citizen_out_of_real_name_tries_is_told_to_come_back_in_hours_not_seconds(
    api: AsyncTestClient[Any], unverified: factories.Citizen
) -> None:
    # Given a citizen who keeps mistyping their name until the day's tries are used up
    refusals: list[dict[str, Any]] = []
    for _ in range(6):
        answer = await run(api, unverified.token, VERIFY, {"n": "王某某", "i": unverified.id_number})
        refusals.extend(answer["verifyRealName"]["errors"])
    assert refusals[0]["code"] == "REAL_NAME_MISMATCH"
    assert refusals[-1]["code"] == "RATE_LIMITED"
    # Then they read when to come back in hours, in each language, never a count of seconds
    said = {
        locale: (await run(api, unverified.token, VERIFY, {"n": "王某某", "i": unverified.id_number}, locale))[
            "verifyRealName"
        ]["errors"][0]["message"]
        for locale in ("zh-CN", "zh-TW", "en")
    }
    assert said == {
        "zh-CN": "尝试次数过多，请 24 小时后再试。",
        "zh-TW": "嘗試次數過多，請 24 小時後再試。",
        "en": "Too many attempts. Please try again in 24 hours.",
    }


async def test_a_login_code_asked_again_within_the_cooldown_says_the_seconds_to_wait(
    api: AsyncTestClient[Any], db: async_sessionmaker[AsyncSession], fresh_redis: Any
) -> None:
    person = await factories.resident(db)
    sent = (await api.post("/graphql", json={"query": REQUEST, "variables": {"p": person.phone}})).json()
    assert sent["data"]["requestLoginCode"]["sent"] is True
    again = (
        await api.post(
            "/graphql", json={"query": REQUEST, "variables": {"p": person.phone}}, headers={"accept-language": "en"}
        )
    ).json()["data"]["requestLoginCode"]
    assert again["sent"] is False and 0 < again["retryAfter"] <= 60
    (error,) = again["errors"]
    assert error["message"] == f"Too many attempts. Please try again in {again['retryAfter']} seconds."


@pytest.mark.parametrize(
    ("seconds", "en", "zh_hans"),
    [
        (1, "1 second", "1 秒"),
        (60, "60 seconds", "60 秒"),
        (119, "119 seconds", "119 秒"),
        (120, "2 minutes", "2 分钟"),
        (899, "15 minutes", "15 分钟"),
        (3600, "60 minutes", "60 分钟"),
        (7200, "2 hours", "2 小时"),
        (86400, "24 hours", "24 小时"),
        (86399, "24 hours", "24 小时"),
    ],
)
def test_a_wait_is_said_in_the_largest_unit_that_reads_naturally_rounded_up(
    seconds: int, en: str, zh_hans: str
) -> None:
    error: DomainError = rate_limited(seconds)
    assert error.params["seconds"] == seconds
    assert error.params["wait"]["en"] == en and error.params["wait"]["zh-Hans"] == zh_hans
