"""applicationUpdated over a real WebSocket (graphql-transport-ws) from a real `onewindow serve`."""

from __future__ import annotations

import asyncio
import json
import re
from typing import Any

import httpx
import pytest
from websockets.sync.client import connect

from tests.e2e.conftest import onewindow
from tests.support.identity import citizen_token, staff_token

SUBSCRIBE = "subscription { applicationUpdated { id status reference } }"
SUBMIT = """mutation($i: SubmitApplicationInput!) { submitApplication(input: $i) {
  application { id status reference } errors { code field } } }"""


def _login(client: httpx.Client, env: dict[str, str], phone: str) -> str:
    """Sign in through the shared helper; the code comes from the operator's `onewindow sms outbox`."""

    async def code_from_cli(number: str) -> str:
        return str(re.findall(r"\b(\d{6})\b", onewindow(env, "sms", "outbox", "--phone", number))[-1])

    async def login() -> str:
        async with httpx.AsyncClient(base_url=client.base_url, timeout=30) as session:
            return await citizen_token(session, code_from_cli, phone)

    return asyncio.run(login())


def _staff_token(client: httpx.Client, username: str) -> str:
    async def login() -> str:
        async with httpx.AsyncClient(base_url=client.base_url, timeout=30) as session:
            return await staff_token(session, username)

    return asyncio.run(login())


def _receive(socket: Any) -> dict[str, Any]:
    message: dict[str, Any] = json.loads(socket.recv(timeout=30))
    return message


@pytest.mark.parametrize("server_env", ["postgresql+redis"], indirect=True)
def test_a_citizen_sees_an_instant_approval_live(served: str, server_env: dict[str, str]) -> None:
    onewindow(server_env, "seed")
    with httpx.Client(base_url=served, timeout=30) as client:
        token = _login(client, server_env, "13800138000")
        url = served.replace("http://", "ws://") + "/graphql"
        with connect(url, subprotocols=["graphql-transport-ws"]) as socket:
            # A token is required in connection_init; an unauthenticated subscribe is refused
            socket.send(json.dumps({"type": "connection_init", "payload": {"authorization": f"Bearer {token}"}}))
            assert _receive(socket) == {"type": "connection_ack"}
            socket.send(json.dumps({"type": "ping"}))
            assert _receive(socket) == {"type": "pong"}
            socket.send(json.dumps({"id": "1", "type": "subscribe", "payload": {"query": SUBSCRIBE}}))
            # Sent once the server has subscribed: a pong proves the subscribe message was handled
            socket.send(json.dumps({"type": "ping"}))
            assert _receive(socket) == {"type": "pong"}
            values = {"child_order": "2"}
            submitted = client.post(
                "/graphql",
                json={"query": SUBMIT, "variables": {"i": {"matterCode": "GZ-WJW-0001", "values": values}}},
                headers={"authorization": f"Bearer {token}"},
            ).json()["data"]["submitApplication"]
            assert submitted["errors"] == [], submitted
            seen = []
            while not seen or seen[-1]["status"] != "COMPLETED":
                message = _receive(socket)
                assert message["type"] == "next" and message["id"] == "1", message
                seen.append(message["payload"]["data"]["applicationUpdated"])
            assert {s["reference"] for s in seen} == {submitted["application"]["reference"]}
            # An application an officer decides; then the citizen signs out everywhere
            values = {
                "employer_name": "广州某某科技有限公司",
                "employer_credit_code": "91350100M000100Y43",
                "gz_social_insurance": False,
                "settle_mode": "talent_collective",
                "settle_address": "广州市天河区",
            }
            referred = client.post(
                "/graphql",
                json={"query": SUBMIT, "variables": {"i": {"matterCode": "GZ-RSJ-0008", "values": values}}},
                headers={"authorization": f"Bearer {token}"},
            ).json()["data"]["submitApplication"]["application"]
            while True:  # the first application's last update may still be on its way
                update = _receive(socket)["payload"]["data"]["applicationUpdated"]
                if update["id"] == referred["id"]:
                    assert update["status"] == "SUBMITTED"
                    break
            signed_out = client.post(
                "/graphql",
                json={"query": "mutation { logoutEverywhere { revokedCount } }"},
                headers={"authorization": f"Bearer {token}"},
            ).json()
            assert signed_out["data"]["logoutEverywhere"]["revokedCount"] >= 1
            officer = _staff_token(client, "officer.gz-rsj")
            accept = "mutation($i: ProcessApplicationInput!) { processApplication(input: $i) { errors { code } } }"
            accepted = client.post(
                "/graphql",
                json={"query": accept, "variables": {"i": {"applicationId": referred["id"], "action": "ACCEPT"}}},
                headers={"authorization": f"Bearer {officer}"},
            ).json()
            assert accepted["data"]["processApplication"]["errors"] == []
            # The session is gone: the subscription ends, and the acceptance is never delivered on it
            tail = [_receive(socket)]
            while tail[-1]["type"] != "complete":
                tail.append(_receive(socket))
            assert tail[-1] == {"id": "1", "type": "complete"}
            assert all(m["payload"]["data"]["applicationUpdated"]["status"] == "SUBMITTED" for m in tail[:-1])
        with connect(url, subprotocols=["graphql-transport-ws"]) as anonymous:
            anonymous.send(json.dumps({"type": "connection_init"}))
            assert _receive(anonymous) == {"type": "connection_ack"}
            anonymous.send(json.dumps({"id": "a", "type": "subscribe", "payload": {"query": SUBSCRIBE}}))
            refused = _receive(anonymous)
            assert refused["type"] in ("error", "next"), refused
            errors = refused["payload"] if refused["type"] == "error" else refused["payload"]["errors"]
            assert errors[0]["extensions"]["code"] == "UNAUTHENTICATED"
