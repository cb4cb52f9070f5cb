"""Scale-out, proven (issue 17, item 6): two `onewindow serve` instances and two `onewindow worker`s on ONE
PostgreSQL and ONE Redis, used the way a load balancer would spread a citizen's and a developer's calls.

- a login on A is used on B; a mini-program's consent given on B's pages, its tokens redeemed on A;
- a change made on B reaches the citizen's live subscription on A, and the app's webhook ONCE (verified
  with the `standardwebhooks` package, not with our own signing code);
- signing out on B ends the live subscription on A;
- an upload sent to A downloads from B; a catalog import is seen by B;
- the anonymous query budget is one budget across A and B;
- each scheduled job's slot runs once although two workers run the schedule.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import shutil
import signal
import subprocess
import threading
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest
from redis.asyncio import Redis
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from websockets.asyncio.client import connect

from backend.catalog.files import DEMO_CATALOG_DIR
from backend.db import tables as t
from backend.db.engine import create_engine, session_factory
from tests.e2e.conftest import BIN, create_database, onewindow
from tests.support import factories
from tests.support.applications import fill_required, upload
from tests.support.gql import SUITE_COST_LIMITS, run, send
from tests.support.identity import last_code, staff_token
from tests.support.live import onewindow_serve
from tests.support.oidc import Authorization, exchange, inputs
from tests.support.servers import PostgresServer, RedisServer
from tests.support.webhooks import Receiver

pytestmark = pytest.mark.timeout(300)

Sessions = async_sessionmaker[AsyncSession]
T = TypeVar("T")
REDIRECT = "https://progress.example.cn/callback"
PUBLIC_URL = "http://onewindow.test"
ONCE_PER_SLOT_JOB = "payments.expire_unpaid"
PASSPORT = "GZ-GA-0013"  # the photo is an uploaded material
PDF = b"%PDF-1.7\n% a scanned photo, uploaded to A\n%%EOF\n"
SUBSCRIBE = "subscription { applicationUpdated { id status reference } }"
SUBMIT = """mutation($i: SubmitApplicationInput!) { submitApplication(input: $i) {
  application { id status reference } errors { code field } } }"""
CREATE_HOOK = """mutation($i: CreateWebhookSubscriptionInput!) { createWebhookSubscription(input: $i) {
  subscription { id status } secret errors { code message } } }"""
FORM = (
    """query($m: String) { applicationForm(matterCode: $m) { fields { key type value required options { value } } } }"""
)
MATERIALS = """query($id: ID!) { application(id: $id) { materials { key upload { downloadUrl } } } }"""


@dataclass
class Process:
    """A running `onewindow` process and everything it printed."""

    popen: subprocess.Popen[str]
    output: list[str] = field(default_factory=list)
    reader: threading.Thread | None = None

    def drain(self) -> None:
        """Keep reading its output (a full pipe would block it)."""
        self.reader = threading.Thread(target=lambda: self.output.extend(self.popen.stdout or ()), daemon=True)
        self.reader.start()

    def stop(self) -> str:
        """Ctrl-C, as an operator stops it; its whole output."""
        if self.popen.poll() is None:
            self.popen.send_signal(signal.SIGINT)
        try:
            self.popen.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.popen.kill()
            self.popen.wait()
        if self.reader is not None:
            self.reader.join(timeout=10)
        elif self.popen.stdout is not None:
            self.output.extend(self.popen.stdout)
        if self.popen.stdout is not None:
            self.popen.stdout.close()
        return "".join(self.output)


@dataclass
class Cluster:
    """Two instances (web server + worker each) on one database and one Redis."""

    env_a: dict[str, str]
    env_b: dict[str, str]
    a: str
    b: str
    database_url: str
    workers: list[Process]


def _worker(env: dict[str, str]) -> Process:
    popen = subprocess.Popen(
        [str(BIN / "onewindow"), "worker", "--concurrency", "8"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    process = Process(popen)
    assert popen.stdout is not None
    for line in popen.stdout:
        process.output.append(line)
        if line.startswith("onewindow worker:"):
            process.drain()
            return process
    raise RuntimeError("onewindow worker ended before it started:\n" + process.stop())


@pytest.fixture
def cluster(postgres_server: PostgresServer, redis_server: RedisServer, tmp_path: Path) -> Iterator[Cluster]:
    database = create_database(postgres_server, "cluster")
    common = {k: v for k, v in os.environ.items() if not k.startswith("ONEWINDOW_")}
    common |= {f"ONEWINDOW_{name.upper()}": str(value) for name, value in SUITE_COST_LIMITS.items()}
    common |= {
        "ONEWINDOW_DATABASE_URL": postgres_server.url(database),
        "ONEWINDOW_REDIS_URL": redis_server.url.replace("/0", "/6"),
        # Both instances must share the master secret (signing keys, pairwise subjects, upload links).
        "ONEWINDOW_SECRET_KEY": "two-instances-share-this-master-secret-" + uuid.uuid4().hex,
        # The load balancer's address: tokens, links and pages name it, whichever instance made them.
        "ONEWINDOW_PUBLIC_URL": PUBLIC_URL,
        "ONEWINDOW_UPLOAD_STORAGE": "database",
        "ONEWINDOW_LOG_LEVEL": "info",
        # One anonymous budget, small and slowly refilled, to see that A and B spend the same one.
        "ONEWINDOW_COST_ANONYMOUS_MAXIMUM": "1000",
        "ONEWINDOW_COST_ANONYMOUS_RATE": "1",
        # A scheduled job every two seconds, to watch two workers run each slot once.
        "ONEWINDOW_JOB_SCHEDULE": f"{ONCE_PER_SLOT_JOB}=* * * * * */2",
        "ONEWINDOW_JOB_HEARTBEAT_SECONDS": "5",
        "ONEWINDOW_JOB_SWEEP_SECONDS": "2",
        "ONEWINDOW_WEBHOOK_CLOCK_SCALE": "0.001",
    }
    env_a = common | {"ONEWINDOW_DATA_DIR": str(tmp_path / "a")}
    env_b = common | {"ONEWINDOW_DATA_DIR": str(tmp_path / "b")}
    # A prepares the database (migrations, catalog) before B starts: B finds it ready.
    serve_a, a, output_a = onewindow_serve(env_a)
    processes = [Process(serve_a, output_a)]
    processes[0].drain()
    try:
        onewindow(env_a, "seed")
        serve_b, b, output_b = onewindow_serve(env_b)
        processes.append(Process(serve_b, output_b))
        processes[1].drain()
        workers = [_worker(env_a), _worker(env_b)]
        processes += workers
        yield Cluster(env_a, env_b, a, b, postgres_server.url(database), workers)
    finally:
        outputs = [process.stop() for process in reversed(processes)]
    for output in outputs:
        assert '"level": "error"' not in output, output


async def _eventually(check: Callable[[], Awaitable[T | None]], what: str, seconds: float = 20) -> T:
    """Poll `check` until it gives a value (a condition across processes has no event to wait on)."""
    deadline = time.monotonic() + seconds
    while True:
        found = await check()
        if found is not None:
            return found
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        await asyncio.sleep(0.1)


@pytest.fixture
async def db(cluster: Cluster) -> AsyncIterator[Sessions]:
    engine = create_engine(cluster.database_url)
    try:
        yield session_factory(engine)
    finally:
        await engine.dispose()


async def _consent_on_b(cluster: Cluster, db: Sessions, phone: str) -> tuple[str, dict[str, Any]]:
    """The progress mini-program registered, its user consenting on B's pages; its tokens redeemed on A."""
    registered = onewindow(
        cluster.env_a,
        "clients",
        "create",
        "--name",
        "Progress mini-program",
        "--redirect-uri",
        REDIRECT,
        "--scope",
        "openid",
        "--scope",
        "applications:read",
    )
    client_id = re.search(r"client_id:\s+(\S+)", registered).group(1)  # type: ignore[union-attr]
    secret = re.search(r"client_secret:\s+(\S+)", registered).group(1)  # type: ignore[union-attr]
    authorization = Authorization(client_id, REDIRECT, ["openid", "applications:read"])
    # The citizen signed in to the city's app a moment ago: a new code only a minute later (the cooldown).
    redis = Redis.from_url(cluster.env_a["ONEWINDOW_REDIS_URL"])
    try:
        for key in await redis.keys("otp:cooldown:*"):
            await redis.delete(key)
    finally:
        await redis.aclose()
    async with httpx.AsyncClient(base_url=cluster.b, timeout=30) as browser:
        page = await browser.get(authorization.url)
        sent = await browser.post("/oauth/login/code", data={"phone": phone, "continue": inputs(page.text)["continue"]})
        code = await last_code(db, phone)
        signed_in = await browser.post(
            "/oauth/login", data={"phone": phone, "code": code, "continue": inputs(sent.text)["continue"]}
        )
        assert signed_in.status_code == 302, signed_in.text
        consent = await browser.get(signed_in.headers["location"].removeprefix(PUBLIC_URL))
        allowed = await browser.post(
            "/oauth/consent", data={"request": inputs(consent.text)["request"], "decision": "allow"}
        )
        assert allowed.status_code == 302, allowed.text
    async with httpx.AsyncClient(base_url=cluster.a, timeout=30) as server:
        tokens = await exchange(server, authorization, allowed.headers["location"], secret)
    return client_id, tokens


