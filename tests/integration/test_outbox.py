"""The transactional outbox: every change a citizen or an app may hear of is an event written in the
change's own transaction, relayed after the commit to live subscriptions (and apps' webhooks).

The journeys go through the real server over HTTP (payments through the Alipay sandbox); the events are
read from the database, where they live: a refused change leaves none, a Redis flush loses none, and a
relay that was never woken (a crash after the commit) is made good by the workers' sweep.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest_asyncio
from sqlalchemy import select
from websockets.asyncio.client import ClientConnection, connect
from websockets.typing import Subprotocol

from backend.app import create_app
from backend.certificates.service import CertificateStore
from backend.db import tables as t
from backend.identity import clients, oidc
from backend.outbox.live import LiveConsumer
from backend.outbox.relay import Relay
from payments import tables as pt
from tests.conftest import make_settings
from tests.support import factories
from tests.support.applications import TO_ENTER, entries_for
from tests.support.gql import run
from tests.support.identity import citizen_token, last_code, staff_token
from tests.support.live import listener, served
from tests.support.oidc import Authorization, allow, ask_code, exchange, inputs
from tests.support.payments import Sessions, Stack
from tests.support.servers import RedisServer

APPLICATION = "query($id: ID!) { application(id: $id) { id reference order { id } } }"
PROCESS = """mutation($i: ProcessApplicationInput!) { processApplication(input: $i) {
  application { id status } errors { code field } } }"""
REFUND = """mutation($i: RefundInput!) { refund(input: $i) { refund { amount } errors { code message } } }"""
REVOKE = "mutation($c: String!) { revokeConsent(clientId: $c) { revoked errors { code } } }"
SUBSCRIBE = "subscription { applicationUpdated { id status } }"
REDIRECT = "https://parking-mp.example.cn/callback"


@pytest_asyncio.fixture
async def server(
    catalog_database: str, redis_server: RedisServer, fresh_redis: Any, tmp_path: Path
) -> AsyncIterator[tuple[str, Any]]:
    """The real app on a loopback port (its base URL, and the app to reach its resources)."""
    sock, base = listener()
    app = create_app(make_settings(catalog_database, redis_server.url, tmp_path / "data", issuer=base))
    with served(app, sock):
        yield base, app


async def _events(db: Sessions, *, citizen_id: str) -> list[tuple[str, dict[str, Any]]]:
    """The citizen's outbox events, oldest first: (type, data)."""
    async with db() as session:
        rows = await session.execute(
            select(t.outbox_events.c.type, t.outbox_events.c.data)
            .where(t.outbox_events.c.citizen_id == citizen_id)
            .order_by(t.outbox_events.c.seq)
        )
        return [(row.type, row.data) for row in rows]


async def _unrelayed(db: Sessions) -> list[str]:
    async with db() as session:
        rows = await session.execute(select(t.outbox_events.c.type).where(t.outbox_events.c.relayed_at.is_(None)))
        return list(rows.scalars())


async def _act(base: str, officer: str, application_id: str, action: str, **step: Any) -> dict[str, Any]:
    async with httpx.AsyncClient(base_url=base, timeout=30) as client:
        answer = await run(client, officer, PROCESS, {"i": {"applicationId": application_id, "action": action} | step})
    payload: dict[str, Any] = answer["processApplication"]
    return payload


def _application_event(application: dict[str, Any], status: str, from_status: str | None, action: str) -> Any:
    data = {"application_id": application["id"], "reference": application["reference"], "matter_code": "GZ-GA-0021"}
    return data | {"status": status, "from_status": from_status, "action": action}


