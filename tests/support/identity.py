"""Sign in through the real API: request a code, read it from the SMS outbox, log in."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import httpx
from litestar.testing import AsyncTestClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from backend.db import tables as t
from backend.identity import clients, oidc
from backend.identity.models import RequestMeta, SubjectType
from backend.identity.sessions import Sessions as SessionStore
from backend.identity.sms import outbox
from tests.support.gql import gql

LOGIN = (
    "mutation($p: String!, $c: String!) { login(phone: $p, code: $c) "
    "{ accessToken refreshToken expiresIn errors { code field message } } }"
)
REQUEST = "mutation($p: String!) { requestLoginCode(phone: $p) { sent expiresIn errors { code field message } } }"
STAFF_LOGIN = (
    "mutation($u: String!, $p: String!) { staffLogin(username: $u, password: $p) "
    "{ accessToken refreshToken errors { code } } }"
)


async def last_code(db: async_sessionmaker[AsyncSession], phone: str) -> str:
    """The newest code the SMS stand-in holds for `phone`."""
    async with db() as session:
        messages = await outbox(session, phone)
    assert messages, f"no SMS for {phone}"
    found = re.search(r"\b(\d{6})\b", messages[-1][2])
    assert found
    return found.group(1)


async def login(api: AsyncTestClient[Any], db: async_sessionmaker[AsyncSession], phone: str) -> dict[str, Any]:
    """Tokens for `phone` (the account is created on first login)."""
    sent = await gql(api, REQUEST, {"p": phone}, locale="en")
    assert sent["data"]["requestLoginCode"]["errors"] == [], sent
    body = await gql(api, LOGIN, {"p": phone, "c": await last_code(db, phone)}, locale="en")
    payload: dict[str, Any] = body["data"]["login"]
    assert payload["errors"] == [], payload
    return payload


async def http_login(base_url: str, db: async_sessionmaker[AsyncSession], phone: str) -> str:
    """An access token for `phone` through a server on a real port (SMS code read from the stand-in)."""
    async with httpx.AsyncClient(base_url=base_url, timeout=30) as client:
        sent = (await client.post("/graphql", json={"query": REQUEST, "variables": {"p": phone}})).json()
        assert sent["data"]["requestLoginCode"]["errors"] == [], sent
        code = await last_code(db, phone)
        body = (await client.post("/graphql", json={"query": LOGIN, "variables": {"p": phone, "c": code}})).json()
    token: str = body["data"]["login"]["accessToken"]
    return token


async def as_user(
    api: AsyncTestClient[Any], token: str, query: str, variables: dict[str, Any] | None = None, locale: str = "en"
) -> tuple[int, dict[str, Any]]:
    """POST a query with a bearer token; (status, body)."""
    response = await api.post(
        "/graphql",
        json={"query": query, "variables": variables},
        headers={"authorization": f"Bearer {token}", "accept-language": locale},
    )
    return response.status_code, response.json()


async def audit_actions(db: async_sessionmaker[AsyncSession]) -> list[str]:
    """Every audit action recorded so far, oldest first."""
    async with db() as session:
        rows = await session.execute(select(t.audit_events.c.action).order_by(t.audit_events.c.id))
        return list(rows.scalars())


async def third_party_token(
    api: AsyncTestClient[Any], db: async_sessionmaker[AsyncSession], redis: Any, phone: str, scopes: list[str]
) -> tuple[str, str]:
    """(access token, citizen id) of a mini-program session, as after the code exchange."""
    async with db() as session, session.begin():
        citizen_id = (await session.execute(select(t.citizens.c.id).where(t.citizens.c.phone == phone))).scalar_one()
        client, _ = await clients.create_client(
            session, name="Some mini-program", redirect_uris=["https://mp.example.cn/cb"], scopes=scopes
        )
        await oidc.grant_consent(session, citizen_id, client.client_id, scopes)
        store = SessionStore(session, redis, lifetime=timedelta(days=1))
        session_id, _ = await store.create(SubjectType.CITIZEN, citizen_id, client.client_id, scopes, RequestMeta())
    identity = api.app.state.resources.identity
    subject = oidc.pairwise_subject(identity.pairwise_key, client.client_id, citizen_id)
    token = identity.tokens.access_token(
        subject=subject, session_id=session_id, client_id=client.client_id, scopes=scopes
    )
    return token, citizen_id
