"""assistantMessage's side of the assistant, against a stand-in Rasa REST channel on a real port.

What it sends (locale, a delegated token only for a signed-in citizen, a sender id that depends on
the caller), what it makes of the reply (messages, buttons, suggestions with titles and deep links),
and how it fails: Rasa down, Rasa hanging, Rasa answering nothing, bad input.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest
import pytest_asyncio
from litestar.testing import AsyncTestClient
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from backend.app import create_app
from tests.conftest import make_settings
from tests.support.fake_rasa import FakeRasa, fake_rasa
from tests.support.gql import as_user, gql
from tests.support.identity import citizen_token
from tests.support.live import listener, served
from tests.support.servers import RedisServer

ASK = """mutation($t: String!, $c: ID) { assistantMessage(text: $t, conversationId: $c) {
  conversationId messages { text buttons { title payload } } suggestions { code kind title deepLink }
  errors { code field message } } }"""
ME = "query { me { id } }"


@pytest.fixture(scope="module")
def rasa() -> Iterator[tuple[FakeRasa, str]]:
    with fake_rasa() as running:
        yield running


@pytest_asyncio.fixture
async def client(
    rasa: tuple[FakeRasa, str], catalog_database: str, redis_server: RedisServer, tmp_path: Path
) -> AsyncIterator[AsyncTestClient[Any]]:
    settings = make_settings(
        catalog_database,
        redis_server.url,
        tmp_path / "assistant",
        assistant_url=rasa[1],
        app_link="onewindow://apply",
    )
    async with AsyncTestClient(create_app(settings)) as api:
        yield api


async def _ask(
    api: AsyncTestClient[Any],
    text: str,
    token: str | None = None,
    conversation: str | None = None,
    locale: str = "zh-CN",
) -> dict[str, Any]:
    variables = {"t": text, "c": conversation}
    if token:
        status, body = await as_user(api, token, ASK, variables, locale)
        assert status == 200
    else:
        body = await gql(api, ASK, variables, locale=locale)
    assert "errors" not in body, body
    reply: dict[str, Any] = body["data"]["assistantMessage"]
    return reply


async def test_the_reply_carries_messages_buttons_and_suggestions_with_titles_and_deep_links(
    client: AsyncTestClient[Any], rasa: tuple[FakeRasa, str]
) -> None:
    fake, _ = rasa
    fake.answer = [
        {
            "recipient_id": "x",
            "text": "為您找到：普通護照簽發",
            "buttons": [{"title": "收費多少", "payload": "/ask_fee"}],
        },
        {
            "recipient_id": "x",
            "custom": {
                "suggestions": [
                    {"code": "GZ-GA-0013", "kind": "matter"},
                    {"code": "GZ-XX-9999", "kind": "matter"},
                    {"code": "LE-0001", "kind": "bundle"},
                    {"code": "GZ-GA-0013", "kind": "matter"},
                ]
            },
        },
    ]
    reply = await _ask(client, "我想辦護照", locale="zh-HK")
    assert reply["errors"] == []
    assert reply["messages"] == [
        {"text": "為您找到：普通護照簽發", "buttons": [{"title": "收費多少", "payload": "/ask_fee"}]}
    ]
    # Titles from the catalog in the request's locale; a code the catalog does not have is dropped; no repeats
    assert reply["suggestions"] == [
        {
            "code": "GZ-GA-0013",
            "kind": "MATTER",
            "title": "普通護照簽發",
            "deepLink": "onewindow://apply?matter=GZ-GA-0013",
        },
        {
            "code": "LE-0001",
            "kind": "BUNDLE",
            "title": "開餐廳「一件事」",
            "deepLink": "onewindow://apply?bundle=LE-0001",
        },
    ]
    sent = fake.requests[-1]
    assert sent["message"] == "我想辦護照"
    assert sent["metadata"] == {"locale": "zh-Hant"}  # anonymous: no token at all
    assert re.fullmatch(r"[0-9a-f]{32}\.[0-9a-f]{16}", reply["conversationId"])  # a new, signed conversation


async def test_a_signed_in_citizen_lends_the_assistant_a_narrow_token_of_their_own_session(
    client: AsyncTestClient[Any], rasa: tuple[FakeRasa, str], db: async_sessionmaker[AsyncSession], fresh_redis: Any
) -> None:
    fake, _ = rasa
    fake.answer = [{"recipient_id": "x", "text": "您最近的申请：…"}]
    token = await citizen_token(client, db)
    await _ask(client, "我的申请到哪一步了", token=token)
    delegated = fake.requests[-1]["metadata"]["token"]
    lent, mine = (jwt.decode(t, options={"verify_signature": False}) for t in (delegated, token))
    assert lent["sid"] == mine["sid"]  # the citizen's own session: signing out ends it
    assert lent["act"] == {"sub": "onewindow-assistant"}
    assert lent["scope"] == "applications:read"
    assert lent["exp"] - lent["iat"] == 120
    # It reads the citizen's applications, and nothing else: not their profile, not their sessions
    query = "query { myApplications(first: 20) { edges { node { reference statusLabel amountToPay } } } }"
    _, body = await as_user(client, delegated, query)
    assert "errors" not in body, body  # what the assistant asks (graphql/operations/assistant.graphql)
    _, body = await as_user(client, delegated, ME)
    assert body["errors"][0]["extensions"]["code"] == "INSUFFICIENT_SCOPE"
    _, body = await as_user(client, delegated, "query { mySessions { id } }")
    assert "errors" in body
    # Signing out ends it with the session it belongs to
    await as_user(client, token, "mutation { logoutEverywhere { errors { code } } }")
    _, body = await as_user(client, delegated, "query { myApplications(first: 20) { edges { cursor } } }")
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_a_conversation_id_reaches_only_its_owners_conversation(
    client: AsyncTestClient[Any], rasa: tuple[FakeRasa, str], db: async_sessionmaker[AsyncSession], fresh_redis: Any
) -> None:
    fake, _ = rasa
    fake.answer = [{"recipient_id": "x", "text": "好的"}]
    mine = await citizen_token(client, db)
    other = await citizen_token(client, db, phone="13900139001")
    shared = (await _ask(client, "你好", token=mine))["conversationId"]
    assert (await _ask(client, "你好", token=mine, conversation=shared))["conversationId"] == shared
    await _ask(client, "你好", token=other, conversation=shared)
    await _ask(client, "你好", conversation=shared)
    senders = [r["sender"] for r in fake.requests[-4:]]
    assert senders[0] == senders[1]  # the same citizen continues the same conversation
    assert len(set(senders[1:])) == 3  # another citizen, or nobody, gets a conversation of their own
    # An id the service did not issue ("1", which a stranger might also pick) starts a new conversation
    first = await _ask(client, "你好", conversation="1")
    second = await _ask(client, "你好", conversation="1")
    assert "1" != first["conversationId"] != second["conversationId"]


async def test_bad_input_is_refused_before_reaching_the_assistant(
    client: AsyncTestClient[Any], rasa: tuple[FakeRasa, str]
) -> None:
    fake, _ = rasa
    before = len(fake.requests)
    empty = await _ask(client, "   ", locale="en")
    assert empty["errors"] == [{"code": "MESSAGE_EMPTY", "field": "text", "message": "Type a message first."}]
    long = await _ask(client, "护" * 501)
    assert long["errors"][0]["code"] == "TOO_LONG"
    assert "500" in long["errors"][0]["message"]
    assert len(fake.requests) == before


async def test_an_empty_reply_is_an_error_not_silence(client: AsyncTestClient[Any], rasa: tuple[FakeRasa, str]) -> None:
    fake, _ = rasa
    fake.answer = [{"recipient_id": "x", "text": "Hello!"}]
    kept = (await _ask(client, "你好", locale="en"))["conversationId"]
    fake.answer = []  # what Rasa answers when its action server failed
    reply = await _ask(client, "我想办护照", locale="en", conversation=kept)
    assert reply["errors"][0]["code"] == "ASSISTANT_UNAVAILABLE"
    assert reply["conversationId"] == kept  # the app can retry in the same conversation


@pytest.mark.parametrize(
    ("locale", "message"),
    [
        ("zh-CN", "智能助手暂时无法回答，请稍后再试，或拨打12345热线。"),
        ("zh-TW", "智能助手暫時無法回答，請稍後再試，或致電12345熱線。"),
        ("en", "The assistant cannot answer right now. Please try again in a moment, or call the 12345 hotline."),
    ],
)
async def test_rasa_down_or_hanging_is_a_clear_localized_error(
    catalog_database: str, redis_server: RedisServer, tmp_path: Path, locale: str, message: str
) -> None:
    down, down_url = listener()
    down.close()  # nobody listens: connection refused
    hanging, hanging_url = listener()
    hanging.listen(1)  # connections are accepted by the kernel, never answered
    try:
        for url in (down_url, hanging_url):
            settings = make_settings(
                catalog_database, redis_server.url, tmp_path, assistant_url=url, assistant_timeout=0.5
            )
            sock, backend = listener()
            with served(create_app(settings), sock):
                async with httpx.AsyncClient(base_url=backend, timeout=30) as http:
                    response = await http.post(
                        "/graphql",
                        json={"query": ASK, "variables": {"t": "我想办护照"}},
                        headers={"accept-language": locale},
                    )
            reply = response.json()["data"]["assistantMessage"]
            assert reply["errors"] == [{"code": "ASSISTANT_UNAVAILABLE", "field": None, "message": message}]
            assert reply["messages"] == []
    finally:
        hanging.close()
