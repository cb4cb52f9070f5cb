"""The assistant end to end: a real Rasa server and action server (the assistant's own Python 3.10
environment), the backend on PostgreSQL and Redis, every message through `assistantMessage`.

Checks the conversations a citizen has (find, follow up, choose, three locales), that "where is my
application?" shows each citizen their own applications only, and routing on the blind labeled set.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import pytest_asyncio

from backend.app import create_app
from backend.db.engine import create_engine, session_factory
from tests.conftest import Databases, import_demo, make_settings, migrated
from tests.support.assistant import AssistantStack
from tests.support.identity import http_login
from tests.support.live import listener, served
from tests.support.servers import PostgresServer, RedisServer, free_port

ROUTING = Path(__file__).resolve().parents[1] / "data" / "assistant_routing.json"
ASK = """mutation($t: String!, $c: ID) { assistantMessage(text: $t, conversationId: $c) {
  conversationId messages { text buttons { title payload } } suggestions { code kind title deepLink }
  errors { code message } } }"""
SUBMIT = """mutation($i: SubmitApplicationInput!) { submitApplication(input: $i) {
  application { id status reference } errors { code field } } }"""
# Routing floors on the blind set: docs/performance.md reports 86.9% / 96.5% (85.9% / 95.5% before the
# review fixes); the floors leave room for a model trained on another machine.
TOP1_FLOOR, TOP3_FLOOR = 0.83, 0.93


class Chat:
    """A client of the backend that talks to the assistant."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.stack: AssistantStack | None = None

    def logs(self) -> str:
        """The assistant's recent log lines (for a failing assertion's message)."""
        assert self.stack is not None
        return "".join(self.stack.actions.lines[-20:] + self.stack.rasa.lines[-20:])

    async def ask(
        self, text: str, conversation: str | None = None, locale: str = "zh-CN", token: str | None = None
    ) -> dict[str, Any]:
        headers = {"accept-language": locale}
        if token:
            headers["authorization"] = f"Bearer {token}"
        async with httpx.AsyncClient(base_url=self.base, timeout=60) as client:
            response = await client.post(
                "/graphql", json={"query": ASK, "variables": {"t": text, "c": conversation}}, headers=headers
            )
        body = response.json()
        assert "errors" not in body, body
        reply: dict[str, Any] = body["data"]["assistantMessage"]
        assert reply["errors"] == [], reply
        return reply

    async def gql(self, query: str, variables: dict[str, Any], token: str | None = None) -> dict[str, Any]:
        headers = {"authorization": f"Bearer {token}"} if token else {}
        async with httpx.AsyncClient(base_url=self.base, timeout=60) as client:
            body: dict[str, Any] = (
                await client.post("/graphql", json={"query": query, "variables": variables}, headers=headers)
            ).json()
        return body

    async def login(self, db_url: str, phone: str) -> str:
        engine = create_engine(db_url)
        try:
            return await http_login(self.base, session_factory(engine), phone)
        finally:
            await engine.dispose()


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def world(
    postgres_server: PostgresServer, redis_server: RedisServer, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[tuple[Chat, str]]:
    url = await Databases("postgresql", tmp_path_factory.mktemp("assistant"), postgres_server).create()
    await migrated(url)
    await import_demo(url, light_passwords=True)
    rasa_port = free_port()
    settings = make_settings(
        url,
        redis_server.url.replace("/0", "/6"),
        tmp_path_factory.mktemp("data"),
        assistant_url=f"http://127.0.0.1:{rasa_port}",
    )
    sock, base = listener()
    with served(create_app(settings), sock):
        # Conversations in Redis, as in production (ONEWINDOW_REDIS_URL is a redis:// URL there)
        stack = AssistantStack.start(f"{base}/graphql", rasa_port, redis_url=redis_server.url.replace("/0", "/7"))
        chat = Chat(base)
        chat.stack = stack
        try:
            yield chat, url
        finally:
            stack.stop()


async def test_find_a_service_then_ask_about_it(world: tuple[Chat, str]) -> None:
    chat, _ = world
    found = await chat.ask("我想办护照")
    assert found["suggestions"][0] == {
        "code": "GZ-GA-0013",
        "kind": "MATTER",
        "title": "普通护照签发",
        "deepLink": "onewindow://apply?matter=GZ-GA-0013",
    }
    assert found["messages"][0]["text"].startswith("为您找到：普通护照签发（")
    conversation = found["conversationId"]
    # Follow-ups are about the passport: the assistant remembers it
    fee = await chat.ask("要多少钱", conversation)
    assert "出入境证件费（普通护照）：120.00元" in fee["messages"][0]["text"]
    materials = await chat.ask("要带什么材料", conversation)
    assert "申请人居民身份证（电子证照自动调取，无需提交纸质件）" in materials["messages"][0]["text"]
    # A button's payload is a message like any other
    where = await chat.ask("/ask_location", conversation)
    assert "最多需要跑1次" in where["messages"][0]["text"]


async def test_it_answers_in_the_citizens_language(world: tuple[Chat, str]) -> None:
    chat, _ = world
    hant = await chat.ask("我想辦護照", locale="zh-HK")
    assert hant["suggestions"][0]["title"] == "普通護照簽發"
    assert hant["messages"][0]["text"].startswith("為您找到：普通護照簽發")
    english = await chat.ask("I want to renew my driving licence", locale="en")
    assert english["suggestions"][0]["code"] == "GZ-GA-0018"
    assert english["messages"][0]["text"].startswith("Here it is: ")
    cost = await chat.ask("how much is it", english["conversationId"], locale="en")
    assert "Fees for" in cost["messages"][0]["text"] or "free of charge" in cost["messages"][0]["text"]


async def test_close_results_are_a_choice_and_the_choice_answers_the_question(world: tuple[Chat, str]) -> None:
    chat, _ = world
    asked = await chat.ask("居住证去哪里办")
    payloads = [b["payload"] for m in asked["messages"] for b in m["buttons"]]
    choices = [p for p in payloads if p.startswith("/choose_matter")]
    assert len(choices) >= 2, asked
    code = json.loads(choices[0].removeprefix("/choose_matter"))["matter_code"]
    chosen = await chat.ask(choices[0], asked["conversationId"])
    assert chosen["suggestions"][0]["code"] == code
    assert "工作日" in chosen["messages"][0]["text"] or "网上办" in chosen["messages"][0]["text"]


async def test_where_is_my_application_shows_each_citizen_only_their_own(world: tuple[Chat, str]) -> None:
    chat, db_url = world
    anonymous = await chat.ask("我的申请到哪一步了")
    assert anonymous["messages"][0]["text"] == "请先在应用里登录，我才能查询您的办件。"
    li_ming = await chat.login(db_url, "13800138000")
    submitted = await chat.gql(SUBMIT, {"i": {"matterCode": "GZ-WJW-0001", "values": {"child_order": "2"}}}, li_ming)
    reference = submitted["data"]["submitApplication"]["application"]["reference"]
    mine = await chat.ask("我的申请到哪一步了", token=li_ming)
    assert reference in mine["messages"][0]["text"], chat.logs()
    stranger = await chat.login(db_url, "13900139002")
    theirs = await chat.ask("我的申请到哪一步了", mine["conversationId"], token=stranger)
    assert theirs["messages"][0]["text"] == "您还没有提交过申请。"
    assert reference not in json.dumps(theirs, ensure_ascii=False)


async def test_asking_twice_for_what_it_cannot_do_hands_over_to_a_person(world: tuple[Chat, str]) -> None:
    chat, _ = world
    first = await chat.ask("给我讲个笑话")
    assert "12345" not in first["messages"][0]["text"]
    second = await chat.ask("今天天气怎么样", first["conversationId"])
    assert "12345" in second["messages"][0]["text"]
    person = await chat.ask("转人工")
    assert person["messages"][0]["text"].startswith("为您转人工服务")


async def test_routing_on_the_blind_labeled_set_does_not_fall_below_what_is_reported(world: tuple[Chat, str]) -> None:
    chat, _ = world
    items = json.loads(ROUTING.read_text(encoding="utf-8"))
    language = {"zh-Hans": "zh-CN", "zh-Hant": "zh-HK", "en": "en"}
    top1 = top3 = 0
    for item in items:
        reply = await chat.ask(item["message"], uuid.uuid4().hex, language[item["locale"]])
        codes = [s["code"] for s in reply["suggestions"]]
        top1 += bool(codes) and codes[0] in item["expected"]
        top3 += any(code in item["expected"] for code in codes[:3])
    assert top1 / len(items) >= TOP1_FLOOR
    assert top3 / len(items) >= TOP3_FLOOR


async def test_a_conversation_survives_a_restart_of_the_assistant(world: tuple[Chat, str]) -> None:
    chat, _ = world
    found = await chat.ask("我想办护照")
    assert chat.stack is not None
    chat.stack.restart_rasa()
    fee = await chat.ask("要多少钱", found["conversationId"])
    assert "出入境证件费（普通护照）：120.00元" in fee["messages"][0]["text"]  # it still knows: the passport
