"""The assistant answers from the citizen's own case: why it was refused, what a supplement request asks
for, what came back of the fees. It reads them with the token the backend lends it for one message
(applications:read, two minutes), running AssistantMyApplications exactly as
graphql/operations/assistant.graphql writes it, through the real server, with a real payment and refund
through the Alipay sandbox.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support import factories
from tests.support.applications import process
from tests.support.fake_rasa import FakeRasa, fake_rasa
from tests.support.identity import staff_token
from tests.support.payments import Sessions, Stack, payment_stack
from tests.support.servers import RedisServer

OPERATIONS = Path(__file__).resolve().parents[2] / "graphql" / "operations" / "assistant.graphql"
ASK = 'mutation { assistantMessage(text: "我的申请怎么样了") { errors { code } } }'
APPLICATION = "query($id: ID!) { application(id: $id) { order { id } } }"
REFUSAL = "购车发票与合格证信息不一致"
SUPPLEMENT = "请补传清晰的购车发票，并核对车辆识别代号"


@pytest.fixture
def rasa() -> Iterator[tuple[FakeRasa, str]]:
    with fake_rasa() as running:
        yield running


@pytest.fixture
def stack(
    rasa: tuple[FakeRasa, str], catalog_database: str, redis_server: RedisServer, tmp_path: Path
) -> Iterator[Stack]:
    with payment_stack(catalog_database, redis_server.url, tmp_path / "payments", assistant_url=rasa[1]) as running:
        yield running


async def _lent_token(stack: Stack, rasa: FakeRasa, token: str) -> str:
    """The token the assistant gets with the citizen's next message."""
    assert (await stack.gql(token, ASK, {}))["assistantMessage"]["errors"] == []
    return rasa.tokens[-1]


async def _my_applications(stack: Stack, token: str, locale: str) -> dict[str, dict[str, Any]]:
    """What the assistant reads, by reference: the operation as the file writes it."""
    body = {"query": OPERATIONS.read_text(), "operationName": "AssistantMyApplications", "variables": {"first": 10}}
    headers = {"authorization": f"Bearer {token}", "accept-language": locale}
    async with httpx.AsyncClient(base_url=stack.backend, timeout=30) as client:
        answer = (await client.post("/graphql", json=body, headers=headers)).json()
    assert "errors" not in answer, answer
    return {e["node"]["reference"]: e["node"] for e in answer["data"]["myApplications"]["edges"]}


async def test_the_assistant_reads_why_it_was_refused_what_a_supplement_asks_and_what_came_back(
    stack: Stack, rasa: tuple[FakeRasa, str], db: Sessions, fresh_redis: Any
) -> None:
    fake, _ = rasa
    async with stack.client() as client:
        citizen = await factories.citizen(client, db)
        stranger = await factories.citizen(client, db, skip=1)
        refused = await factories.car_registration(client, citizen)
        incomplete = await factories.car_registration(client, citizen)
        officer = await staff_token(client, "officer.gz-ga")
    # Given a paid car registration the police refused (so its 470.00 went back through Alipay)...
    order_id = (await stack.gql(citizen.token, APPLICATION, {"id": refused["id"]}))["application"]["order"]["id"]
    await stack.pay(citizen.token, order_id)
    async with stack.client() as client:
        refuse = {"action": "REJECT", "reason": REFUSAL}
        await process(client, officer, refused["id"], {"action": "ACCEPT"}, refuse, locale="en")
        # ...and one they asked to supplement: a scan and a field
        ask = {"action": "REQUEST_SUPPLEMENT", "reason": SUPPLEMENT, "fields": ["purchase_invoice", "vin"]}
        await process(client, officer, incomplete["id"], {"action": "ACCEPT"}, ask, locale="en")
    # When the assistant reads the citizen's applications with the token lent for one message
    lent = await _lent_token(stack, fake, citizen.token)
    seen = await _my_applications(stack, lent, "en")
    # Then it sees why it was refused, and when it was decided
    no = seen[refused["reference"]]
    assert (no["status"], no["statusLabel"]) == ("REJECTED", "Not approved")
    assert no["decidedAt"] is not None
    rejection = next(s for s in no["timeline"] if s["action"] == "REJECT")
    assert (rejection["toStatus"], rejection["reason"], rejection["reasonFieldLabels"]) == ("REJECTED", REFUSAL, [])
    assert rejection["actionLabel"] and rejection["actionLabel"] != "REJECT"
    # ...what came back of the fees, in the reader's language
    assert {k: no["refund"][k] for k in ("amount", "refunded", "inProgress", "statusLabel")} == {
        "amount": "470.00",
        "refunded": "470.00",
        "inProgress": False,
        "statusLabel": "Refunded",
    }
    assert no["refund"]["refundedAt"] is not None
    assert no["amountToPay"] == "0.00"
    # ...and what the supplement request asks for: the officer's words and the labels of what it names
    asked = seen[incomplete["reference"]]
    request = next(s for s in asked["timeline"] if s["action"] == "REQUEST_SUPPLEMENT")
    assert request["reason"] == SUPPLEMENT
    assert request["reasonFieldLabels"] == ["Proof of origin (purchase invoice)", "Vehicle identification number (VIN)"]
    assert asked["currentStep"]["action"] == "REQUEST_SUPPLEMENT"
    assert asked["refund"] is None
    # In Chinese too, never a key or a code
    zh = await _my_applications(stack, lent, "zh-CN")
    assert zh[refused["reference"]]["refund"]["statusLabel"] == "已退款"
    labels = next(s for s in zh[incomplete["reference"]]["timeline"] if s["reasonFieldLabels"])["reasonFieldLabels"]
    assert labels == ["机动车来历证明（购车发票）", "车辆识别代号"]
    # Another citizen's lent token sees none of it
    assert await _my_applications(stack, await _lent_token(stack, fake, stranger.token), "en") == {}
