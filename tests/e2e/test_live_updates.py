"""applicationUpdated over a real WebSocket (graphql-transport-ws) from a real `onewindow serve`."""

from __future__ import annotations

import json
import re
from typing import Any

import httpx
import pytest
from websockets.sync.client import connect

from tests.e2e.conftest import onewindow

SUBSCRIBE = "subscription { applicationUpdated { id status reference } }"
SUBMIT = """mutation($i: ApplicationInput!) { submitApplication(input: $i) {
  application { id status reference } errors { code field } } }"""


def _login(client: httpx.Client, env: dict[str, str], phone: str) -> str:
    sent = client.post("/graphql", json={"query": f'mutation {{ requestLoginCode(phone: "{phone}") {{ sent }} }}'})
    assert sent.json()["data"]["requestLoginCode"]["sent"] is True
    code = re.findall(r"\b(\d{6})\b", onewindow(env, "sms", "outbox", "--phone", phone))[-1]
    query = f'mutation {{ login(phone: "{phone}", code: "{code}") {{ accessToken }} }}'
    token: str = client.post("/graphql", json={"query": query}).json()["data"]["login"]["accessToken"]
    return token


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
            while not seen or seen[-1]["status"] != "APPROVED":
                message = _receive(socket)
                assert message["type"] == "next" and message["id"] == "1", message
                seen.append(message["payload"]["data"]["applicationUpdated"])
            assert {s["reference"] for s in seen} == {submitted["application"]["reference"]}
            socket.send(json.dumps({"id": "1", "type": "complete"}))
        with connect(url, subprotocols=["graphql-transport-ws"]) as anonymous:
            anonymous.send(json.dumps({"type": "connection_init"}))
            assert _receive(anonymous) == {"type": "connection_ack"}
            anonymous.send(json.dumps({"id": "a", "type": "subscribe", "payload": {"query": SUBSCRIBE}}))
            refused = _receive(anonymous)
            assert refused["type"] in ("error", "next"), refused
            errors = refused["payload"] if refused["type"] == "error" else refused["payload"]["errors"]
            assert errors[0]["extensions"]["code"] == "UNAUTHENTICATED"
