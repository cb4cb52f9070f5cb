"""An app's developer manages its webhooks through the real app over GraphQL (issue 17, item 2): subscribes
an endpoint and gets its secret once, rotates it with an overlap, changes, turns off and on and deletes
it, reads the delivery log and the events sent, and asks for a redelivery; an admin may too, another
app's developer may not. Deliveries are rows written here: the sending engine is tested on its own."""

from __future__ import annotations

import asyncio
import base64
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from litestar.testing import AsyncTestClient
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from backend.app import create_app
from backend.cli import main as cli
from backend.db import tables as t
from backend.identity import clients, staff
from backend.identity.models import Role, RoleGrant
from backend.job_queue import open_queue
from backend.outbox.events import SCOPE_OF, EventType
from backend.platform import developers
from backend.settings import get_settings
from backend.webhooks.subscriptions import signing_secrets
from standins.seed import DEMO_PASSWORD
from tests.conftest import make_settings
from tests.support.gql import send
from tests.support.identity import audit_actions, staff_token
from tests.support.servers import RedisServer

Sessions = async_sessionmaker[AsyncSession]
SUBSCRIPTION = "id clientId url description eventTypes status statusLabel disabledReason disabledReasonLabel "
SUBSCRIPTION += "disabledAt failingSince createdAt"
CREATE = f"""mutation($i: CreateWebhookSubscriptionInput!) {{ createWebhookSubscription(input: $i) {{
  subscription {{ {SUBSCRIPTION} }} secret errors {{ code field message }} }} }}"""
UPDATE = f"""mutation($i: UpdateWebhookSubscriptionInput!) {{ updateWebhookSubscription(input: $i) {{
  subscription {{ {SUBSCRIPTION} }} errors {{ code field message }} }} }}"""
ROTATE = """mutation($i: RotateWebhookSecretInput!) { rotateWebhookSecret(input: $i) {
  subscription { id } secret previousSecretsExpireAt errors { code field message } } }"""
DELETE = "mutation($id: ID!) { deleteWebhookSubscription(id: $id) { deletedId errors { code field message } } }"
REDELIVER = """mutation($id: ID!) { redeliverWebhook(deliveryId: $id) {
  delivery { id status statusLabel nextAttemptAt attemptCount } errors { code field message } } }"""
LIST = f"query($c: String!) {{ webhookSubscriptions(clientId: $c) {{ {SUBSCRIPTION} }} }}"
DELIVERIES = """query($s: ID!, $n: Int!, $a: String, $st: WebhookDeliveryStatus) {
  webhookDeliveries(subscriptionId: $s, first: $n, after: $a, status: $st) {
    edges { cursor node { id eventId eventType status statusLabel createdAt deliveredAt nextAttemptAt
      lastStatusCode attemptCount attempts { at statusCode latencyMs error manual } } }
    pageInfo { hasNextPage endCursor } } }"""
EVENTS = """query($c: String!, $n: Int!, $a: String) { webhookEvents(clientId: $c, first: $n, after: $a) {
  edges { node { id type occurredAt sentAt body } } pageInfo { hasNextPage endCursor } } }"""
SECRET = re.compile(r"^whsec_([A-Za-z0-9+/=]+)$")
ENDPOINT = "https://hooks.library.example/onewindow"
NOW = datetime.now(UTC).replace(microsecond=0)


async def _apps(db: Sessions) -> tuple[str, str]:
    """Two apps, each with its own developer: dev.library builds the first, dev.hospital the second."""
    ids = []
    async with db() as session, session.begin():
        for name in ("library", "hospital"):
            client, _ = await clients.create_client(
                session, name=f"{name} app", redirect_uris=[f"https://{name}.example/cb"], scopes=["openid"]
            )
            grant = [RoleGrant(Role.DEVELOPER)]
            await staff.create_staff(session, username=f"dev.{name}", name=name, password=DEMO_PASSWORD, roles=grant)
            await developers.add_developer(session, client.client_id, f"dev.{name}")
            ids.append(client.client_id)
    return ids[0], ids[1]


async def _call(api: Any, token: str, query: str, variables: dict[str, Any], locale: str = "en") -> dict[str, Any]:
    status, body = await send(api, query, variables, token=token, locale=locale)
    assert status == 200, body
    return body


