"""Webhook delivery end to end on real servers: events relayed into deliveries, sent to real HTTP
receivers on 127.0.0.1 that verify every request with `standardwebhooks`, retried on a compressed
clock, disabled on 410 or after 5 (scaled) days of failures, redelivered on request."""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from sqlalchemy import select

from backend.db import tables as t
from backend.db.engine import unit_of_work
from backend.i18n import Locale
from backend.identity import clients, oidc
from backend.outbox.events import EventType, record
from backend.resources import Resources
from backend.runtime import open_resources
from backend.webhooks import subscriptions
from backend.webhooks.delivery import deliver_subscription, redeliver, sweep
from backend.webhooks.texts import notice
from tests.conftest import make_settings
from tests.support.servers import RedisServer
from tests.support.webhooks import Receiver, always

SCALE = 0.000002  # 5 s -> 10 µs, 24 h -> 0.17 s, 5 days -> 0.86 s
STATUS_CHANGED = EventType.APPLICATION_STATUS_CHANGED


class Hooks:
    """The platform's resources (as a worker has them) and what a test sets up around them."""

    def __init__(self, resources: Resources, stack: AsyncExitStack) -> None:
        self.resources = resources
        self.sessions = resources.sessions
        self._stack = stack

    async def citizen(self) -> str:
        """A citizen of the platform (the row is all delivery needs)."""
        citizen_id = str(uuid.uuid4())
        async with self.sessions() as session, unit_of_work(session):
            await session.execute(
                t.citizens.insert().values(
                    id=citizen_id, phone=f"+86139{uuid.uuid4().int % 10**8:08d}", created_at=datetime.now(UTC)
                )
            )
        return citizen_id

    async def app(self, citizen_id: str | None = None, consent: list[str] | None = None) -> str:
        """A mini-program; consented to by `citizen_id` for `consent` when given."""
        async with self.sessions() as session, unit_of_work(session):
            client, _ = await clients.create_client(
                session, name="A mini-program", redirect_uris=["https://mp.example.cn/cb"], scopes=["openid"]
            )
            if citizen_id is not None and consent is not None:
                await oidc.grant_consent(session, citizen_id, client.client_id, consent)
        return client.client_id

    async def subscribe(
        self, client_id: str, receiver: Receiver, types: list[EventType], url: str | None = None
    ) -> subscriptions.Subscription:
        """Subscribe the receiver's endpoint; the receiver learns the secret (as a developer copies it)."""
        async with self.sessions() as session, unit_of_work(session):
            subscription, secret = await subscriptions.create(
                session,
                client_id=client_id,
                url=url or receiver.url,
                event_types=[kind.value for kind in types],
                description="test",
                created_by="developer",
            )
        receiver.secrets.append(secret)
        return subscription

    def receiver(self, **kwargs: Any) -> Receiver:
        """A started receiver, stopped after the test."""
        receiver = Receiver(**kwargs).start()
        self._stack.callback(receiver.stop)
        return receiver

    async def event(self, kind: EventType, citizen_id: str, client_id: str | None = None, **data: Any) -> str:
        """Record an event as a domain does; its commit wakes the relay, which fans it out."""
        async with self.sessions() as session, unit_of_work(session):
            return await record(session, kind, citizen_id=citizen_id, data=data, client_id=client_id)

    async def deliver(self, subscription: subscriptions.Subscription) -> dict[str, Any]:
        """Run the `webhooks.deliver` job for the endpoint, as a worker does."""
        return await deliver_subscription(self.resources, subscription.id)

    async def deliveries(self, subscription_id: str) -> list[Any]:
        """The endpoint's deliveries, oldest first."""
        d = t.webhook_deliveries
        async with self.sessions() as session:
            rows = await session.execute(
                select(d).where(d.c.subscription_id == subscription_id).order_by(d.c.created_at, d.c.id)
            )
            return list(rows)

    async def attempts(self, delivery_id: str) -> list[Any]:
        """A delivery's attempts, in order."""
        a = t.webhook_attempts
        async with self.sessions() as session:
            return list(await session.execute(select(a).where(a.c.delivery_id == delivery_id).order_by(a.c.id)))

    async def subscription(self, subscription_id: str) -> subscriptions.Subscription:
        """The subscription as stored now."""
        async with self.sessions() as session:
            found = await subscriptions.get(session, subscription_id)
        assert found is not None
        return found


