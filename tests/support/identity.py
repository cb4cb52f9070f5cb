"""Signing in through the real API, as users do: a citizen requests a code, reads it from the SMS
stand-in's outbox and logs in; staff log in with a password."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
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
from standins.population.generate import DEMO_PHONE
from standins.seed import DEMO_PASSWORD
from standins.sms import outbox
from tests.support.gql import Client, gql

CodeReader = Callable[[str], Awaitable[str]]  # phone -> the newest login code sent to it
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


async def login(client: Client, db: async_sessionmaker[AsyncSession] | CodeReader, phone: str) -> dict[str, Any]:
    """Tokens for `phone` (the account is created on first login). The SMS code is read from the
    stand-in's outbox in `db`, or by `db` itself when it is a reader (an e2e test asks the CLI)."""
    read: CodeReader = db if callable(db) and not isinstance(db, async_sessionmaker) else _outbox_reader(db)
    sent = await gql(client, REQUEST, {"p": phone}, locale="en")
    assert sent["data"]["requestLoginCode"]["errors"] == [], sent
    body = await gql(client, LOGIN, {"p": phone, "c": await read(phone)}, locale="en")
    payload: dict[str, Any] = body["data"]["login"]
    assert payload["errors"] == [], payload
    return payload


def _outbox_reader(db: async_sessionmaker[AsyncSession]) -> CodeReader:
    async def read(phone: str) -> str:
        return await last_code(db, phone)

    return read


async def citizen_token(
    client: Client, db: async_sessionmaker[AsyncSession] | CodeReader, phone: str = DEMO_PHONE
) -> str:
    """An access token of a citizen (the demo citizen is verified by the seed)."""
    token: str = (await login(client, db, phone))["accessToken"]
    return token


async def http_login(base_url: str, db: async_sessionmaker[AsyncSession], phone: str) -> str:
    """An access token for `phone` through a server on a real port."""
    async with httpx.AsyncClient(base_url=base_url, timeout=30) as client:
        return await citizen_token(client, db, phone)


async def staff_login(
    client: Client, username: str, password: str = DEMO_PASSWORD, *, locale: str = "en"
) -> dict[str, Any]:
    """The staffLogin payload (tokens, or errors) of a staff member."""
    body = await gql(client, STAFF_LOGIN, {"u": username, "p": password}, locale=locale)
    payload: dict[str, Any] = body["data"]["staffLogin"]
    return payload


async def staff_token(client: Client, username: str) -> str:
    """An access token of a demo staff member."""
    payload = await staff_login(client, username)
    assert payload["errors"] == [], payload
    token: str = payload["accessToken"]
    return token


async def audit_actions(db: async_sessionmaker[AsyncSession]) -> list[str]:
    """Every audit action recorded so far, oldest first."""
    async with db() as session:
        rows = await session.execute(select(t.audit_events.c.action).order_by(t.audit_events.c.id))
        return list(rows.scalars())


async def third_party_token(
    api: AsyncTestClient[Any],
    db: async_sessionmaker[AsyncSession],
    redis: Any,
    phone: str,
    scopes: list[str],
    client_id: str | None = None,
    *,
    documents_only: bool = False,
) -> tuple[str, str]:
    """(access token, citizen id) of a mini-program session, as after the code exchange; of a new
    mini-program, or of the one registered as `client_id`."""
    async with db() as session, session.begin():
        citizen_id = (await session.execute(select(t.citizens.c.id).where(t.citizens.c.phone == phone))).scalar_one()
        if client_id is None:
            client, _ = await clients.create_client(
                session,
                name="Some mini-program",
                redirect_uris=["https://mp.example.cn/cb"],
                scopes=scopes,
                documents_only=documents_only,
            )
            client_id = client.client_id
        await oidc.grant_consent(session, citizen_id, client_id, scopes)
        store = SessionStore(session, redis, lifetime=timedelta(days=1))
        session_id, _ = await store.create(SubjectType.CITIZEN, citizen_id, client_id, scopes, RequestMeta())
    identity = api.app.state.resources.identity
    subject = oidc.pairwise_subject(identity.pairwise_key, client_id, citizen_id)
    token = identity.tokens.access_token(subject=subject, session_id=session_id, client_id=client_id, scopes=scopes)
    return token, citizen_id
