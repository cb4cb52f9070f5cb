"""The one way tests send GraphQL: to the in-process app (litestar's AsyncTestClient) or to a server
on a port (httpx.AsyncClient), anonymously or with a bearer token, in a locale."""

from __future__ import annotations

from typing import Any

import httpx
from litestar.testing import AsyncTestClient

Client = AsyncTestClient[Any] | httpx.AsyncClient

# Every test calls from 127.0.0.1, many as one citizen, and reads whole pages to check every word: the
# suite's query cost buckets and per-query cap are bottomless (settings for tests/conftest.py,
# ONEWINDOW_COST_* for the servers tests/e2e starts). tests/integration/test_query_cost.py sets the real
# numbers; tests/unit/test_query_cost.py checks that the platform's own operations fit under the cap.
SUITE_COST_LIMITS: dict[str, int] = {"cost_max_query": 1_000_000} | {
    f"cost_{who}_{what}": 1_000_000
    for who in ("first_party", "third_party", "anonymous")
    for what in ("maximum", "rate")
}


async def send(
    client: Client, query: str, variables: dict[str, Any] | None = None, *, token: str | None = None, locale: str = "en"
) -> tuple[int, dict[str, Any]]:
    """POST a document; (HTTP status, decoded body)."""
    headers = {"accept-language": locale} | ({"authorization": f"Bearer {token}"} if token else {})
    response = await client.post("/graphql", json={"query": query, "variables": variables}, headers=headers)
    body: dict[str, Any] = response.json()
    return response.status_code, body


async def gql(
    client: Client, query: str, variables: dict[str, Any] | None = None, *, locale: str = "zh-CN"
) -> dict[str, Any]:
    """An anonymous query in a locale that the server answers with 200; the body (data and errors)."""
    status, body = await send(client, query, variables, locale=locale)
    assert status == 200, body
    return body


async def as_user(
    client: Client, token: str, query: str, variables: dict[str, Any] | None = None, locale: str = "en"
) -> tuple[int, dict[str, Any]]:
    """A query with a bearer token; (status, body)."""
    return await send(client, query, variables, token=token, locale=locale)


async def run(
    client: Client, token: str, query: str, variables: dict[str, Any] | None = None, locale: str = "en"
) -> dict[str, Any]:
    """A query with a bearer token that must not fail at the GraphQL level; its data."""
    status, body = await send(client, query, variables, token=token, locale=locale)
    assert status == 200 and "errors" not in body, body
    data: dict[str, Any] = body["data"]
    return data