Opener = Callable[..., Awaitable[Hooks]]


@pytest_asyncio.fixture
async def open_hooks(
    catalog_database: str, fresh_redis: Any, redis_server: RedisServer, tmp_path: Path
) -> AsyncIterator[Opener]:
    """Opens the platform's resources on this test's database with setting overrides."""
    async with AsyncExitStack() as stack:

        async def opener(**overrides: Any) -> Hooks:
            overrides = {"webhook_clock_scale": SCALE} | overrides
            settings = make_settings(catalog_database, redis_server.url, tmp_path / "data", **overrides)
            opened = await stack.enter_async_context(open_resources(settings))
            return Hooks(opened.resources, stack)

        yield opener


@pytest_asyncio.fixture
async def hooks(open_hooks: Opener) -> Hooks:
    """The platform on test settings (compressed clock, loopback endpoints allowed)."""
    return await open_hooks()


async def _matter(hooks: Hooks) -> Any:
    return (await hooks.resources.catalog.get()).matters[0]


async def test_a_delivery_is_signed_names_the_citizen_pairwise_and_says_the_status_in_three_languages(
    hooks: Hooks,
) -> None:
    citizen = await hooks.citizen()
    app = await hooks.app(citizen, ["openid", "applications:read"])
    receiver = hooks.receiver()
    subscription = await hooks.subscribe(app, receiver, [STATUS_CHANGED])
    matter = await _matter(hooks)
    event_id = await hooks.event(
        STATUS_CHANGED,
        citizen,
        application_id="app-1",
        reference="GZ-2026-000001",
        matter_code=matter.code,
        status="approved",
        from_status="accepted",
        action="approve",
    )

    assert (await hooks.deliver(subscription))["sent"] == 1

    assert receiver.unverified == []
    [got] = receiver.received
    assert got.verified_by == (receiver.secrets[0],)
    body = json.loads(got.body)
    assert got.payload == body and body["type"] == "application.status_changed"
    subject = oidc.pairwise_subject(hooks.resources.identity.pairwise_key, app, citizen)
    assert body["data"]["subject"] == subject != citizen
    assert citizen not in got.body
    assert body["data"]["application_id"] == "app-1" and body["data"]["reference"] == "GZ-2026-000001"
    assert body["data"]["matter"] == {"code": matter.code, "name": dict(matter.name)}
    assert body["data"]["status"] == {
        "code": "approved",
        "label": {"zh-Hans": "已批准", "zh-Hant": "已批准", "en": "Approved"},
    }
    assert body["timestamp"].endswith("Z") and len(got.body.encode()) < 20 * 1024
    [delivery] = await hooks.deliveries(subscription.id)
    assert (delivery.id, delivery.event_id, delivery.status) == (got.message_id, event_id, "succeeded")
    [attempt] = await hooks.attempts(delivery.id)
    assert attempt.status_code == 204 and attempt.latency_ms >= 0 and attempt.error is None
    async with hooks.sessions() as session:
        counted = (await session.execute(select(t.data_access))).all()
    assert [(r.citizen_id, r.client_id, r.kind, r.item, r.count) for r in counted] == [
        (citizen, app, "event", "application.status_changed", 1)
    ]


async def test_an_app_without_the_scope_or_the_citizens_consent_gets_nothing(hooks: Hooks) -> None:
    citizen = await hooks.citizen()
    allowed = await hooks.app(citizen, ["openid", "applications:read"])
    unscoped = await hooks.app(citizen, ["openid", "profile"])
    strangers = await hooks.app()
    withdrawn = await hooks.app(citizen, ["openid", "applications:read"])
    async with hooks.sessions() as session, unit_of_work(session):
        await oidc.revoke_consent(session, citizen, withdrawn)
    receivers = {app: hooks.receiver() for app in (allowed, unscoped, strangers, withdrawn)}
    subs = {app: await hooks.subscribe(app, receivers[app], [STATUS_CHANGED]) for app in receivers}

    await hooks.event(STATUS_CHANGED, citizen, application_id="a", status="accepted")
    for subscription in subs.values():
        await hooks.deliver(subscription)

    assert len(receivers[allowed].received) == 1
    for app in (unscoped, strangers, withdrawn):
        assert receivers[app].received == [] and await hooks.deliveries(subs[app].id) == []