async def test_a_citizens_journey_is_told_in_order_with_what_each_step_carries(stack: Stack, db: Sessions) -> None:
    # Given a citizen who applies for a new car's registration (470.00 of fees, decided by the police)
    async with stack.client() as client:
        citizen = await factories.citizen(client, db)
        submitted = await factories.car_registration(client, citizen)
        officer = await staff_token(client, "officer.gz-ga")
        finance = await staff_token(client, "finance")
    application = (await stack.gql(citizen.token, APPLICATION, {"id": submitted["id"]}))["application"]
    order_id = application["order"]["id"]
    # When the police accept and approve it, and the citizen pays through Alipay
    for action in ("ACCEPT", "APPROVE"):
        assert (await _act(stack.backend, officer, application["id"], action))["errors"] == []
    await stack.pay(citizen.token, order_id)
    # and the officer's first ISSUE is refused (the registration's fields were not entered): no event
    told = await _events(db, citizen_id=citizen.id)
    refused = await _act(stack.backend, officer, application["id"], "ISSUE", certificateFields={})
    assert refused["application"] is None and refused["errors"][0]["code"] == "CERTIFICATE_FIELDS_INVALID", refused
    assert await _events(db, citizen_id=citizen.id) == told
    # then the officer issues, and finance gives back 60.00 of the vehicle tax
    async with stack.client() as client:
        to_enter = (await run(client, officer, TO_ENTER, {"id": application["id"]}))["application"]
    fields = entries_for(to_enter["certificateFieldsToEnter"])
    assert (await _act(stack.backend, officer, application["id"], "ISSUE", certificateFields=fields))["errors"] == []
    refund = {
        "orderId": order_id,
        "departmentCode": "GZ-SWJ",
        "amount": "60.00",
        "reason": "车船税按月计算多收",
        "idempotencyKey": str(uuid.uuid4()),
    }
    assert (await stack.gql(finance, REFUND, {"i": refund}))["refund"]["errors"] == []
    # Then the outbox tells each step once, in order, with its facts (ids, statuses, amounts in fen)
    async with db() as session:
        certificates = await session.execute(
            select(t.certificates.c.id, t.certificates.c.type_code)
            .where(t.certificates.c.application_id == application["id"])
            .order_by(t.certificates.c.id)
        )
        issued = [
            {"certificate_id": c.id, "type_code": c.type_code, "application_id": application["id"]}
            for c in certificates
        ]
        refund_id = (
            await session.execute(select(pt.refunds.c.id).where(pt.refunds.c.order_id == order_id))
        ).scalar_one()
    assert issued, "the registration issues at least one certificate"
    money = {"order_id": order_id, "application_id": application["id"]}
    events = await _events(db, citizen_id=citizen.id)
    assert events[:6] == [
        ("application.submitted", _application_event(application, "submitted", None, "submit")),
        ("application.payment_required", _application_event(application, "submitted", "submitted", "submit")),
        ("application.status_changed", _application_event(application, "accepted", "submitted", "accept")),
        ("application.status_changed", _application_event(application, "approved", "accepted", "approve")),
        ("payment.succeeded", money | {"amount_fen": 47000, "channel": "alipay"}),
        ("application.issued", _application_event(application, "completed", "approved", "issue")),
    ]
    assert sorted(events[6:-1], key=lambda e: e[1]["certificate_id"]) == [("certificate.issued", c) for c in issued]
    assert events[-1] == ("refund.succeeded", {"refund_id": refund_id} | money | {"amount_fen": 6000})
    # and every event was relayed at once, after its commit (no worker ran)
    assert await _unrelayed(db) == []


async def test_a_consent_granted_then_withdrawn_is_told_to_that_app(
    server: tuple[str, Any], db: Sessions, fresh_redis: Any
) -> None:
    base, _ = server
    async with db() as session, session.begin():
        app, secret = await clients.create_client(
            session, name="Parking MP", redirect_uris=[REDIRECT], scopes=["openid", "phone"]
        )
    person = await factories.resident(db)
    authorization = Authorization(app.client_id, REDIRECT, ["openid", "phone"])
    async with (
        httpx.AsyncClient(base_url=base, timeout=60, follow_redirects=False) as browser,
        httpx.AsyncClient(base_url=base, timeout=60) as http,
    ):
        # Given a citizen who signs in to the app and allows what it asks
        sent = await ask_code(browser, authorization, person.phone)
        code = await last_code(db, person.phone)
        form = {"phone": person.phone, "code": code, "continue": inputs(sent.text)["continue"]}
        signed_in = await browser.post("/oauth/login", data=form)
        consent = await browser.get(signed_in.headers["location"])
        await exchange(http, authorization, await allow(browser, consent), secret)
        async with db() as session:
            citizen_id = (
                await session.execute(select(t.citizens.c.id).where(t.citizens.c.phone == person.phone))
            ).scalar_one()
        granted = await _events(db, citizen_id=citizen_id)
        # allowing what it already holds changes nothing: nothing is told
        async with db() as session, session.begin():
            await oidc.grant_consent(session, citizen_id, app.client_id, ["phone"])
        # When they withdraw the consent in the platform's app
        await fresh_redis.delete(f"otp:cooldown:{person.phone}")  # a minute later
        own = await citizen_token(http, db, person.phone)
        withdrawn = await run(http, own, REVOKE, {"c": app.client_id})
        assert withdrawn["revokeConsent"] == {"revoked": True, "errors": []}
        # and withdraw it again: nothing changes, nothing is told
        assert (await run(http, own, REVOKE, {"c": app.client_id}))["revokeConsent"]["errors"] == []
    # Then the app was told of both, with the scopes it held; only that app
    assert granted == [("consent.granted", {"scopes": ["openid", "phone"]})]
    async with db() as session:
        rows = await session.execute(
            select(t.outbox_events.c.type, t.outbox_events.c.client_id, t.outbox_events.c.data)
            .where(t.outbox_events.c.citizen_id == citizen_id)
            .order_by(t.outbox_events.c.seq)
        )
        told = [tuple(row) for row in rows]
    assert told == [
        ("consent.granted", app.client_id, {"scopes": ["openid", "phone"]}),
        ("consent.revoked", app.client_id, {"scopes": ["openid", "phone"]}),
    ]
    assert await _unrelayed(db) == []


