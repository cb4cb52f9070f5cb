"""Send GraphQL to the test client."""

from __future__ import annotations

from typing import Any

from litestar.testing import AsyncTestClient


async def gql(
    client: AsyncTestClient[Any], query: str, variables: dict[str, Any] | None = None, *, locale: str = "zh-CN"
) -> dict[str, Any]:
    """POST a query in a locale; return the decoded body (data and errors)."""
    response = await client.post(
        "/graphql", json={"query": query, "variables": variables}, headers={"accept-language": locale}
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body
