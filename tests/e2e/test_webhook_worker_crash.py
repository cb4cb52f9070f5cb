"""kill -9 of a worker in the middle of a batch of webhook deliveries: a second worker finishes, every
(event, endpoint) arrives, and nothing whose 2xx was recorded before the kill is sent again.

Real processes on the session's PostgreSQL and Redis: `onewindow serve` prepares the database, two
`onewindow worker`s in turn relay the outbox and deliver to slow receivers on 127.0.0.1 that verify
every request with `standardwebhooks`.
"""

from __future__ import annotations

import asyncio
import signal
import subprocess
import time
import uuid
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from backend.db import tables as t
from backend.db.engine import create_engine, session_factory, unit_of_work
from backend.identity import clients, oidc
from backend.outbox.events import EventType, record
from backend.webhooks import subscriptions
from tests.e2e.conftest import BIN
from tests.support.webhooks import Receiver

EVENTS = 40
FAST_RECOVERY = {
    "ONEWINDOW_JOB_HEARTBEAT_SECONDS": "2",
    "ONEWINDOW_JOB_SWEEP_SECONDS": "1",
    "ONEWINDOW_WEBHOOK_LEASE_SECONDS": "3",
    "ONEWINDOW_WEBHOOK_CONCURRENCY": "4",
}


def _worker(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as out:
        return subprocess.Popen(
            [str(BIN / "onewindow"), "worker"], env=env | FAST_RECOVERY, stdout=out, stderr=subprocess.STDOUT
        )


def _until(condition: Callable[[], bool], seconds: float, what: str) -> None:
    """Wait for another process to make `condition` true (polling: it lives outside this test)."""
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


async def _prepare(url: str, receivers: list[Receiver]) -> list[str]:
    """A citizen who consented to an app with two endpoints, and EVENTS events about the citizen."""
    engine = create_engine(url)
    sessions = session_factory(engine)  # no relay to wake here: the workers' schedule relays
    citizen = str(uuid.uuid4())
    async with sessions() as session, unit_of_work(session):
        await session.execute(
            t.citizens.insert().values(id=citizen, phone="+8613912340000", created_at=datetime.now(UTC))
        )
        client, _ = await clients.create_client(
            session, name="Crash test app", redirect_uris=["https://mp.example.cn/cb"], scopes=["openid"]
        )
        await oidc.grant_consent(session, citizen, client.client_id, ["openid", "applications:read"])
        ids = []
        for receiver in receivers:
            subscription, secret = await subscriptions.create(
                session,
                client_id=client.client_id,
                url=receiver.url,
                event_types=["application.status_changed"],
                description="",
                created_by="developer",
            )
            receiver.secrets.append(secret)
            ids.append(subscription.id)
    async with sessions() as session, unit_of_work(session):
        for n in range(EVENTS):
            await record(
                session,
                EventType.APPLICATION_STATUS_CHANGED,
                citizen_id=citizen,
                data={"application_id": f"app-{n}", "status": "accepted"},
            )
    await engine.dispose()
    return ids


async def _read(url: str) -> tuple[list[Any], set[str]]:
    """Every delivery, and the ids of those with a 2xx attempt recorded."""
    engine = create_engine(url)
    d, a = t.webhook_deliveries, t.webhook_attempts
    async with session_factory(engine)() as session:
        deliveries = list(await session.execute(select(d.c.id, d.c.event_id, d.c.subscription_id, d.c.status)))
        ok = set(
            (
                await session.execute(
                    select(a.c.delivery_id).where(a.c.status_code >= 200, a.c.status_code < 300).distinct()
                )
            ).scalars()
        )
    await engine.dispose()
    return deliveries, ok


@pytest.mark.parametrize("server_env", ["postgresql+redis"], indirect=True)
def test_a_killed_worker_loses_no_delivery_and_resends_none_acknowledged(
    served: str, server_env: dict[str, str], tmp_path: Path
) -> None:
    url = server_env["ONEWINDOW_DATABASE_URL"]
    receivers = [Receiver(delay=0.15).start(), Receiver(delay=0.15).start()]
    try:
        subscription_ids = asyncio.run(_prepare(url, receivers))
        total = EVENTS * len(receivers)

        first = _worker(server_env, tmp_path / "worker-1.log")
        _until(lambda: sum(len(r.received) for r in receivers) >= total // 3, 60, "the first deliveries")
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=30)
        deliveries, acknowledged = asyncio.run(_read(url))
        received_at_kill = Counter(id_ for r in receivers for id_ in r.ids())
        assert 0 < len(acknowledged) < total, "the kill came mid-batch"
        assert len(deliveries) == total

        second = _worker(server_env, tmp_path / "worker-2.log")
        try:

            def all_succeeded() -> bool:
                rows, _ = asyncio.run(_read(url))
                return len(rows) == total and all(row.status == "succeeded" for row in rows)

            _until(all_succeeded, 90, "the second worker to finish")
        finally:
            second.send_signal(signal.SIGTERM)
            second.wait(timeout=30)
    finally:
        for receiver in receivers:
            receiver.stop()

    deliveries, _ = asyncio.run(_read(url))
    by_subscription = {sid: receiver for sid, receiver in zip(subscription_ids, receivers, strict=True)}
    for receiver in receivers:
        assert receiver.unverified == []
    # every (event, endpoint) arrived, at its own endpoint
    assert len({(row.event_id, row.subscription_id) for row in deliveries}) == total
    for row in deliveries:
        assert row.id in by_subscription[row.subscription_id].ids()
    # twice only for what was in flight at the kill: received, but no 2xx recorded
    counts = Counter(id_ for r in receivers for id_ in r.ids())
    twice = {id_ for id_, n in counts.items() if n > 1}
    assert not twice & acknowledged
    assert twice <= {id_ for id_ in received_at_kill if id_ not in acknowledged}
    print(f"acknowledged before the kill: {len(acknowledged)}/{total}; received twice: {len(twice)}")
