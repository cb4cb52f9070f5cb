"""Helpers for application tests: sign in as the demo citizen or an officer, upload a file."""

from __future__ import annotations

from typing import Any

from litestar.testing import AsyncTestClient
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from backend.identity.seed import DEMO_PASSWORD
from tests.support.gql import gql
from tests.support.identity import STAFF_LOGIN, as_user, login

DEMO_PHONE = "13800138000"
DEMO_ID = "44010619880315011X"
# The smallest valid PNG: what the upload endpoint recognises by its signature.
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
    b"\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82"
)


async def citizen_token(
    api: AsyncTestClient[Any], db: async_sessionmaker[AsyncSession], phone: str = DEMO_PHONE
) -> str:
    """An access token of a citizen (the demo citizen is verified by the seed)."""
    tokens = await login(api, db, phone)
    token: str = tokens["accessToken"]
    return token


async def staff_token(api: AsyncTestClient[Any], username: str) -> str:
    """An access token of a demo staff member."""
    body = await gql(api, STAFF_LOGIN, {"u": username, "p": DEMO_PASSWORD}, locale="en")
    token: str = body["data"]["staffLogin"]["accessToken"]
    assert token, body
    return token


async def upload(api: AsyncTestClient[Any], token: str, content: bytes = PNG, name: str = "scan.png") -> dict[str, Any]:
    """Upload a file as the citizen; the endpoint's JSON answer."""
    response = await api.post(
        "/uploads", files={"file": (name, content, "image/png")}, headers={"authorization": f"Bearer {token}"}
    )
    assert response.status_code == 201, response.text
    answer: dict[str, Any] = response.json()
    return answer


async def run(
    api: AsyncTestClient[Any], token: str, query: str, variables: dict[str, Any] | None = None, locale: str = "en"
) -> dict[str, Any]:
    """A query as a signed-in user that must not fail at the GraphQL level; its data."""
    status, body = await as_user(api, token, query, variables, locale)
    assert status == 200 and "errors" not in body, body
    data: dict[str, Any] = body["data"]
    return data


def filler(field: dict[str, Any]) -> Any:
    kinds = {
        "text": "测试",
        "textarea": "测试",
        "address": "广州市天河区天河路1号",
        "date": "2026-01-05",
        "number": 1,
        "money": "100.00",
        "boolean": True,
        "phone": "13800138000",
    }
    if field["type"] == "select":
        return field["options"][0]["value"]
    if field["type"] == "credit_code":
        return "91350100M000100Y43"
    if field["type"] == "id_number":
        return DEMO_ID
    return kinds[field["type"]]


def fill_required(form: dict[str, Any], values: dict[str, Any]) -> dict[str, Any]:
    """`values` plus a plausible value for every required field the form left empty."""
    filled = dict(values)
    for field in form["fields"]:
        if field["value"] is None and field["required"] and field["key"] not in filled:
            filled[field["key"]] = filler(field)
    return filled