async def _next_update(socket: Any) -> dict[str, Any]:
    message = json.loads(await asyncio.wait_for(socket.recv(), 30))
    assert message["type"] == "next", message
    update: dict[str, Any] = message["payload"]["data"]["applicationUpdated"]
    return update


async def test_two_instances_behind_a_load_balancer_behave_as_one(cluster: Cluster, db: Sessions) -> None:
    async with (
        httpx.AsyncClient(base_url=cluster.a, timeout=30) as on_a,
        httpx.AsyncClient(base_url=cluster.b, timeout=30) as on_b,
    ):
        # The anonymous budget is shared: what A spent, B no longer has (refill: 1 point a second).
        query = "{ matters(first: 20) { edges { node { code } } } }"
        _, spent_on_a = await send(on_a, query)
        _, spent_on_b = await send(on_b, query)
        cost_a, cost_b = spent_on_a["extensions"]["cost"], spent_on_b["extensions"]["cost"]
        left_a = cost_a["throttleStatus"]["currentlyAvailable"]
        left_b = cost_b["throttleStatus"]["currentlyAvailable"]
        assert cost_b["actualQueryCost"] > 5
        assert left_b <= left_a - cost_b["actualQueryCost"] + 3, (cost_a, cost_b)

        # A login on A is good on B.
        citizen = await factories.citizen(on_a, db)
        assert (await run(on_b, citizen.token, "{ me { id } }"))["me"]["id"] == citizen.id

        # The progress mini-program: consent on B, tokens from A, a webhook registered by an admin on A.
        client_id, app_tokens = await _consent_on_b(cluster, db, citizen.phone)
        admin = await staff_token(on_a, "admin")
        endpoint = Receiver().start()  # verifies every delivery with the `standardwebhooks` package
        try:
            hook = {
                "clientId": client_id,
                "url": endpoint.url,
                "eventTypes": ["application.submitted", "application.status_changed", "application.issued"],
                "description": "progress",
            }
            created = (await run(on_a, admin, CREATE_HOOK, {"i": hook}))["createWebhookSubscription"]
            assert created["errors"] == [] and created["secret"].startswith("whsec_"), created
            endpoint.secrets.append(created["secret"])

            # The citizen watches on A; the application is submitted on B.
            url = cluster.a.replace("http://", "ws://") + "/graphql"
            async with connect(url, subprotocols=["graphql-transport-ws"]) as socket:  # type: ignore[list-item]
                init = {"type": "connection_init", "payload": {"authorization": f"Bearer {citizen.token}"}}
                await socket.send(json.dumps(init))
                assert json.loads(await socket.recv()) == {"type": "connection_ack"}
                await socket.send(json.dumps({"id": "1", "type": "subscribe", "payload": {"query": SUBSCRIBE}}))
                await socket.send(json.dumps({"type": "ping"}))  # answered once the subscribe was handled
                assert json.loads(await socket.recv()) == {"type": "pong"}
                i = {"matterCode": "GZ-WJW-0001", "values": {"child_order": "2"}}
                submitted = (await run(on_b, citizen.token, SUBMIT, {"i": i}))["submitApplication"]
                assert submitted["errors"] == [], submitted
                application = submitted["application"]
                first = await _next_update(socket)
                assert first["id"] == application["id"] and first["reference"] == application["reference"]

                # The webhook: the submission arrives once, verified, naming the citizen as the app knows them.
                def submissions() -> list[Any]:
                    return [r for r in endpoint.received if r.payload["type"] == "application.submitted"]

                async def delivered() -> list[Any] | None:
                    return submissions() or None

                await _eventually(delivered, "the webhook of the submission")
                await _eventually(lambda: _all_sent(db, created["subscription"]["id"]), "every delivery sent")
                assert endpoint.unverified == []
                ids = endpoint.ids()
                assert len(ids) == len(set(ids)), "a delivery that was answered 2xx came again"
                (submission,) = submissions()
                assert citizen.id not in submission.body, "the app must see its pairwise subject only"
                assert submission.payload["data"]["subject"] == _userinfo_sub(app_tokens)
                assert submission.payload["data"]["application_id"] == application["id"]

                # Signing out on B ends the live subscription on A.
                out = await run(on_b, citizen.token, "mutation { logoutEverywhere { revokedCount } }")
                assert out["logoutEverywhere"]["revokedCount"] >= 1
                while True:
                    message = json.loads(await asyncio.wait_for(socket.recv(), 30))
                    if message["type"] == "complete":
                        break
                    assert message["type"] == "next", message  # the application's last steps
        finally:
            endpoint.stop()

        # An upload sent to A downloads from B.
        second = await factories.citizen(on_a, db, skip=1)
        form = (await run(on_a, second.token, FORM, {"m": PASSPORT}))["applicationForm"]
        values = fill_required(form, {f["key"]: f["value"] for f in form["fields"] if f["value"] is not None})
        scan = await upload(on_a, second.token, PDF, "护照照片.pdf")
        i = {"matterCode": PASSPORT, "values": values, "materials": {"photo": scan["id"]}}
        passport = (await run(on_a, second.token, SUBMIT, {"i": i}))["submitApplication"]
        assert passport["errors"] == [], passport
        read_on_b = await run(on_b, second.token, MATERIALS, {"id": passport["application"]["id"]})
        (photo,) = [m for m in read_on_b["application"]["materials"] if m["key"] == "photo"]
        link = photo["upload"]["downloadUrl"]
        assert link.startswith(PUBLIC_URL), link
        downloaded = await on_b.get(link.removeprefix(PUBLIC_URL))
        assert downloaded.status_code == 200 and downloaded.content == PDF

        # A catalog import is seen by B at once (the import tells every instance through Redis).
        renamed = await _import_renamed_catalog(cluster, Path(cluster.env_a["ONEWINDOW_DATA_DIR"]) / "catalog")

        async def b_sees_it() -> bool | None:
            found = await run(on_b, second.token, '{ matter(code: "GZ-WJW-0001") { name } }', locale="zh-Hans")
            return True if found["matter"]["name"] == renamed else None

        await _eventually(b_sees_it, "B to serve the imported catalog")

    # Each slot of the scheduled job ran once, on one worker or the other.
    async def three_slots() -> list[Any] | None:
        async with db() as session:
            rows = (
                await session.execute(
                    select(t.job_runs).where(
                        t.job_runs.c.job == ONCE_PER_SLOT_JOB, t.job_runs.c.finished_at.is_not(None)
                    )
                )
            ).all()
        return rows if len(rows) >= 3 else None

    runs = await _eventually(three_slots, "three runs of the scheduled job", seconds=30)
    ran: dict[str, list[int]] = {}
    for number, worker in enumerate(cluster.workers):
        for line in list(worker.output):
            if '"jobs.ran"' in line and ONCE_PER_SLOT_JOB in line:
                ran.setdefault(json.loads(line)["slot"], []).append(number)
    assert all(len(by) == 1 for by in ran.values()), ran
    assert {row.slot for row in runs} <= set(ran)