async def _mutate(api: Any, token: str, query: str, variables: dict[str, Any], locale: str = "en") -> dict[str, Any]:
    body = await _call(api, token, query, variables, locale)
    assert "errors" not in body, body
    payload: dict[str, Any] = next(iter(body["data"].values()))
    return payload


def _codes(payload: dict[str, Any]) -> list[tuple[str, str | None]]:
    return [(e["code"], e["field"]) for e in payload["errors"]]


async def _create(api: Any, token: str, client_id: str, **given: Any) -> dict[str, Any]:
    fields = {"clientId": client_id, "url": ENDPOINT, "eventTypes": ["application.issued"]} | given
    return await _mutate(api, token, CREATE, {"i": fields})


async def _secrets(db: Sessions, subscription_id: str, now: datetime | None = None) -> list[str]:
    async with db() as session:
        return await signing_secrets(session, subscription_id, now=now)


async def test_a_developer_subscribes_rotates_changes_turns_off_and_deletes_an_endpoint(
    api: AsyncTestClient[Any], db: Sessions, redis_server: RedisServer
) -> None:
    library, hospital = await _apps(db)
    developer = await staff_token(api, "dev.library")

    # Subscribed: the secret is whsec_ and the base64 of 32 random bytes, the event types said once each
    created = await _create(
        api, developer, library, eventTypes=["consent.revoked", "application.issued", "consent.revoked"]
    )
    assert created["errors"] == []
    secret, subscription = created["secret"], created["subscription"]
    found = SECRET.match(secret)
    assert found and len(base64.b64decode(found.group(1), validate=True)) == 32
    sid = subscription["id"]
    assert subscription | {"id": "", "createdAt": ""} == {
        "id": "",
        "clientId": library,
        "url": ENDPOINT,
        "description": "",
        "eventTypes": ["application.issued", "consent.revoked"],
        "status": "active",
        "statusLabel": "Receiving events",
        "disabledReason": None,
        "disabledReasonLabel": None,
        "disabledAt": None,
        "failingSince": None,
        "createdAt": "",
    }
    assert sid.startswith("whsub_") and await _secrets(db, sid) == [secret]

    # Read back: everything but the secret, which no later answer carries
    listed = await _call(api, developer, LIST, {"c": library})
    assert listed["data"]["webhookSubscriptions"] == [subscription] and secret not in str(listed)

    # Rotated with a 2-hour overlap: both secrets sign until then, the new one alone after
    rotated = await _mutate(api, developer, ROTATE, {"i": {"id": sid, "overlapHours": 2}})
    new = rotated["secret"]
    assert rotated["errors"] == [] and SECRET.match(new) and new != secret
    until = datetime.fromisoformat(rotated["previousSecretsExpireAt"])
    assert timedelta(hours=2) - timedelta(minutes=1) < until - datetime.now(UTC) <= timedelta(hours=2)
    assert await _secrets(db, sid) == [new, secret]
    assert await _secrets(db, sid, until + timedelta(seconds=1)) == [new]
    too_long = await _mutate(api, developer, ROTATE, {"i": {"id": sid, "overlapHours": 24 * 7 + 1}}, "zh-CN")
    assert _codes(too_long) == [("WEBHOOK_OVERLAP_OUT_OF_RANGE", "overlapHours")]
    assert too_long["errors"][0]["message"] == "更换密钥后，旧密钥可继续有效 0 至 168 小时。"
    assert await _secrets(db, sid) == [new, secret]  # a refused rotation changes nothing

    # Changed: endpoint, event types, description; what is left out stays
    changes = {"id": sid, "url": ENDPOINT + "/v2", "eventTypes": ["payment.succeeded"], "description": " Shop "}
    changed = (await _mutate(api, developer, UPDATE, {"i": changes}))["subscription"]
    assert (changed["url"], changed["eventTypes"], changed["description"]) == (
        ENDPOINT + "/v2",
        ["payment.succeeded"],
        "Shop",
    )
    assert secret not in str(changed) and new not in str(changed)

    # Turned off by the developer, then on again; a subscription the engine turned off for failing is
    # forgiven when turned on: its failures count afresh
    off = (await _mutate(api, developer, UPDATE, {"i": {"id": sid, "enabled": False}}, "zh-TW"))["subscription"]
    assert (off["status"], off["disabledReason"], off["disabledReasonLabel"]) == (
        "disabled",
        "developer",
        "已由應用程式的開發者停用",
    )
    assert off["statusLabel"] == "已停用：不再推送事件" and off["disabledAt"] is not None
    async with db() as session, session.begin():
        await session.execute(
            update(t.webhook_subscriptions)
            .where(t.webhook_subscriptions.c.id == sid)
            .values(disabled_reason="failing", failing_since=NOW - timedelta(days=5))
        )
    failing = (await _call(api, developer, LIST, {"c": library}, "zh-CN"))["data"]["webhookSubscriptions"][0]
    assert failing["disabledReasonLabel"] == "已停用：连续 5 天推送均失败" and failing["failingSince"] is not None
    assert await _queued(redis_server) == []
    on = (await _mutate(api, developer, UPDATE, {"i": {"id": sid, "enabled": True}}))["subscription"]
    assert [on[k] for k in ("status", "disabledReason", "disabledAt", "failingSince")] == ["active", None, None, None]
    # What waited while it was off is sent now, not at the workers' next sweep
    assert await _queued(redis_server) == [("webhooks.deliver", {"subscription_id": sid})]

    # Another app's developer can neither read nor touch it; the admin can
    outsider = await staff_token(api, "dev.hospital")
    refused = await _call(api, outsider, LIST, {"c": library})
    assert refused["data"] is None and refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    for query, variables in (
        (CREATE, {"i": {"clientId": library, "url": ENDPOINT, "eventTypes": ["application.issued"]}}),
        (UPDATE, {"i": {"id": sid, "enabled": False}}),
        (ROTATE, {"i": {"id": sid}}),
        (DELETE, {"id": sid}),
    ):
        payload = await _mutate(api, outsider, query, variables)
        assert _codes(payload) == [("FORBIDDEN", None)], payload
        assert payload["errors"][0]["message"] == "You are not allowed to do this."
    assert await _secrets(db, sid) == [new, secret]
    admin = await staff_token(api, "admin")
    assert [s["id"] for s in (await _call(api, admin, LIST, {"c": library}))["data"]["webhookSubscriptions"]] == [sid]
    assert (await _call(api, outsider, LIST, {"c": hospital}))["data"]["webhookSubscriptions"] == []

    # Deleted with its secrets, deliveries and their attempts
    await _deliveries(db, sid, library)
    deleted = await _mutate(api, developer, DELETE, {"id": sid})
    assert deleted == {"deletedId": sid, "errors": []}
    async with db() as session:
        for table, column in (
            (t.webhook_subscriptions, t.webhook_subscriptions.c.id),
            (t.webhook_secrets, t.webhook_secrets.c.subscription_id),
            (t.webhook_deliveries, t.webhook_deliveries.c.subscription_id),
        ):
            assert (await session.execute(select(func.count()).select_from(table).where(column == sid))).scalar() == 0
        assert (await session.execute(select(func.count()).select_from(t.webhook_attempts))).scalar() == 0
    again = await _mutate(api, developer, DELETE, {"id": sid})
    assert _codes(again) == [("WEBHOOK_NOT_FOUND", "id")]
    assert again["errors"][0]["message"] == f"No webhook subscription has the id {sid}."
    # The audit log says who subscribed, rotated and deleted (the refused tries left nothing)
    async with db() as session:
        audited = (
            await session.execute(
                select(t.audit_events.c.action, t.audit_events.c.actor_id, t.audit_events.c.client_id)
                .where(t.audit_events.c.action.like("webhook_%"))
                .order_by(t.audit_events.c.id)
            )
        ).all()
        library_developer = (
            await session.execute(select(t.staff.c.id).where(t.staff.c.username == "dev.library"))
        ).scalar_one()
    assert [tuple(row) for row in audited] == [
        ("webhook_subscribed", library_developer, library),
        ("webhook_secret_rotated", library_developer, library),
        ("webhook_deleted", library_developer, library),
    ]
    assert "webhook_subscribed" in await audit_actions(db)


