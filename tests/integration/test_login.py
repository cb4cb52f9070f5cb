"""Login by SMS code through GraphQL: codes, limits, constant answers, audit."""

from __future__ import annotations

from typing import Any

import pytest
from litestar.testing import AsyncTestClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from backend.db import tables as t
from tests.support.gql import as_user, gql
from tests.support.identity import LOGIN, REQUEST, audit_actions, last_code, login

pytestmark = pytest.mark.usefixtures("fresh_redis")
Sessions = async_sessionmaker[AsyncSession]


async def test_demo_citizen_signs_in_and_sees_themself(api: AsyncTestClient[Any], db: Sessions) -> None:
    tokens = await login(api, db, "13800138000")
    assert tokens["expiresIn"] == 600 and tokens["refreshToken"].startswith("rt_")
    status, body = await as_user(api, tokens["accessToken"], "{ me { name phone idNumber identityVerified } }")
    assert status == 200
    assert body["data"]["me"] == {
        "name": "李明",
        "phone": "+8613800138000",
        "idNumber": "44010619880315011X",
        "identityVerified": True,
    }


async def test_unknown_phone_gets_the_same_answer_and_an_account(api: AsyncTestClient[Any], db: Sessions) -> None:
    known = await gql(api, REQUEST, {"p": "13800138000"}, locale="en")
    unknown = await gql(api, REQUEST, {"p": "13912340001"}, locale="en")
    # Answered alike (extensions.cost is the caller's own bucket: it says nothing of the phone)
    assert known["data"] == unknown["data"] == {"requestLoginCode": {"sent": True, "expiresIn": 300, "errors": []}}
    assert "errors" not in known and "errors" not in unknown
    body = await gql(api, LOGIN, {"p": "13912340001", "c": await last_code(db, "13912340001")}, locale="en")
    token = body["data"]["login"]["accessToken"]
    _, me = await as_user(api, token, "{ me { phone idNumber identityVerified } }")
    assert me["data"]["me"] == {"phone": "+8613912340001", "idNumber": None, "identityVerified": False}


@pytest.mark.parametrize(
    ("locale", "message"),
    [
        ("zh-CN", "请输入 11 位内地手机号码。"),
        ("zh-HK", "請輸入 11 位內地手機號碼。"),
        ("en", "Enter an 11-digit mainland mobile phone number."),
    ],
)
async def test_invalid_phone_is_a_localized_payload_error(
    api: AsyncTestClient[Any], db: Sessions, locale: str, message: str
) -> None:
    body = await gql(api, REQUEST, {"p": "12345"}, locale=locale)
    assert body["data"]["requestLoginCode"] == {
        "sent": False,
        "expiresIn": None,
        "errors": [{"code": "INVALID_PHONE", "field": "phone", "message": message}],
    }


async def test_code_works_once(api: AsyncTestClient[Any], db: Sessions) -> None:
    await gql(api, REQUEST, {"p": "13912340002"})
    code = await last_code(db, "13912340002")
    first = await gql(api, LOGIN, {"p": "13912340002", "c": code}, locale="en")
    again = await gql(api, LOGIN, {"p": "13912340002", "c": code}, locale="en")
    assert first["data"]["login"]["errors"] == []
    assert again["data"]["login"]["errors"][0]["code"] == "LOGIN_CODE_INVALID"


async def test_five_wrong_tries_then_locked(api: AsyncTestClient[Any], db: Sessions) -> None:
    await gql(api, REQUEST, {"p": "13912340003"})
    code = await last_code(db, "13912340003")
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    for _ in range(5):
        body = await gql(api, LOGIN, {"p": "13912340003", "c": wrong}, locale="en")
        assert body["data"]["login"]["errors"][0]["code"] == "LOGIN_CODE_INVALID"
    locked = await gql(api, LOGIN, {"p": "13912340003", "c": code}, locale="en")
    assert locked["data"]["login"]["errors"][0]["code"] == "LOGIN_CODE_LOCKED"
    assert locked["data"]["login"]["accessToken"] is None


async def test_code_expires_after_five_minutes(api: AsyncTestClient[Any], db: Sessions, fresh_redis: Any) -> None:
    await gql(api, REQUEST, {"p": "13912340004"})
    assert 295 <= await fresh_redis.ttl("otp:code:13912340004") <= 300
    await fresh_redis.delete("otp:code:13912340004")  # what Redis does when the TTL runs out
    body = await gql(api, LOGIN, {"p": "13912340004", "c": await last_code(db, "13912340004")}, locale="en")
    assert body["data"]["login"]["errors"][0]["code"] == "LOGIN_CODE_INVALID"


async def test_resend_is_rate_limited_per_phone(api: AsyncTestClient[Any], db: Sessions) -> None:
    await gql(api, REQUEST, {"p": "13912340005"})
    again = await gql(api, REQUEST, {"p": "13912340005"}, locale="en")
    error = again["data"]["requestLoginCode"]["errors"][0]
    assert error["code"] == "RATE_LIMITED"
    assert error["message"].startswith("Too many attempts. Please try again in ")


async def test_requests_are_rate_limited_per_client_address(api: AsyncTestClient[Any], db: Sessions) -> None:
    results = [await gql(api, REQUEST, {"p": f"1391235{i:04d}"}) for i in range(31)]
    codes = [
        r["data"]["requestLoginCode"]["errors"][0]["code"] if r["data"]["requestLoginCode"]["errors"] else None
        for r in results
    ]
    assert codes[:30] == [None] * 30
    assert codes[30] == "RATE_LIMITED"


async def test_logins_and_failures_are_audited_with_masked_phones(api: AsyncTestClient[Any], db: Sessions) -> None:
    # Given a fresh database: the demo seed audits nothing
    assert await audit_actions(db) == []
    # When a phone asks for a code, logs in with a wrong one, then the right one
    await gql(api, REQUEST, {"p": "13912340006"})
    await gql(
        api, LOGIN, {"p": "13912340006", "c": "000000" if await last_code(db, "13912340006") != "000000" else "111111"}
    )
    await gql(api, LOGIN, {"p": "13912340006", "c": await last_code(db, "13912340006")})
    # Then exactly those three events are audited, the phone masked in each
    assert await audit_actions(db) == ["login_code_sent", "login_failed", "login"]
    async with db() as session:
        details = list((await session.execute(select(t.audit_events.c.detail).order_by(t.audit_events.c.id))).scalars())
    assert {"phone": "139****0006", "reason": "LOGIN_CODE_INVALID"} in details
    assert not any("13912340006" in str(d) for d in details)