async def test_consent_revoked_reaches_the_app_it_was_withdrawn_from_only(hooks: Hooks) -> None:
    citizen = await hooks.citizen()
    leaving = await hooks.app(citizen, ["openid", "applications:read"])
    staying = await hooks.app(citizen, ["openid", "applications:read"])
    told, untold = hooks.receiver(), hooks.receiver()
    revoked = [EventType.CONSENT_REVOKED]
    leaving_sub = await hooks.subscribe(leaving, told, revoked)
    staying_sub = await hooks.subscribe(staying, untold, revoked)

    async with hooks.sessions() as session, unit_of_work(session):
        await oidc.revoke_consent(session, citizen, leaving)  # records consent.revoked with the change
    await hooks.deliver(leaving_sub)
    await hooks.deliver(staying_sub)

    [body] = told.bodies()
    subject = oidc.pairwise_subject(hooks.resources.identity.pairwise_key, leaving, citizen)
    assert body["type"] == "consent.revoked"
    assert body["data"] == {"subject": subject, "scopes": ["applications:read", "openid"]}
    assert untold.received == []


async def test_failures_are_retried_with_the_same_id_and_body_and_a_2xx_is_never_sent_again(hooks: Hooks) -> None:
    citizen = await hooks.citizen()
    app = await hooks.app(citizen, ["applications:read"])
    receiver = hooks.receiver(respond=lambda _id, count: 503 if count <= 3 else 200)
    subscription = await hooks.subscribe(app, receiver, [STATUS_CHANGED])
    await hooks.event(STATUS_CHANGED, citizen, application_id="a", status="accepted")

    await hooks.deliver(subscription)

    assert receiver.unverified == []
    assert [r.answered for r in receiver.received] == [503, 503, 503, 200]
    assert len(set(receiver.ids())) == 1 and len({r.body for r in receiver.received}) == 1
    [delivery] = await hooks.deliveries(subscription.id)
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("succeeded", 4, 200)
    attempts = await hooks.attempts(delivery.id)
    assert [a.status_code for a in attempts] == [503, 503, 503, 200]
    assert attempts[1].at - attempts[0].at >= timedelta(seconds=5) * SCALE
    assert (await hooks.subscription(subscription.id)).failing_since is None

    await hooks.deliver(subscription)
    assert (await sweep(hooks.resources))["woken"] == 0
    await hooks.deliver(subscription)
    assert len(receiver.received) == 4


async def test_an_endpoint_answering_410_is_disabled_and_what_waits_stays_unsent(open_hooks: Opener) -> None:
    hooks = await open_hooks(webhook_concurrency=1)
    citizen = await hooks.citizen()
    app = await hooks.app(citizen, ["applications:read"])
    receiver = hooks.receiver(respond=always(410))
    subscription = await hooks.subscribe(app, receiver, [STATUS_CHANGED])
    for n in range(3):
        await hooks.event(STATUS_CHANGED, citizen, application_id=f"a{n}", status="accepted")

    await hooks.deliver(subscription)

    assert len(receiver.received) == 1
    gone = await hooks.subscription(subscription.id)
    assert (gone.status, gone.disabled_reason) == ("disabled", "gone")
    deliveries = await hooks.deliveries(subscription.id)
    assert [d.status for d in deliveries] == ["pending"] * 3
    assert sorted(d.attempts for d in deliveries) == [0, 0, 1]
    await hooks.deliver(subscription)
    assert (await sweep(hooks.resources))["woken"] == 0
    assert len(receiver.received) == 1
    assert await _disabled_notices(hooks) == [(app, subscription.id, "gone")]


async def _disabled_notices(hooks: Hooks) -> list[tuple[str, str, str]]:
    a = t.audit_events
    async with hooks.sessions() as session:
        rows = await session.execute(select(a).where(a.c.action == "webhook_disabled").order_by(a.c.id))
        return [(r.client_id, r.detail["subscription_id"], r.detail["reason"]) for r in rows]