async def test_what_a_subscription_may_not_be_is_refused_with_a_reason_in_the_callers_language(
    api: AsyncTestClient[Any], db: Sessions
) -> None:
    library, _ = await _apps(db)
    developer = await staff_token(api, "dev.library")

    async def refusal(locale: str = "en", **given: Any) -> tuple[str, str | None, str]:
        fields = {"clientId": library, "url": ENDPOINT, "eventTypes": ["application.issued"]} | given
        payload = await _mutate(api, developer, CREATE, {"i": fields}, locale)
        assert payload["subscription"] is None and payload["secret"] is None and len(payload["errors"]) == 1, payload
        error = payload["errors"][0]
        return error["code"], error["field"], error["message"]

    invalid = (
        "WEBHOOK_URL_INVALID",
        "url",
        "Enter the endpoint's full address, starting with https://, at most 2,000 characters, "
        "without a user name or password in it.",
    )
    for url in (
        "ftp://hooks.example/x",
        "hooks.example/x",
        "https://user:pw@hooks.example/x",
        "https://h/" + "a" * 1991,
    ):
        assert await refusal(url=url) == invalid, url
    assert await refusal("zh-CN", url="https://:secret@hooks.example/") == (
        "WEBHOOK_URL_INVALID",
        "url",
        "请填写接收地址的完整网址：以 https:// 开头，不超过 2,000 个字符，且不含用户名或密码。",
    )
    known = ", ".join(kind.value for kind in EventType)
    assert await refusal(eventTypes=["application.teleported"]) == (
        "WEBHOOK_EVENT_TYPE_UNKNOWN",
        "eventTypes",
        f"application.teleported is not an event type. The event types are: {known}.",
    )
    assert (await refusal("zh-HK", eventTypes=["x"]))[2] == f"x 不是事件類型。可訂閱的事件類型有：{known}。"
    assert (await refusal(eventTypes=[]))[:2] == ("REQUIRED", "eventTypes")
    assert await refusal(description="長" * 201) == (
        "TOO_LONG",
        "description",
        "This is too long: at most 200 characters (now 201).",
    )
    assert await refusal(clientId="no-such-app") == ("NOT_FOUND", "clientId", "no-such-app was not found.")
    async with db() as session:
        assert (await session.execute(select(func.count()).select_from(t.webhook_subscriptions))).scalar() == 0

    # Ten per app; the eleventh is refused
    for n in range(10):
        assert (await _create(api, developer, library, url=f"{ENDPOINT}/{n}"))["errors"] == []
    assert await refusal() == (
        "WEBHOOK_LIMIT",
        None,
        "An app may have at most 10 webhook subscriptions: delete one first.",
    )
    missing = await _mutate(api, developer, UPDATE, {"i": {"id": "whsub_nothing", "url": ENDPOINT}})
    assert _codes(missing) == [("WEBHOOK_NOT_FOUND", "id")]
    # Pages and status filters are the schema's to check; an oversized page is refused by the resolver
    too_many = await _call(api, developer, DELIVERIES, {"s": "whsub_nothing", "n": 101})
    assert too_many["errors"][0]["extensions"]["code"] == "PAGE_SIZE_OUT_OF_RANGE"
    no_first = await _call(api, developer, '{ webhookEvents(clientId: "x") { edges { cursor } } }', {})
    assert no_first["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"


async def test_production_endpoints_must_be_public_https_addresses(
    catalog_database: str, fresh_redis: Any, redis_server: RedisServer, db: Sessions, tmp_path: Path
) -> None:
    settings = make_settings(catalog_database, redis_server.url, tmp_path / "data", webhook_public_endpoints_only=True)
    async with AsyncTestClient(create_app(settings)) as api:
        library, _ = await _apps(db)
        developer = await staff_token(api, "dev.library")
        for url, host in (
            ("http://93.184.216.34/hook", "93.184.216.34"),  # public, but not https
            ("https://127.0.0.1/hook", "127.0.0.1"),
            ("https://localhost:8443/hook", "localhost"),  # resolved: loopback
            ("https://10.1.2.3/hook", "10.1.2.3"),
            ("https://169.254.169.254/latest/meta-data", "169.254.169.254"),  # a cloud's metadata service
            ("https://[::ffff:127.0.0.1]/hook", "::ffff:127.0.0.1"),
            ("https://[fe80::1]/hook", "fe80::1"),
            ("https://no-such-host.invalid/hook", "no-such-host.invalid"),  # does not resolve
        ):
            payload = await _create(api, developer, library, url=url)
            assert _codes(payload) == [("WEBHOOK_URL_NOT_PUBLIC", "url")], url
            assert payload["errors"][0]["message"] == (
                f"Webhooks are sent only to public https endpoints: {host} is not one. Use https and a host whose "
                "addresses are all on the public internet (not private, loopback or link-local)."
            )
        created = await _create(api, developer, library, url="https://93.184.216.34/hook")
        assert created["errors"] == [] and created["subscription"]["url"] == "https://93.184.216.34/hook"
        # A change of endpoint is checked the same way
        sid = created["subscription"]["id"]
        moved = await _mutate(api, developer, UPDATE, {"i": {"id": sid, "url": "https://192.168.1.20/"}}, "zh-CN")
        assert _codes(moved) == [("WEBHOOK_URL_NOT_PUBLIC", "url")]
        assert moved["errors"][0]["message"].startswith("事件通知只发往公网上的 https 接收地址：192.168.1.20 不符合。")


async def _deliveries(db: Sessions, subscription_id: str, client_id: str) -> dict[str, str]:
    """What the engine would have written: a delivered event after a 500, a pending one that timed out, one
    given up on, and the first event sent to a second endpoint of the app too. Returns name -> id."""
    async with db() as session, session.begin():
        second = f"{subscription_id}_2"[:40]
        await session.execute(
            t.webhook_subscriptions.insert().values(
                id=second,
                client_id=client_id,
                url="https://backup.example/",
                event_types=["application.issued"],
                description="",
                status="active",
                created_by="test",
                created_at=NOW - timedelta(days=40),
            )
        )
        rows = {
            "delivered": ("evt_a", "application.issued", subscription_id, "succeeded", NOW - timedelta(hours=3)),
            "backup": ("evt_a", "application.issued", second, "succeeded", NOW - timedelta(hours=3)),
            "pending": ("evt_b", "consent.revoked", subscription_id, "pending", NOW - timedelta(hours=2)),
            "failed": ("evt_c", "application.issued", subscription_id, "failed", NOW - timedelta(hours=1)),
            "old": ("evt_old", "application.issued", second, "succeeded", NOW - timedelta(days=31)),
        }
        for name, (event, kind, sid, status, at) in rows.items():
            await session.execute(
                t.webhook_deliveries.insert().values(
                    id=f"msg_{name}",
                    event_id=event,
                    event_type=kind,
                    subscription_id=sid,
                    citizen_id=None,
                    body=f'{{"type":"{kind}","data":{{"event":"{event}"}}}}',
                    status=status,
                    attempts=0,
                    next_attempt_at=at + timedelta(minutes=5) if status == "pending" else None,
                    lease_until=at + timedelta(minutes=1) if status == "pending" else None,
                    last_status_code=200 if status == "succeeded" else None,
                    created_at=at,
                    delivered_at=at + timedelta(seconds=6) if status == "succeeded" else None,
                )
            )
        await session.execute(
            t.outbox_events.insert().values(
                id="evt_a", type="application.issued", citizen_id=None, data={}, occurred_at=NOW - timedelta(hours=4)
            )
        )
        attempts = [
            ("msg_delivered", 0, 500, 35, None),
            ("msg_delivered", 5, 200, 12, None),
            ("msg_pending", 0, None, 10000, "timeout"),
            *(("msg_failed", n, 503, 20 + n, None) for n in range(12)),
        ]
        for delivery, seconds, code, latency, error in attempts:
            created = {"msg_delivered": 3, "msg_pending": 2, "msg_failed": 1}[delivery]
            await session.execute(
                t.webhook_attempts.insert().values(
                    delivery_id=delivery,
                    at=NOW - timedelta(hours=created) + timedelta(seconds=seconds),
                    status_code=code,
                    latency_ms=latency,
                    error=error,
                    manual=False,
                )
            )
    return {name: f"msg_{name}" for name in rows}


@pytest.fixture
def cli_env(catalog_database: str, redis_server: RedisServer, monkeypatch: pytest.MonkeyPatch) -> Any:
    """`onewindow ...` in English on this test's database and Redis, off the event loop (it runs its own)."""
    monkeypatch.setenv("ONEWINDOW_DATABASE_URL", catalog_database)
    monkeypatch.setenv("ONEWINDOW_REDIS_URL", redis_server.url)
    monkeypatch.setenv("LANG", "en_US.UTF-8")
    for variable in ("LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(variable, raising=False)
    get_settings.cache_clear()

    async def invoke(*args: str) -> Result:
        result = await asyncio.to_thread(CliRunner().invoke, cli, list(args))
        assert result.exit_code == 0, result.output
        return result

    yield invoke
    get_settings.cache_clear()


async def _queued(redis_server: RedisServer) -> list[tuple[str, dict[str, Any]]]:
    """The jobs waiting in the SAQ queue: (function, kwargs)."""
    queue = open_queue(redis_server.url)
    try:
        return [(job.function, job.kwargs or {}) async for job in queue.iter_jobs()]
    finally:
        await queue.disconnect()


async def test_the_delivery_log_the_events_sent_and_a_redelivery(
    api: AsyncTestClient[Any], db: Sessions, redis_server: RedisServer, cli_env: Any
) -> None:
    library, _ = await _apps(db)
    developer = await staff_token(api, "dev.library")
    sid = (await _create(api, developer, library))["subscription"]["id"]
    ids = await _deliveries(db, sid, library)

    # Newest first, a page at a time, each with its attempts (the latest ten) in the reader's language
    first = (await _call(api, developer, DELIVERIES, {"s": sid, "n": 2}, "zh-CN"))["data"]["webhookDeliveries"]
    nodes = [e["node"] for e in first["edges"]]
    assert [n["id"] for n in nodes] == [ids["failed"], ids["pending"]] and first["pageInfo"]["hasNextPage"]
    failed, pending = nodes
    assert (failed["status"], failed["statusLabel"], failed["attemptCount"]) == ("FAILED", "最后一次重试后已放弃", 12)
    assert [a["statusCode"] for a in failed["attempts"]] == [503] * 10
    assert [a["latencyMs"] for a in failed["attempts"]] == list(range(22, 32))  # the latest ten, oldest first
    assert (pending["status"], pending["statusLabel"], pending["nextAttemptAt"]) == (
        "PENDING",
        "等待推送",
        (NOW - timedelta(hours=2) + timedelta(minutes=5)).isoformat(),
    )
    assert pending["attempts"] == [
        {
            "at": (NOW - timedelta(hours=2)).isoformat(),
            "statusCode": None,
            "latencyMs": 10000,
            "error": "timeout",
            "manual": False,
        }
    ]
    rest = await _call(api, developer, DELIVERIES, {"s": sid, "n": 2, "a": first["pageInfo"]["endCursor"]})
    page = rest["data"]["webhookDeliveries"]
    delivered = page["edges"][0]["node"]
    assert [e["node"]["id"] for e in page["edges"]] == [ids["delivered"]] and not page["pageInfo"]["hasNextPage"]
    assert (delivered["statusLabel"], delivered["lastStatusCode"], delivered["nextAttemptAt"]) == (
        "Delivered",
        200,
        None,
    )
    assert [(a["statusCode"], a["latencyMs"]) for a in delivered["attempts"]] == [(500, 35), (200, 12)]
    only = await _call(api, developer, DELIVERIES, {"s": sid, "n": 10, "st": "SUCCEEDED"})
    assert [e["node"]["id"] for e in only["data"]["webhookDeliveries"]["edges"]] == [ids["delivered"]]

    # The events sent to the app in the last 30 days, each once, with the body as sent
    events = (await _call(api, developer, EVENTS, {"c": library, "n": 10}))["data"]["webhookEvents"]
    assert [e["node"]["id"] for e in events["edges"]] == ["evt_c", "evt_b", "evt_a"]
    evt_a = events["edges"][2]["node"]
    assert evt_a == {
        "id": "evt_a",
        "type": "application.issued",
        "occurredAt": (NOW - timedelta(hours=4)).isoformat(),
        "sentAt": (NOW - timedelta(hours=3)).isoformat(),
        "body": '{"type":"application.issued","data":{"event":"evt_a"}}',
    }
    one = (await _call(api, developer, EVENTS, {"c": library, "n": 1}))["data"]["webhookEvents"]
    after = await _call(api, developer, EVENTS, {"c": library, "n": 5, "a": one["pageInfo"]["endCursor"]})
    assert [e["node"]["id"] for e in after["data"]["webhookEvents"]["edges"]] == ["evt_b", "evt_a"]

    # Another app's developer reads none of it and cannot redeliver
    outsider = await staff_token(api, "dev.hospital")
    for query, variables in ((DELIVERIES, {"s": sid, "n": 5}), (EVENTS, {"c": library, "n": 5})):
        refused = await _call(api, outsider, query, variables)
        assert refused["data"] is None and refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert _codes(await _mutate(api, outsider, REDELIVER, {"id": ids["failed"]})) == [("FORBIDDEN", None)]
    assert await _queued(redis_server) == []

    # A subscription the engine turned off (its endpoint answered 410) is sent nothing: redelivery is refused
    async def switch(status: str) -> None:
        async with db() as session, session.begin():
            reason = "gone" if status == "disabled" else None
            await session.execute(
                update(t.webhook_subscriptions)
                .where(t.webhook_subscriptions.c.id == sid)
                .values(status=status, disabled_reason=reason)
            )

    await switch("disabled")
    off = await _mutate(api, developer, REDELIVER, {"id": ids["failed"]}, "zh-CN")
    assert _codes(off) == [("WEBHOOK_DISABLED", "deliveryId")]
    assert off["errors"][0]["message"] == "此订阅已停用，不会向它推送任何内容：请先启用，再重新推送。"
    assert await _queued(redis_server) == []
    await switch("active")

    # Redelivered: pending again, due now, no lease; a delivery job for its subscription is queued
    redone = await _mutate(api, developer, REDELIVER, {"id": ids["failed"]})
    assert redone["errors"] == [] and redone["delivery"]["status"] == "PENDING"
    assert abs(datetime.fromisoformat(redone["delivery"]["nextAttemptAt"]) - datetime.now(UTC)) < timedelta(minutes=1)
    assert await _queued(redis_server) == [("webhooks.deliver", {"subscription_id": sid})]
    async with db() as session:
        row = (
            await session.execute(select(t.webhook_deliveries).where(t.webhook_deliveries.c.id == ids["failed"]))
        ).one()
    assert (row.status, row.lease_until, row.body) == (
        "pending",
        None,
        '{"type":"application.issued","data":{"event":"evt_c"}}',
    )
    unknown = await _mutate(api, developer, REDELIVER, {"id": "msg_nothing"}, "zh-CN")
    assert _codes(unknown) == [("WEBHOOK_DELIVERY_NOT_FOUND", "deliveryId")]
    assert unknown["errors"][0]["message"] == "没有编号为 msg_nothing 的事件推送记录。"

    # The admin reads all of it, several fields in one query
    admin = await staff_token(api, "admin")
    together = """query($c: String!, $s: ID!) { webhookSubscriptions(clientId: $c) { id }
      webhookEvents(clientId: $c, first: 5) { edges { node { id } } }
      webhookDeliveries(subscriptionId: $s, first: 5) { edges { node { id } } } }"""
    seen = await _call(api, admin, together, {"c": library, "s": sid})
    assert "errors" not in seen and len(seen["data"]["webhookDeliveries"]["edges"]) == 3, seen

    # The CLI: the app's subscriptions, a subscription's deliveries (labels, newest first), a redelivery
    listed = (await cli_env("webhooks", "list", library)).output.splitlines()
    assert listed[0].split()[:3] == ["Subscription", "State", "Created"]
    assert [line.split()[0] for line in listed[1:]] == [f"{sid}_2"[:40], sid]
    assert "Receiving events" in listed[2] and listed[2].endswith(ENDPOINT)
    table = (await cli_env("webhooks", "deliveries", sid, "--limit", "2")).output.splitlines()
    assert table[0].split() == ["Delivery", "Created", "(UTC)", "Event", "type", "State", "Tries", "Last", "answer"]
    assert [line.split()[0] for line in table[1:]] == [ids["failed"], ids["pending"]]
    assert "Waiting to be sent" in table[1] and table[1].split()[-2:] == ["12", "503"]
    assert table[2].split()[-3:] == ["1", "No", "answer"]
    sent = (await cli_env("webhooks", "redeliver", ids["delivered"])).output
    assert sent == f"{ids['delivered']} (application.issued) will be sent again to {sid}: queued for a worker\n"
    assert (await _queued(redis_server)).count(("webhooks.deliver", {"subscription_id": sid})) == 2


async def test_the_event_types_an_app_may_subscribe_to_are_described_in_the_readers_language(
    api: AsyncTestClient[Any],
) -> None:
    body = await send(api, "{ webhookEventTypes { type description scope } }", locale="zh-TW")
    kinds = body[1]["data"]["webhookEventTypes"]
    assert [k["type"] for k in kinds] == [kind.value for kind in EventType]
    assert [k["scope"] for k in kinds] == [SCOPE_OF[kind] for kind in EventType]
    revoked = next(k for k in kinds if k["type"] == "consent.revoked")
    assert revoked == {
        "type": "consent.revoked",
        "description": "市民撤回了對您應用程式的授權：請刪除您保存的該市民資料。",
        "scope": None,
    }
