"""What any caller can send is bounded and answered with a coded error, never a 500 (issue 12)."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from graphql import get_introspection_query
from litestar.testing import AsyncTestClient

from backend.search.service import MAX_QUERY_LENGTH
from backend.settings import Settings
from tests.conftest import make_settings
from tests.support.gql import gql


def _codes(body: dict[str, Any]) -> list[str]:
    return [e["extensions"]["code"] for e in body.get("errors", [])]


async def test_standard_introspection_answers_without_errors(api: AsyncTestClient[Any]) -> None:
    # Finding 9: the {} defaults of the application inputs (ApplicationInput, SaveDraftInput) made four INTERNAL_ERRORs.
    body = await gql(api, get_introspection_query(descriptions=True), locale="en")
    assert "errors" not in body, body["errors"][:2]
    types = {t["name"]: t for t in body["data"]["__schema"]["types"]}
    values = next(f for f in types["SubmitApplicationInput"]["inputFields"] if f["name"] == "values")
    assert values["defaultValue"] == "null"


async def test_introspection_can_be_switched_off(catalog_database: str, redis_server: Any, tmp_path: Any) -> None:
    from backend.app import create_app

    settings: Settings = make_settings(catalog_database, redis_server.url, tmp_path, introspection=False)
    async with AsyncTestClient(create_app(settings)) as client:
        body = await gql(client, "{ __schema { queryType { name } } }", locale="en")
        assert set(_codes(body)) == {"GRAPHQL_VALIDATION_FAILED"} and "introspection" in body["errors"][0]["message"]
        # only introspection is refused
        assert (await gql(client, "{ bundles { code } }"))["data"]["bundles"]


async def test_deeply_nested_json_is_a_400(api: AsyncTestClient[Any]) -> None:
    # Finding 7: 1,000 levels raised RecursionError in the decoder: an uncaught 500.
    for depth in (1000, 100_000):
        raw = '{"query": "{ __typename }", "variables": {"a": ' + "[" * depth + "]" * depth + "}}"
        response = await api.post("/graphql", content=raw, headers={"content-type": "application/json"})
        assert response.status_code == 400, response.text
        assert _codes(response.json()) == ["BAD_REQUEST"]
    # deep enough to decode, too deep for anything a form needs
    raw = '{"query": "{ __typename }", "variables": {"a": ' + "[" * 40 + "]" * 40 + "}}"
    response = await api.post("/graphql", content=raw, headers={"content-type": "application/json"})
    assert response.status_code == 400 and "nest deeper than 16" in response.json()["errors"][0]["message"]
    # the same through GET
    response = await api.get("/graphql", params={"query": "{ __typename }", "variables": "[" * 5000 + "]" * 5000})
    assert response.status_code == 400 and _codes(response.json()) == ["BAD_REQUEST"]
    # an ordinary form still passes
    fine = await api.post("/graphql", json={"query": "{ __typename }", "variables": {"a": {"b": [1, [2]]}}})
    assert fine.status_code == 200 and fine.json()["data"] == {"__typename": "Query"} and "errors" not in fine.json()


@pytest.mark.parametrize(
    "content_type", ["text/plain", "text/plain;charset=UTF-8", "application/x-www-form-urlencoded", ""]
)
async def test_only_json_is_executed(api: AsyncTestClient[Any], fresh_redis: Any, content_type: str) -> None:
    # Finding 14: a text/plain POST is a CORS "simple" request: any site could make a visitor's
    # browser fire requestLoginCode. Such a body is refused before anything runs.
    phone = "13600136001"
    body = '{"query": "mutation { requestLoginCode(phone: \\"' + phone + '\\") { sent } }"}'
    headers = {"content-type": content_type} if content_type else {}
    response = await api.post("/graphql", content=body, headers={**headers, "accept-language": "zh-CN"})
    assert response.status_code == 415
    assert response.json()["errors"][0] == {
        "message": "请以 JSON 格式发送请求（Content-Type: application/json）。",
        "extensions": {"code": "UNSUPPORTED_MEDIA_TYPE"},
    }
    assert await fresh_redis.keys(f"*{phone}*") == []  # no code was generated, no limit counted
    sent = await api.post("/graphql", content=body, headers={"content-type": "application/json; charset=utf-8"})
    assert sent.json()["data"] == {"requestLoginCode": {"sent": True}} and "errors" not in sent.json()


async def test_every_answer_carries_the_security_headers(api: AsyncTestClient[Any]) -> None:
    for response in (
        await api.get("/health"),
        await api.post("/graphql", json={"query": "{ __typename }"}),
        await api.get("/.well-known/openid-configuration"),
        await api.post("/graphql", content=b"x", headers={"content-type": "text/plain"}),
        await api.get("/no-such-page"),  # no route: no middleware, but the headers all the same
        await api.get("/uploads"),  # 405
    ):
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["strict-transport-security"].startswith("max-age=31536000")
        assert len(response.headers["x-request-id"]) == 32


async def test_a_body_larger_than_any_form_is_refused(api: AsyncTestClient[Any]) -> None:
    big = {"query": "{ __typename }", "variables": {"pad": "x" * (300 * 1024)}}
    response = await api.post("/graphql", json=big)
    assert response.status_code == 413


SEARCH = "query($q: String!) { searchMatters(query: $q, first: 3) { matter { code } bundle { code } } }"


async def test_search_takes_a_sentence_not_a_book(api: AsyncTestClient[Any]) -> None:
    # Finding 2: one 1,000,000-character query took 76 s of the event loop.
    sentence = ("我想续签护照，之前的护照明年过期，需要带什么材料，多少钱，要跑几次" * 20)[:MAX_QUERY_LENGTH]
    found = await gql(api, SEARCH, {"q": sentence}, locale="zh-CN")
    assert "errors" not in found and found["data"]["searchMatters"], found
    refused = await gql(api, SEARCH, {"q": sentence + "再"}, locale="en")
    assert refused["errors"][0]["extensions"] == {"code": "TOO_LONG", "field": "query"}
    assert refused["errors"][0]["message"] == "This is too long: at most 500 characters (now 501)."


async def test_the_strings_of_a_request_count_in_its_limits(
    api: AsyncTestClient[Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Thirty aliases (the most allowed) of 2,500 characters each: one token each, 75,000 characters.
    calls: list[str] = []
    monkeypatch.setattr("backend.search.service.search", lambda index, query, limit: calls.append(query) or [])
    aliases = " ".join(f'a{n}: searchMatters(query: "{"护照" * 1250}") {{ score }}' for n in range(30))
    body = await gql(api, "{ " + aliases + " }", locale="en")
    assert [e["extensions"]["code"] for e in body["errors"]] == ["GRAPHQL_VALIDATION_FAILED"]
    assert "add up to 75000 characters" in body["errors"][0]["message"] and "data" not in body
    variables = {f"q{n}": "护照" * 1250 for n in range(30)}
    query = "query(" + ", ".join(f"$q{n}: String!" for n in range(30)) + ") { "
    query += " ".join(f"a{n}: searchMatters(query: $q{n}) {{ score }}" for n in range(30)) + " }"
    body = await gql(api, query, variables, locale="en")
    assert "add up to 75080 characters" in body["errors"][0]["message"]  # the variables' names count too
    assert calls == []  # refused before anything ran


async def test_ranking_runs_off_the_event_loop(api: AsyncTestClient[Any], monkeypatch: pytest.MonkeyPatch) -> None:
    from backend.search import service

    threads: list[int] = []
    original = service.search

    def ranked(index: Any, query: str, limit: int) -> Any:
        threads.append(threading.get_ident())
        return original(index, query, limit)

    monkeypatch.setattr(service, "search", ranked)
    body = await gql(api, SEARCH, {"q": "护照"}, locale="zh-CN")
    assert body["data"]["searchMatters"]
    assert threads and threading.get_ident() not in threads  # the event loop runs on this thread


async def test_text_the_database_cannot_hold_is_refused_up_front(api: AsyncTestClient[Any]) -> None:
    # Found by the fuzzer: a NUL character in an argument reached PostgreSQL, which refused it: a 500.
    literal = await gql(api, '{ application(id: "\\u0000") { id } }', locale="en")
    assert _codes(literal) == ["GRAPHQL_VALIDATION_FAILED"] and "NUL" in literal["errors"][0]["message"]
    for raw in ('"a\\u0000b"', '"\\ud800"'):
        body = '{"query": "query($q: String!) { searchMatters(query: $q) { score } }", "variables": {"q": ' + raw + "}}"
        response = await api.post("/graphql", content=body, headers={"content-type": "application/json"})
        assert response.status_code == 400 and _codes(response.json()) == ["BAD_REQUEST"], response.text
    # The same for the REST endpoints' query strings and forms
    for response in (
        await api.get("/receipts/verify?code=%00&number=1&check=1"),
        await api.get("/oauth/authorize?client_id=%FF%FE"),
        await api.post(
            "/oauth/token",
            content=b"grant_type=refresh_token&client_id=a%00b",
            headers={"content-type": "application/x-www-form-urlencoded"},
        ),
    ):
        assert response.status_code == 400 and _codes(response.json()) == ["BAD_REQUEST"], response.text
    too_big = b"client_id=" + b"x" * (70 * 1024)
    response = await api.post(
        "/oauth/token", content=too_big, headers={"content-type": "application/x-www-form-urlencoded"}
    )
    assert response.status_code == 413


async def test_malformed_requests_are_the_callers_mistake_never_a_500(api: AsyncTestClient[Any]) -> None:
    # Found by the adversarial re-test: invalid UTF-8 in the body, an operationName naming no
    # operation, and a list of 60,000 objects each gave a 500 (or held the event loop for 1.4 s).
    for raw in (b'{"query": "{ __typename }", "operationName": "\xff"}', b'{"query": "{ __typename \xc0\x80 }"}'):
        response = await api.post("/graphql", content=raw, headers={"content-type": "application/json"})
        assert response.status_code == 400 and _codes(response.json()) == ["BAD_REQUEST"], response.text
    for body in ({"query": "query A { __typename }", "operationName": "B"}, {"query": "fragment F on Query { x }"}):
        response = await api.post("/graphql", json=body)
        assert response.status_code == 200 and _codes(response.json()) == ["GRAPHQL_VALIDATION_FAILED"], body
    response = await api.get("/graphql", params={"query": "query A { __typename }", "operationName": "Z"})
    assert _codes(response.json()) == ["GRAPHQL_VALIDATION_FAILED"]
    many = {
        "query": "mutation($i: [ID!]) { markNotificationsRead(ids: $i) { count } }",
        "variables": {"i": [{}] * 60_000},
    }
    response = await api.post("/graphql", json=many)
    assert response.status_code == 400 and "more than 5000 values" in response.json()["errors"][0]["message"]


async def test_an_upload_keeps_a_safe_name(api: AsyncTestClient[Any], db: Any, fresh_redis: Any) -> None:
    # A NUL character in a multipart file name reached the database (PostgreSQL refuses it).
    from sqlalchemy import select

    from backend.db import tables as t
    from tests.support.applications import PNG
    from tests.support.identity import citizen_token

    token = await citizen_token(api, db, "13600136301")
    # Written by hand: an HTTP client would escape the NUL byte in the name; an attacker does not.
    name = "../scan\x00\u200bA\u00e9.png".encode()
    body = (
        b'--b0undary\r\nContent-Disposition: form-data; name="file"; filename="'
        + name
        + b'"\r\nContent-Type: image/png\r\n\r\n'
        + PNG
        + b"\r\n--b0undary--\r\n"
    )
    response = await api.post(
        "/uploads",
        content=body,
        headers={"authorization": f"Bearer {token}", "content-type": "multipart/form-data; boundary=b0undary"},
    )
    assert response.status_code == 201, response.text
    async with db() as session:
        name = await session.execute(select(t.uploads.c.filename).where(t.uploads.c.id == response.json()["id"]))
        assert name.scalar_one() == "scanA\u00e9.png"
