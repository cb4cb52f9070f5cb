"""`ticketUpdated`: a citizen watching their ticket sees it move when a ticket ahead is called, over the
real server's WebSocket (issue 19)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import pytest_asyncio
from websockets.asyncio.client import connect
from websockets.typing import Subprotocol

from backend.app import create_app
from tests.conftest import make_settings
from tests.support import factories
from tests.support.gql import run
from tests.support.live import listener, served
from tests.support.queue import CALL, ISSUE, OPEN, TAKE, Clock, Sessions, ok, young_citizen
from tests.support.servers import RedisServer

WATCH = "subscription($id: ID!) { ticketUpdated(id: $id) { label state position ahead estimatedWaitMinutes } }"


@pytest_asyncio.fixture
async def server(
    catalog_database: str, redis_server: RedisServer, fresh_redis: Any, tmp_path: Path
) -> AsyncIterator[str]:
    """The real app on a loopback port: its base URL."""
    sock, base = listener()
    app = create_app(make_settings(catalog_database, redis_server.url, tmp_path / "data", issuer=base))
    with served(app, sock):
        yield base


async def _next(ws: Any) -> dict[str, Any]:
    message = json.loads(await asyncio.wait_for(ws.recv(decode=True), timeout=20))
    assert message["type"] == "next", message
    found: dict[str, Any] = message["payload"]["data"]["ticketUpdated"]
    return found


async def test_the_ticket_moves_live_when_one_ahead_is_called(
    server: str, db: Sessions, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = Clock(monkeypatch)
    async with httpx.AsyncClient(base_url=server, timeout=30) as client:
        officer = await factories.staff(client, "officer.gz-ga")
        citizen = await young_citizen(client, db)
        window = ok((await run(client, officer, OPEN, {"h": "HALL-GZ", "w": "01", "c": ["GZ-GA"]}))["openCounter"])
        ok((await run(client, officer, ISSUE, {"h": "HALL-GZ", "m": "GZ-GA-0019"}))["issueTicket"])
        clock.tick()
        mine = ok((await run(client, citizen.token, TAKE, {"h": "HALL-GZ", "m": "GZ-GA-0019"}))["takeTicket"])
        url = server.replace("http://", "ws://") + "/graphql"
        async with connect(url, subprotocols=[Subprotocol("graphql-transport-ws")]) as ws:
            init = {"type": "connection_init", "payload": {"authorization": f"Bearer {citizen.token}"}}
            await ws.send(json.dumps(init))
            assert json.loads(await ws.recv(decode=True)) == {"type": "connection_ack"}
            subscribe = {"query": WATCH, "variables": {"id": mine["id"]}}
            await ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": subscribe}))
            # First as it stands: second, 2 x 15 minutes at one window
            assert await _next(ws) == {
                "label": "B002",
                "state": "ISSUED",
                "position": 2,
                "ahead": 1,
                "estimatedWaitMinutes": 30,
            }
            # When the walk-in ahead is called, the citizen is next
            ok((await run(client, officer, CALL, {"c": window["id"]}))["callNext"])
            assert await _next(ws) == {
                "label": "B002",
                "state": "ISSUED",
                "position": 1,
                "ahead": 0,
                "estimatedWaitMinutes": 15,
            }
            # and when it is their turn, they see it called
            ok((await run(client, officer, CALL, {"c": window["id"]}))["callNext"])
            assert (await _next(ws))["state"] == "CALLED"