async def test_five_scaled_days_of_failures_disable_the_endpoint_with_a_notice(open_hooks: Opener) -> None:
    scale = 0.00001  # the whole schedule (3.2 days) takes 2.7 s, 5 days 4.3 s: time apart however slow
    hooks = await open_hooks(webhook_clock_scale=scale)
    citizen = await hooks.citizen()
    app = await hooks.app(citizen, ["applications:read"])
    receiver = hooks.receiver(respond=always(500))
    subscription = await hooks.subscribe(app, receiver, [STATUS_CHANGED])
    await hooks.event(STATUS_CHANGED, citizen, application_id="a", status="accepted")

    await hooks.deliver(subscription)  # every retry of the schedule, then it gives up

    [delivery] = await hooks.deliveries(subscription.id)
    assert (delivery.status, delivery.attempts) == ("failed", 10)
    assert len(receiver.received) == 10 and len(set(receiver.ids())) == 1
    failing = await hooks.subscription(subscription.id)
    assert failing.status == "active" and failing.failing_since is not None
    deadline = failing.failing_since + timedelta(days=5) * scale
    assert (await sweep(hooks.resources))["disabled"] == 0
    await asyncio.sleep(deadline.timestamp() - time.time() + 0.05)  # the scaled 5 days pass: time, not a race
    assert (await sweep(hooks.resources))["disabled"] == 1

    disabled = await hooks.subscription(subscription.id)
    assert (disabled.status, disabled.disabled_reason) == ("disabled", "failing")
    assert disabled.disabled_at is not None and disabled.disabled_at > deadline
    assert await _disabled_notices(hooks) == [(app, subscription.id, "failing")]
    said = notice(hooks.resources.messages, Locale.ZH_HANS, "failing", subscription.url)
    assert subscription.url in said and "已停用" in said and "5 天" in said


async def test_during_a_rotation_both_secrets_verify_every_delivery(hooks: Hooks) -> None:
    citizen = await hooks.citizen()
    app = await hooks.app(citizen, ["applications:read"])
    receiver = hooks.receiver()
    subscription = await hooks.subscribe(app, receiver, [STATUS_CHANGED])
    old = receiver.secrets[0]
    async with hooks.sessions() as session, unit_of_work(session):
        new = await subscriptions.rotate(session, subscription.id, timedelta(hours=1))
    receiver.secrets.append(new)
    await hooks.event(STATUS_CHANGED, citizen, application_id="a", status="accepted")

    await hooks.deliver(subscription)

    [got] = receiver.received
    assert set(got.verified_by) == {old, new}
    assert receiver.unverified == []


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost"])
async def test_strict_mode_refuses_a_loopback_endpoint_at_delivery_time(open_hooks: Opener, host: str) -> None:
    hooks = await open_hooks(webhook_public_endpoints_only=True)
    citizen = await hooks.citizen()
    app = await hooks.app(citizen, ["applications:read"])
    receiver = hooks.receiver()
    url = f"https://{host}:{receiver.port}/hooks"  # https, so the address alone is refused
    subscription = await hooks.subscribe(app, receiver, [STATUS_CHANGED], url=url)
    await hooks.event(STATUS_CHANGED, citizen, application_id="a", status="accepted")

    before = datetime.now(UTC)
    await hooks.deliver(subscription)

    assert receiver.received == []
    [delivery] = await hooks.deliveries(subscription.id)
    attempts = await hooks.attempts(delivery.id)
    assert attempts and {(a.status_code, a.error) for a in attempts} == {(None, "blocked address")}
    assert delivery.status in ("pending", "failed")
    assert (await hooks.subscription(subscription.id)).failing_since >= before  # type: ignore[operator]


async def test_redeliver_sends_the_same_delivery_again(hooks: Hooks) -> None:
    citizen = await hooks.citizen()
    app = await hooks.app(citizen, ["applications:read"])
    receiver = hooks.receiver()
    subscription = await hooks.subscribe(app, receiver, [STATUS_CHANGED])
    await hooks.event(STATUS_CHANGED, citizen, application_id="a", status="accepted")
    await hooks.deliver(subscription)
    [delivery] = await hooks.deliveries(subscription.id)

    async with hooks.sessions() as session, unit_of_work(session):
        assert await redeliver(session, delivery.id) == subscription.id
        assert await redeliver(session, "msg_nothing") is None
    await hooks.deliver(subscription)

    assert receiver.ids() == [delivery.id, delivery.id]
    assert len({r.body for r in receiver.received}) == 1
    assert [a.status_code for a in await hooks.attempts(delivery.id)] == [204, 204]
