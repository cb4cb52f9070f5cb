"""CORS: a web page on a registered client's redirect origin may call /graphql and the token
endpoints; any other origin gets no CORS headers, and a newly registered client's origin works soon."""

from __future__ import annotations

import time
from typing import Any

import pytest
from litestar.testing import AsyncTestClient
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from backend.identity import clients
from backend.rest.cors import ORIGINS_TTL_SECONDS, origin_of
from tests.support.gql import as_user
from tests.support.identity import staff_token

pytestmark = pytest.mark.usefixtures("fresh_redis")
Sessions = async_sessionmaker[AsyncSession]

PAGE = "http://127.0.0.1:8100"
CREATE_CLIENT = """mutation($i: CreateClientInput!) { createOauthClient(input: $i) {
    client { clientId } errors { code } } }"""


async def _register(db: Sessions, redirect_uri: str) -> str:
    async with db() as session, session.begin():
        client, _ = await clients.create_client(
            session, name="Tracker", redirect_uris=[redirect_uri], scopes=["openid"], confidential=False
        )
    return client.client_id


def _preflight_headers(origin: str, method: str = "POST") -> dict[str, str]:
    return {
        "origin": origin,
        "access-control-request-method": method,
        "access-control-request-headers": "authorization, content-type",
    }


def _cors(headers: Any) -> dict[str, str]:
    return {k.lower(): v for k, v in headers.items() if k.lower().startswith("access-control-")}


async def test_a_registered_origin_may_call_graphql_and_the_token_endpoint(
    api: AsyncTestClient[Any], db: Sessions
) -> None:
    client_id = await _register(db, f"{PAGE}/callback")
    for path in ("/graphql", "/oauth/token", "/oauth/revoke", "/oauth/userinfo"):
        preflight = await api.options(path, headers=_preflight_headers(PAGE))
        assert preflight.status_code == 204, path
        assert _cors(preflight.headers) == {
            "access-control-allow-origin": PAGE,
            "access-control-allow-methods": "GET, POST",
            "access-control-allow-headers": "authorization, content-type, accept-language",
            "access-control-max-age": "600",
        }, path
        assert "origin" in preflight.headers["vary"].lower()

    answer = await api.post("/graphql", json={"query": "{ bundles { code } }"}, headers={"origin": PAGE})
    assert answer.status_code == 200 and len(answer.json()["data"]["bundles"]) == 10
    assert answer.headers["access-control-allow-origin"] == PAGE
    assert answer.headers["access-control-expose-headers"] == "Retry-After, ETag, X-Request-ID"
    assert "access-control-allow-credentials" not in answer.headers
    assert "Origin" in answer.headers.get_list("vary")

    # The token endpoint's refusal is readable by the page too (it must show "sign in again").
    refused = await api.post(
        "/oauth/token",
        data={"grant_type": "refresh_token", "refresh_token": "gone", "client_id": client_id},
        headers={"origin": PAGE},
    )
    assert refused.status_code == 400 and refused.json()["error"] == "invalid_grant"
    assert refused.headers["access-control-allow-origin"] == PAGE


async def test_any_other_origin_gets_no_cors_headers(api: AsyncTestClient[Any], db: Sessions) -> None:
    await _register(db, f"{PAGE}/callback")
    for origin in ("https://evil.example", "http://127.0.0.1:8101", "null", "http://127.0.0.1:8100.evil.example"):
        preflight = await api.options("/graphql", headers=_preflight_headers(origin))
        assert preflight.status_code == 204 and _cors(preflight.headers) == {}, origin
        answer = await api.post("/graphql", json={"query": "{ bundles { code } }"}, headers={"origin": origin})
        assert answer.status_code == 200 and _cors(answer.headers) == {}, origin
    # Paths outside /graphql and the token endpoints never answer CORS, even for a registered origin.
    discovery = await api.get("/.well-known/openid-configuration", headers={"origin": PAGE})
    assert _cors(discovery.headers) == {}


async def test_a_newly_registered_client_works_once_the_cache_is_older_than_its_ttl(
    api: AsyncTestClient[Any], db: Sessions
) -> None:
    origins = api.app.state.cors_origins
    now = time.monotonic()
    origins.clock = lambda: now
    newcomer = "https://library-mp.example.cn"
    before = await api.options("/graphql", headers=_preflight_headers(newcomer))
    assert _cors(before.headers) == {}

    # Registered by an admin (on this instance or another: the cache does not know which).
    admin = await staff_token(api, "admin")
    registration = {"name": "Library", "redirectUris": [f"{newcomer}/cb"], "scopes": ["openid"]}
    _, body = await as_user(api, admin, CREATE_CLIENT, {"i": registration})
    assert body["data"]["createOauthClient"]["errors"] == []
    still = await api.options("/graphql", headers=_preflight_headers(newcomer))
    assert _cors(still.headers) == {}  # within the TTL the process answers from memory

    origins.clock = lambda: now + ORIGINS_TTL_SECONDS + 0.1
    after = await api.options("/graphql", headers=_preflight_headers(newcomer, "GET"))
    assert after.status_code == 204 and after.headers["access-control-allow-origin"] == newcomer


def test_an_origin_is_what_a_browser_sends() -> None:
    assert origin_of("http://127.0.0.1:8100/callback?x=1") == "http://127.0.0.1:8100"
    assert origin_of("https://MP.Example.cn:443/cb") == "https://mp.example.cn"
    assert origin_of("https://mp.example.cn:8443/cb") == "https://mp.example.cn:8443"
    assert origin_of("http://[::1]:8100/cb") == "http://[::1]:8100"
    assert origin_of("com.example.app:/callback") is None
