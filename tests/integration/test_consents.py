"""A citizen sees which apps use their data and can withdraw that; the app's sessions end at once."""

from __future__ import annotations

from typing import Any

import pytest
from litestar.testing import AsyncTestClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from backend.db import tables as t
from backend.identity import clients, oidc
from backend.identity.models import RequestMeta, SubjectType
from backend.identity.sessions import Sessions as SessionStore
from tests.support.gql import as_user
from tests.support.identity import audit_actions, login

pytestmark = pytest.mark.usefixtures("fresh_redis")
Sessions = async_sessionmaker[AsyncSession]


async def test_my_consents_and_withdrawing_one(api: AsyncTestClient[Any], db: Sessions, fresh_redis: Any) -> None:
    from datetime import timedelta

    tokens = await login(api, db, "13912370001")
    async with db() as session, session.begin():
        citizen_id = (
            await session.execute(select(t.citizens.c.id).where(t.citizens.c.phone == "13912370001"))
        ).scalar_one()
        client, _ = await clients.create_client(
            session,
            name="Parking mini-program",
            redirect_uris=["https://parking.example.cn/cb"],
            scopes=["openid", "phone"],
        )
        await oidc.grant_consent(session, citizen_id, client.client_id, ["openid", "phone"])
        # the app holds a session of its own, as after the code exchange
        store = SessionStore(session, fresh_redis, lifetime=timedelta(days=1))
        app_session, _ = await store.create(
            SubjectType.CITIZEN, citizen_id, client.client_id, ["openid", "phone"], RequestMeta()
        )

    _, body = await as_user(
        api,
        tokens["accessToken"],
        "{ myConsents { clientId clientName scopes { scope description } } }",
        locale="zh-HK",
    )
    assert body["data"]["myConsents"] == [
        {
            "clientId": client.client_id,
            "clientName": "Parking mini-program",
            "scopes": [
                {"scope": "openid", "description": "確認是您本人（僅該應用可見的識別碼）"},
                {"scope": "phone", "description": "您的手機號碼，以及您辦件中填寫的電話號碼"},
            ],
        }
    ]
    revoke = "mutation($c: String!) { revokeConsent(clientId: $c) { revoked errors { code } } }"
    _, done = await as_user(api, tokens["accessToken"], revoke, {"c": client.client_id})
    assert done["data"]["revokeConsent"] == {"revoked": True, "errors": []}
    _, after = await as_user(api, tokens["accessToken"], "{ myConsents { clientId } }")
    assert after["data"]["myConsents"] == []
    async with db() as session:
        revoked_at = (
            await session.execute(select(t.sessions.c.revoked_at).where(t.sessions.c.id == app_session))
        ).scalar_one()
        assert revoked_at is not None
        assert await oidc.consented_scopes(session, citizen_id, client.client_id) == set()
    assert (await audit_actions(db))[-1] == "consent_revoked"
