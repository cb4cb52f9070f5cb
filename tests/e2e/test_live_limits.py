"""Live subscriptions cannot exhaust Redis or the process: one connection carries them all (issue 12, finding 3).

Before: each `applicationUpdated` held a connection from the process's Redis pool; one citizen with six
sockets of twenty subscriptions made every use of Redis fail (health 503, other citizens' `me` 500).
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx
import pytest
from redis.asyncio import Redis
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from backend.db.engine import create_engine, session_factory
from backend.graphql.ws import MAX_SOCKETS_PER_OWNER, MAX_SUBSCRIPTIONS, MAX_SUBSCRIPTIONS_PER_OWNER
from tests.support.identity import http_login

SUBSCRIBE = "subscription { applicationUpdated { id status } }"


async def _receive(socket: ClientConnection) -> dict[str, Any]:
    message: dict[str, Any] = json.loads(await asyncio.wait_for(socket.recv(), 30))
    return message


async def _open(url: str, token: str) -> ClientConnection:
    socket = await connect(url, subprotocols=["graphql-transport-ws"])  # type: ignore[list-item]
    await socket.send(json.dumps({"type": "connection_init", "payload": {"authorization": f"Bearer {token}"}}))
    return socket


async def _subscribe(socket: ClientConnection, operation_id: str, query: str = SUBSCRIBE) -> None:
    await socket.send(json.dumps({"id": operation_id, "type": "subscribe", "payload": {"query": query}}))


async def _settled(socket: ClientConnection) -> list[dict[str, Any]]:
    """Everything the server sent until it answered a ping: what it made of the messages before."""
    await socket.send(json.dumps({"type": "ping"}))
    seen = []
    while (message := await _receive(socket)) != {"type": "pong"}:
        seen.append(message)
    return seen


async def _clients(redis: Redis) -> list[dict[str, Any]]:
    return [c for c in await redis.client_list() if c.get("name") != "tests"]


@pytest.mark.parametrize("server_env", ["postgresql+redis"], indirect=True)
async def test_one_citizens_sockets_and_subscriptions_are_bounded_and_share_one_redis_connection(
    served: str, server_env: dict[str, str]
) -> None:
    engine = create_engine(server_env["ONEWINDOW_DATABASE_URL"])
    redis = Redis.from_url(server_env["ONEWINDOW_REDIS_URL"])
    await redis.client_setname("tests")
    url = served.replace("http://", "ws://") + "/graphql"
    sockets: list[ClientConnection] = []
    try:
        greedy = await http_login(served, session_factory(engine), "13500135001")
        bystander = await http_login(served, session_factory(engine), "13500135002")
        before = await _clients(redis)
        # One citizen opens as many sockets as allowed, and as many subscriptions as allowed on them
        for _ in range(MAX_SOCKETS_PER_OWNER):
            socket = await _open(url, greedy)
            assert await _receive(socket) == {"type": "connection_ack"}
            sockets.append(socket)
        extra = await _open(url, greedy)
        with pytest.raises(ConnectionClosed) as closed:
            await _receive(extra)
        assert closed.value.rcvd is not None and closed.value.rcvd.code == 4429
        opened = 0
        for number, socket in enumerate(sockets):
            for n in range(MAX_SUBSCRIPTIONS):
                await _subscribe(socket, f"{number}-{n}")
            answers = await _settled(socket)
            refused = [a for a in answers if a["type"] == "error"]
            opened += MAX_SUBSCRIPTIONS - len(refused)
            assert all(a["payload"][0]["extensions"]["code"] == "TOO_MANY_SUBSCRIPTIONS" for a in refused), refused
        assert opened == MAX_SUBSCRIPTIONS_PER_OWNER
        # Every subscription of the process rides on the connection it already had: no new ones
        during = await _clients(redis)
        assert len(during) <= len(before) + 2, (before, during)
        assert sum(1 for c in during if int(c.get("sub", 0)) > 0) == sum(1 for c in before if int(c.get("sub", 0)) > 0)
        # ... and the rest of the service does not notice them
        async with httpx.AsyncClient(base_url=served, timeout=10) as client:
            health = await client.get("/health")
            assert health.status_code == 200 and health.json()["redis"]["status"] == "up"
            me = await client.post(
                "/graphql", json={"query": "{ me { phone } }"}, headers={"authorization": f"Bearer {bystander}"}
            )
            assert me.json()["data"] == {"me": {"phone": "+8613500135002"}} and "errors" not in me.json()
            out = await client.post(
                "/graphql",
                json={"query": "mutation { logoutEverywhere { revokedCount } }"},
                headers={"authorization": f"Bearer {bystander}"},
            )
            assert out.json()["data"]["logoutEverywhere"]["revokedCount"] == 1
        # Closing a socket gives its subscriptions back to the citizen (once the server has seen it go)
        await sockets.pop(0).close()
        for _ in range(200):
            socket = await _open(url, greedy)
            try:
                assert await _receive(socket) == {"type": "connection_ack"}
                break
            except ConnectionClosed:  # the server has not yet counted the closed socket out
                continue
        else:
            pytest.fail("the closed socket was never counted out")
        sockets.append(socket)
        for attempt in range(200):
            await _subscribe(socket, f"again-{attempt}")
            if await _settled(socket) == []:
                break
        else:
            pytest.fail("the closed socket's subscriptions were never given back")
    finally:
        for socket in sockets:
            await socket.close()
        await redis.aclose()
        await engine.dispose()


@pytest.mark.parametrize("server_env", ["postgresql+redis"], indirect=True)
async def test_every_subscribe_is_answered_even_a_refused_document(served: str, server_env: dict[str, str]) -> None:
    # Finding 13: a document over the token limit was never answered (no error, no complete).
    engine = create_engine(server_env["ONEWINDOW_DATABASE_URL"])
    url = served.replace("http://", "ws://") + "/graphql"
    try:
        token = await http_login(served, session_factory(engine), "13500135003")
        socket = await _open(url, token)
        assert await _receive(socket) == {"type": "connection_ack"}
        huge = "subscription { applicationUpdated { " + "id " * 6000 + "} }"
        broken = "subscription { applicationUpdated { id "
        for operation_id, query in (("huge", huge), ("broken", broken)):
            await _subscribe(socket, operation_id, query)
            answer = await _receive(socket)
            assert answer["id"] == operation_id and answer["type"] == "error", answer
            assert answer["payload"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
        await _subscribe(socket, "deep", SUBSCRIBE)
        await socket.send(
            json.dumps(
                {
                    "id": "vars",
                    "type": "subscribe",
                    "payload": {
                        "query": "subscription($id: ID) { applicationUpdated(id: $id) { id } }",
                        "variables": {"id": json.loads("[" * 40 + "]" * 40)},
                    },
                }
            )
        )
        answer = await _receive(socket)
        assert answer["id"] == "vars" and answer["payload"][0]["extensions"]["code"] == "BAD_REQUEST"
        assert await _settled(socket) == []  # the good subscription is still open and quiet
        await socket.close()
    finally:
        await engine.dispose()