@asynccontextmanager
async def _subscribed(base: str, token: str) -> AsyncIterator[ClientConnection]:
    """The citizen's applicationUpdated over the WebSocket, once the server has subscribed."""
    url = base.replace("http://", "ws://") + "/graphql"
    async with connect(url, subprotocols=[Subprotocol("graphql-transport-ws")]) as ws:
        await ws.send(json.dumps({"type": "connection_init", "payload": {"authorization": f"Bearer {token}"}}))
        assert json.loads(await ws.recv(decode=True)) == {"type": "connection_ack"}
        await ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": {"query": SUBSCRIBE}}))
        await ws.send(json.dumps({"type": "ping"}))  # answered once the subscribe was handled
        assert json.loads(await ws.recv(decode=True)) == {"type": "pong"}
        yield ws


async def test_a_change_the_relay_was_not_woken_for_is_relayed_by_the_sweep_even_after_a_redis_flush(
    server: tuple[str, Any], db: Sessions, fresh_redis: Any
) -> None:
    base, app = server
    # Given a citizen's car registration, and the citizen watching their applications live
    async with httpx.AsyncClient(base_url=base, timeout=30) as client:
        citizen = await factories.citizen(client, db)
        application = await factories.car_registration(client, citizen)
        officer = await staff_token(client, "officer.gz-ga")
    assert await _unrelayed(db) == []
    async with _subscribed(base, citizen.token) as live:
        # When the process dies between a commit and its relay (its sessions no longer wake the relay)
        # and Redis is flushed, then the police accept the application
        app.state.resources.sessions.configure(info={})
        await fresh_redis.flushall()
        assert (await _act(base, officer, application["id"], "ACCEPT"))["errors"] == []
        # Then the event is in the database, not relayed yet
        assert await _unrelayed(db) == ["application.status_changed"]
        # and the workers' sweep relays it: the live subscriber hears of the acceptance
        sweep = Relay(db, [LiveConsumer(fresh_redis)])
        assert await sweep.run() == 1
        message = json.loads(await live.recv(decode=True))
    assert message["payload"]["data"]["applicationUpdated"] == {"id": application["id"], "status": "ACCEPTED"}
    assert await _unrelayed(db) == []
    assert await sweep.run() == 0  # each event relayed once


async def test_a_certificate_revoked_is_told_to_its_holder_once(db: Sessions) -> None:
    # Given a resident holding a driving licence, who has signed up to the platform
    person = await factories.resident(db, holding="DRIVING_LICENSE")
    citizen_id = str(uuid.uuid4())
    async with db() as session, session.begin():
        await session.execute(
            t.citizens.insert().values(
                id=citizen_id, phone=person.phone, id_number=person.id_number, created_at=datetime.now(UTC)
            )
        )
        licence = (
            await session.execute(
                select(t.certificates.c.id, t.certificates.c.application_id).where(
                    t.certificates.c.holder_id_number == person.id_number,
                    t.certificates.c.type_code == "DRIVING_LICENSE",
                    t.certificates.c.status != "revoked",
                )
            )
        ).first()
    assert licence is not None
    # When the licence is revoked, and revoked again
    for _ in range(2):
        async with db() as session, session.begin():
            await CertificateStore(session, b"k" * 32).revoke([licence.id], reason="licence withdrawn")
    # Then its holder's apps are told once (nothing changed the second time)
    data = {"certificate_id": licence.id, "type_code": "DRIVING_LICENSE", "application_id": licence.application_id}
    assert await _events(db, citizen_id=citizen_id) == [("certificate.revoked", data)]
