"""Webhooks benchmark: events fanned out to 10 loopback endpoints by real `onewindow worker`s.

    uv run python bench/webhooks_bench.py [--events 10000] [--rate 100] [--workers 2]

Starts PostgreSQL (fsync on) and redis-server as the tests do, migrates and seeds, and plays the web
instance itself: it records `application.status_changed` events at `--rate` per second for a citizen
who consented to 10 apps, each with one endpoint (commit wakes the relay, which fans out and queues
the delivery jobs), while `--workers` `onewindow worker` processes deliver to 10 receivers in a child
process (asyncio, keep-alive, every request verified with `standardwebhooks`).

1. Receivers answer 204: p95 from the event's commit to its arrival, deliveries/s, and each (event,
   endpoint) received exactly once.
2. Receivers answer 500 to 30% of requests at random, on a compressed clock: every delivery arrives
   (unless it failed all 10 tries: 0.3^10 each, counted), and none arrives again after a 2xx.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import random
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import func, select, text, update

from backend.db import tables as t
from backend.db.engine import create_engine, session_factory, unit_of_work
from backend.identity import clients, oidc
from backend.outbox.events import EventType, record
from backend.runtime import open_resources
from backend.settings import Settings
from backend.webhooks import subscriptions
from tests.conftest import import_demo, migrated
from tests.support.servers import PostgresServer, RedisServer, free_port

SECRET = "bench-secret-0123456789-0123456789-0123"
ENDPOINTS = 10
COMPRESSED = 0.0001  # phase 2: 5 s -> 0.5 ms, 24 h -> 8.6 s


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


# --- the receivers (a child process, so that they do not share the event writer's loop) -----------


async def serve_receivers(config: dict[str, Any]) -> None:
    from standardwebhooks import Webhook, WebhookVerificationError

    fail_rate: float = config["fail_rate"]
    log: list[tuple[int, str, float, int]] = []
    unverified = Counter[int]()

    async def handle(port: int, hook: Webhook, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                headers = {}
                for line in head.decode("latin-1").split("\r\n")[1:]:
                    name, _, value = line.partition(":")
                    if value:
                        headers[name.strip().lower()] = value.strip()
                body = await reader.readexactly(int(headers.get("content-length", "0")))
                arrived = time.time()
                try:
                    hook.verify(body, headers)
                    status = 500 if random.random() < fail_rate else 204
                except WebhookVerificationError:
                    unverified[port] += 1
                    status = 400
                log.append((port, headers.get("webhook-id", ""), arrived, status))
                writer.write(f"HTTP/1.1 {status} X\r\ncontent-length: 0\r\n\r\n".encode())
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    servers = []
    for port, secret in config["endpoints"]:
        hook = Webhook(secret)

        async def on_connect(r: asyncio.StreamReader, w: asyncio.StreamWriter, p: int = port, h: Any = hook) -> None:
            await handle(p, h, r, w)

        servers.append(await asyncio.start_server(on_connect, "127.0.0.1", port, backlog=1024))
    print("ready", flush=True)
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    await stop.wait()
    for server in servers:
        server.close()
    Path(config["out"]).write_text(json.dumps({"log": log, "unverified": sum(unverified.values())}))  # noqa: ASYNC240 (once, at the end)


def start_receivers(endpoints: list[tuple[int, str]], fail_rate: float, out: Path) -> subprocess.Popen[str]:
    config = {"endpoints": endpoints, "fail_rate": fail_rate, "out": str(out)}
    child = subprocess.Popen(
        [sys.executable, __file__, "--receivers", json.dumps(config)], stdout=subprocess.PIPE, text=True
    )
    assert child.stdout is not None
    assert child.stdout.readline().strip() == "ready"
    return child


def stop_receivers(child: subprocess.Popen[str], out: Path) -> dict[str, Any]:
    child.send_signal(signal.SIGTERM)
    child.wait(timeout=60)
    result: dict[str, Any] = json.loads(out.read_text())
    return result


# --- the platform -------------------------------------------------------------------------------------


async def prepare(url: str) -> tuple[str, list[str]]:
    """Migrated and seeded; a citizen who consented to 10 apps. The citizen and the apps."""
    await migrated(url)
    await import_demo(url, SECRET)
    engine = create_engine(url)
    sessions = session_factory(engine)
    citizen = str(uuid.uuid4())
    apps = []
    async with sessions() as session, unit_of_work(session):
        await session.execute(
            t.citizens.insert().values(id=citizen, phone="+8613999990000", created_at=datetime.now(UTC))
        )
        for n in range(ENDPOINTS):
            client, _ = await clients.create_client(
                session, name=f"Bench app {n}", redirect_uris=["https://mp.example.cn/cb"], scopes=["openid"]
            )
            await oidc.grant_consent(session, citizen, client.client_id, ["openid", "applications:read"])
            apps.append(client.client_id)
    await engine.dispose()
    return citizen, apps


async def subscribe(url: str, apps: list[str]) -> tuple[list[str], list[tuple[int, str]]]:
    """One endpoint per app (the earlier ones disabled): subscription ids, (port, secret) pairs."""
    engine = create_engine(url)
    ids, endpoints = [], []
    async with session_factory(engine)() as session, unit_of_work(session):
        s = t.webhook_subscriptions
        await session.execute(update(s).values(status="disabled", disabled_reason="developer"))
        for app in apps:
            port = free_port()
            subscription, secret = await subscriptions.create(
                session,
                client_id=app,
                url=f"http://127.0.0.1:{port}/hooks",
                event_types=["application.status_changed"],
                description="bench",
                created_by="bench",
            )
            ids.append(subscription.id)
            endpoints.append((port, secret))
    await engine.dispose()
    return ids, endpoints


def start_workers(count: int, env: dict[str, str], scale: float) -> list[subprocess.Popen[bytes]]:
    worker_env = env | {"ONEWINDOW_WEBHOOK_CLOCK_SCALE": str(scale)}
    binary = Path(sys.executable).parent / "onewindow"
    return [
        subprocess.Popen([str(binary), "worker"], env=worker_env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        for _ in range(count)
    ]


def stop_workers(workers: list[subprocess.Popen[bytes]]) -> None:
    for worker in workers:
        worker.send_signal(signal.SIGTERM)
    for worker in workers:
        try:
            _, err = worker.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            worker.kill()
            continue
        errors = [line for line in err.decode().splitlines() if "error" in line.lower()]
        if errors:
            print("worker errors:", *errors[:3], sep="\n  ")


async def write_events(settings: Settings, citizen: str, events: int, rate: float) -> float:
    """Record `events` events at `rate` per second as a web instance does (commit wakes its relay)."""
    async with open_resources(settings) as opened:
        sessions = opened.resources.sessions
        gate = asyncio.Semaphore(8)  # concurrent requests of the web instance
        start = time.monotonic()

        async def one(n: int) -> None:
            await asyncio.sleep(max(0.0, start + n / rate - time.monotonic()))
            async with gate, sessions() as session, unit_of_work(session):
                await record(
                    session,
                    EventType.APPLICATION_STATUS_CHANGED,
                    citizen_id=citizen,
                    data={"application_id": f"app-{n}", "reference": f"GZ-{n:06d}", "status": "accepted"},
                )

        await asyncio.gather(*(one(n) for n in range(events)))
        return time.monotonic() - start


async def wait_done(url: str, subscription_ids: list[str], total: int, limit: float) -> dict[str, int]:
    engine = create_engine(url)
    d = t.webhook_deliveries
    deadline = time.monotonic() + limit
    try:
        while True:
            async with session_factory(engine)() as session:
                rows = await session.execute(
                    select(d.c.status, func.count())
                    .where(d.c.subscription_id.in_(subscription_ids))
                    .group_by(d.c.status)
                )
                counts = {status: n for status, n in rows.all()}
            if counts.get("succeeded", 0) + counts.get("failed", 0) >= total or time.monotonic() > deadline:
                return counts
            await asyncio.sleep(0.5)
    finally:
        await engine.dispose()


async def recorded_ok_at(url: str, subscription_ids: list[str]) -> dict[str, float]:
    """Each delivery id -> when its first 2xx was recorded (committed as a webhook_attempts row)."""
    engine = create_engine(url)
    d, a = t.webhook_deliveries, t.webhook_attempts
    async with session_factory(engine)() as session:
        rows = await session.execute(
            select(a.c.delivery_id, func.min(a.c.at))
            .join(d, d.c.id == a.c.delivery_id)
            .where(d.c.subscription_id.in_(subscription_ids), a.c.status_code >= 200, a.c.status_code < 300)
            .group_by(a.c.delivery_id)
        )
        result = {delivery_id: at.timestamp() for delivery_id, at in rows.all()}
    await engine.dispose()
    return result


async def committed_at(url: str, subscription_ids: list[str]) -> dict[str, float]:
    """Each delivery id -> when its event was committed (the event's time, written in its transaction)."""
    engine = create_engine(url)
    d, e = t.webhook_deliveries, t.outbox_events
    async with session_factory(engine)() as session:
        rows = await session.execute(
            select(d.c.id, e.c.occurred_at)
            .join(e, e.c.id == d.c.event_id)
            .where(d.c.subscription_id.in_(subscription_ids))
        )
        result = {row.id: row.occurred_at.timestamp() for row in rows}
    await engine.dispose()
    return result


async def phase(
    name: str, url: str, env: dict[str, str], settings: Settings, citizen: str, apps: list[str], args: Any, **kw: Any
) -> None:
    fail_rate: float = kw["fail_rate"]
    scale: float = kw["scale"]
    ids, endpoints = await subscribe(url, apps)
    folder = Path(tempfile.mkdtemp(prefix="onewindow-hook-bench-"))
    receivers = start_receivers(endpoints, fail_rate, folder / "log.json")
    workers = start_workers(args.workers, env, scale)
    total = args.events * ENDPOINTS
    try:
        await asyncio.sleep(2)  # the workers open their resources
        wrote = await write_events(settings, citizen, args.events, args.rate)
        counts = await wait_done(url, ids, total, limit=600)
    finally:
        stop_workers(workers)
        received = stop_receivers(receivers, folder / "log.json")
    log = received["log"]
    commits = await committed_at(url, ids)
    ok_at: dict[str, float] = {}
    resent_after_ok = 0
    for _port, message_id, arrived, status in sorted(log, key=lambda item: item[2]):
        if message_id in ok_at:
            resent_after_ok += 1
        if 200 <= status < 300:
            ok_at.setdefault(message_id, arrived)
    arrivals = Counter(message_id for _, message_id, _, _ in log)
    recorded = await recorded_ok_at(url, ids)
    after_recorded = sum(1 for _, m, arrived, _ in log if m in recorded and arrived > recorded[m] + 0.001)
    latencies = [ok_at[m] - commits[m] for m in ok_at if m in commits]
    first = min(commits.values())
    last = max(ok_at.values())
    print(f"\n{name}: {args.events} events x {ENDPOINTS} endpoints = {total} deliveries, {args.workers} workers")
    print(f"  events written in {wrote:.1f} s ({args.events / wrote:.0f}/s); delivery states: {counts}")
    print(f"  delivered (2xx) {len(ok_at)}/{total}; requests {len(log)}; unverified {received['unverified']}")
    print(f"  deliveries/s (first commit -> last 2xx): {len(ok_at) / (last - first):.0f}")
    print(
        f"  commit -> 2xx: p50 {percentile(latencies, 0.5) * 1000:.0f} ms, "
        f"p95 {percentile(latencies, 0.95) * 1000:.0f} ms, max {max(latencies) * 1000:.0f} ms"
    )
    if fail_rate == 0:
        print(f"  each (event, endpoint) exactly once: {len(ok_at) == total and max(arrivals.values()) == 1}")
    else:
        failed = counts.get("failed", 0)
        print(f"  failed all 10 tries: {failed} (expected {total * fail_rate**10:.2f})")
    print(f"  received again after a 2xx answer: {resent_after_ok} (its record not committed: lease or kill)")
    print(f"  received again after a 2xx was recorded: {after_recorded}")


async def main(args: Any) -> None:
    print(f"machine: {platform.machine()}, {len(os.sched_getaffinity(0))} cores, Python {platform.python_version()}")
    pg, redis = PostgresServer.start(durable=True), RedisServer.start()
    try:
        admin = create_engine(pg.admin_url, isolation_level="AUTOCOMMIT")
        async with admin.connect() as connection:
            await connection.execute(text('CREATE DATABASE "bench"'))
        await admin.dispose()
        url = pg.url("bench")
        citizen, apps = await prepare(url)
        data_dir = Path(tempfile.mkdtemp(prefix="onewindow-hook-bench-data-"))
        env = {k: v for k, v in os.environ.items() if not k.startswith("ONEWINDOW_")}
        env |= {
            "ONEWINDOW_DATA_DIR": str(data_dir),
            "ONEWINDOW_DATABASE_URL": url,
            "ONEWINDOW_REDIS_URL": redis.url,
            "ONEWINDOW_SECRET_KEY": SECRET,
            "ONEWINDOW_LOG_LEVEL": "error",
        }
        settings = Settings(
            database_url=url, redis_url=redis.url, data_dir=str(data_dir), secret_key=SECRET, log_level="error"
        )
        await phase("2xx receivers", url, env, settings, citizen, apps, args, fail_rate=0.0, scale=1.0)
        await phase("30% failing receivers", url, env, settings, citizen, apps, args, fail_rate=0.3, scale=COMPRESSED)
    finally:
        redis.stop()
        pg.stop()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=10_000)
    parser.add_argument("--rate", type=float, default=100.0, help="events written per second")
    parser.add_argument("--workers", type=int, default=2, help="onewindow worker processes")
    parser.add_argument("--receivers", help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.receivers:
        asyncio.run(serve_receivers(json.loads(arguments.receivers)))
    else:
        asyncio.run(main(arguments))
