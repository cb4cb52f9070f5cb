"""A mini-program's token reaches only what its scopes allow, and never the citizen's account controls."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from litestar.testing import AsyncTestClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from backend.db import tables as t
from backend.identity import sso
from backend.identity.models import SubjectType
from backend.identity.sessions import Sessions as SessionStore
from backend.identity.sessions import SessionState
from tests.support.gql import as_user
from tests.support.identity import login, third_party_token

pytestmark = pytest.mark.usefixtures("fresh_redis")
Sessions = async_sessionmaker[AsyncSession]


async def test_me_shows_a_pairwise_id_and_only_the_granted_numbers(
    api: AsyncTestClient[Any], db: Sessions, fresh_redis: Any
) -> None:
    await login(api, db, "13800138000")
    token, citizen_id = await third_party_token(api, db, fresh_redis, "13800138000", ["openid", "profile"])
    _, body = await as_user(api, token, "{ me { id name phone idNumber } }")
    me = body["data"]["me"]
    assert me["name"] == "李明" and me["phone"] is None and me["idNumber"] is None
    assert me["id"] != citizen_id
    with_phone, _ = await third_party_token(api, db, fresh_redis, "13800138000", ["openid", "profile", "phone"])
    _, body = await as_user(api, with_phone, "{ me { id phone idNumber } }")
    assert body["data"]["me"]["phone"] == "+8613800138000" and body["data"]["me"]["idNumber"] is None
    assert body["data"]["me"]["id"] != me["id"]  # another app, another pairwise id


async def test_account_controls_are_for_the_platforms_own_app(
    api: AsyncTestClient[Any], db: Sessions, fresh_redis: Any
) -> None:
    first_party = (await login(api, db, "13912380001"))["accessToken"]
    token, _ = await third_party_token(api, db, fresh_redis, "13912380001", ["openid", "profile"])
    for query in (
        "{ mySessions { id } }",
        "{ myConsents { clientId } }",
        "mutation { logoutEverywhere { revokedCount } }",
        'mutation { revokeSession(sessionId: "x") { revoked } }',
        'mutation { revokeConsent(clientId: "x") { revoked } }',
        'mutation { verifyRealName(name: "x", idNumber: "x") { errors { code } } }',
    ):
        _, body = await as_user(api, token, query)
        assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN", query
    assert (await as_user(api, first_party, "{ me { phone } }"))[0] == 200


async def test_logout_everywhere_also_ends_the_browser_sign_in(
    api: AsyncTestClient[Any], db: Sessions, fresh_redis: Any
) -> None:
    tokens = await login(api, db, "13912380002")
    async with db() as session:
        citizen_id = (
            await session.execute(select(t.citizens.c.id).where(t.citizens.c.phone == "13912380002"))
        ).scalar_one()
    browser = await sso.start(fresh_redis, citizen_id)
    assert await sso.is_live(fresh_redis, browser, citizen_id)
    await as_user(api, tokens["accessToken"], "mutation { logoutEverywhere { revokedCount } }")
    assert not await sso.is_live(fresh_redis, browser, citizen_id)


async def test_a_refresh_racing_a_revocation_cannot_revive_the_session(db: Sessions, fresh_redis: Any) -> None:
    store = SessionStore(None, fresh_redis, lifetime=timedelta(days=1))  # type: ignore[arg-type]
    await fresh_redis.set("session:s1", b"revoked")
    await store._cache("s1", SessionState(SubjectType.CITIZEN, "c", "app", [], False, 9_999_999_999.0))
    assert await fresh_redis.get("session:s1") == b"revoked"