async def _all_sent(db: Sessions, subscription_id: str) -> bool | None:
    async with db() as session:
        statuses = (
            await session.execute(
                select(t.webhook_deliveries.c.status).where(t.webhook_deliveries.c.subscription_id == subscription_id)
            )
        ).scalars()
        found = list(statuses)
    return True if found and all(status == "succeeded" for status in found) else None


def _userinfo_sub(tokens: dict[str, Any]) -> str:
    """The pairwise subject the app knows the citizen by (from its ID token, unverified: A issued it)."""
    import base64

    claims = tokens["id_token"].split(".")[1]
    decoded: dict[str, Any] = json.loads(base64.urlsafe_b64decode(claims + "=" * (-len(claims) % 4)))
    return str(decoded["sub"])


async def _import_renamed_catalog(cluster: Cluster, folder: Path) -> str:
    """Import the demo catalog with one matter renamed (`onewindow catalog import`); the new name."""
    shutil.copytree(DEMO_CATALOG_DIR, folder)
    matters = json.loads((folder / "matters.json").read_text(encoding="utf-8"))
    (matter,) = [m for m in matters if m["code"] == "GZ-WJW-0001"]
    name = matter["name"]["zh-Hans"] + "（新版）"
    matter["name"]["zh-Hans"] = name
    (folder / "matters.json").write_text(json.dumps(matters, ensure_ascii=False), encoding="utf-8")
    onewindow(cluster.env_a, "catalog", "import", str(folder))
    return str(name)
