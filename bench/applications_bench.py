"""Applications benchmarks: instant approval end to end, and the largest bundle's merged form.

    uv run python bench/applications_bench.py [--rounds 200] [--backend sqlite|postgresql|both]

Through the real app in-process (HTTP + GraphQL + database + Redis, no network): the demo citizen
submits the driving-licence renewal (秒批: decided, the new licence issued and logged, at submission)
and reads it back from the wallet; then loads the pre-filled form of the largest bundle (LE-0006, 8
matters, 70 fields). SQLite in a temporary folder; PostgreSQL 15 and redis-server started for the
run (Debian packages, as the tests do). Prints its figures; nothing is asserted.
"""

from __future__ import annotations

import argparse
import asyncio
import platform
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from litestar.testing import AsyncTestClient

from backend.app import create_app
from backend.catalog.files import DEMO_CATALOG_DIR
from backend.catalog.importer import import_catalog
from backend.catalog.validate import read_catalog
from backend.db.engine import create_engine, session_factory, unit_of_work
from backend.db.migrate import upgrade
from backend.settings import Settings
from standins.seed import seed_identity
from standins.sms import outbox
from tests.support.servers import PostgresServer, RedisServer

SUBMIT = """mutation($i: SubmitApplicationInput!) { submitApplication(input: $i) {
  application { status issuedCertificates { code } } errors { code } } }"""
FORM = """query($b: String) { applicationForm(bundleCode: $b) { fieldsTotal fieldsAsked fieldsPrefilled
  materialsReplaced fields { key value source } materials { key replaced } } }"""
SECRET = "bench-secret-0123456789-0123456789-0123"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def summary(name: str, values: list[float]) -> str:
    p50, p95, p99 = (percentile(values, q) for q in (0.5, 0.95, 0.99))
    return (
        f"{name:<52} n={len(values):<4} p50 {p50:7.1f} ms  p95 {p95:7.1f} ms  p99 {p99:7.1f} ms"
        f"  mean {statistics.fmean(values):6.1f} ms"
    )


async def prepare(url: str) -> None:
    engine = create_engine(url)
    await upgrade(engine)
    catalog, problems = read_catalog(DEMO_CATALOG_DIR)
    assert catalog is not None
    assert not problems
    async with session_factory(engine)() as session, unit_of_work(session):
        await import_catalog(session, catalog, source="demo")
    async with session_factory(engine)() as session, unit_of_work(session):
        await seed_identity(session, master_secret=SECRET.encode())
    await engine.dispose()


async def gql(client: AsyncTestClient[Any], token: str, query: str, variables: dict[str, Any]) -> dict[str, Any]:
    response = await client.post(
        "/graphql", json={"query": query, "variables": variables}, headers={"authorization": f"Bearer {token}"}
    )
    body: dict[str, Any] = response.json()
    assert "errors" not in body, body
    return body["data"]


async def run(label: str, url: str, redis_url: str, rounds: int) -> None:
    await prepare(url)
    settings = Settings(
        data_dir=tempfile.mkdtemp(prefix="onewindow-apps-bench-"),
        database_url=url,
        redis_url=redis_url,
        log_level="error",
        secret_key=SECRET,
    )
    async with AsyncTestClient(create_app(settings)) as client:
        await client.post("/graphql", json={"query": 'mutation { requestLoginCode(phone: "13800138000") { sent } }'})
        async with session_factory(create_engine(url))() as session:
            code = re.findall(r"\b(\d{6})\b", (await outbox(session, "13800138000"))[-1][2])[-1]
        login = f'mutation {{ login(phone: "13800138000", code: "{code}") {{ accessToken }} }}'
        token = (await client.post("/graphql", json={"query": login})).json()["data"]["login"]["accessToken"]
        scan = (
            await client.post(
                "/uploads", files={"file": ("m.png", PNG, "image/png")}, headers={"authorization": f"Bearer {token}"}
            )
        ).json()["id"]
        variables = {
            "i": {
                "matterCode": "GZ-GA-0018",
                "values": {"medical_exam_done": True, "receive_method": "mail"},
                "materials": {"medical_cert": scan},
            }
        }
        approvals: list[float] = []
        forms: list[float] = []
        for index in range(rounds + 10):
            started = time.perf_counter()
            data = await gql(client, token, SUBMIT, variables)
            issued = data["submitApplication"]["application"]
            assert issued["status"] == "COMPLETED", data
            elapsed = (time.perf_counter() - started) * 1000
            if index >= 10:  # warm-up rounds are not counted
                approvals.append(elapsed)
        for index in range(rounds + 10):
            started = time.perf_counter()
            form = (await gql(client, token, FORM, {"b": "LE-0006"}))["applicationForm"]
            elapsed = (time.perf_counter() - started) * 1000
            if index >= 10:
                forms.append(elapsed)
        print(f"\n{label}")
        print(summary("submitApplication GZ-GA-0018 -> licence in the wallet", approvals))
        print(
            summary(
                f"applicationForm LE-0006 ({form['fieldsTotal']} -> {form['fieldsAsked']} fields, "
                f"{form['fieldsPrefilled']} pre-filled)",
                forms,
            )
        )


async def main(rounds: int, backend: str) -> None:
    print(
        f"machine: {platform.machine()}, {platform.processor() or 'cpu'}, Python {platform.python_version()}, "
        f"{len(__import__('os').sched_getaffinity(0))} cores"
    )
    redis = RedisServer.start()
    try:
        if backend in ("sqlite", "both"):
            folder = Path(tempfile.mkdtemp(prefix="onewindow-apps-bench-db-"))
            await run("SQLite (file, WAL)", f"sqlite+aiosqlite:///{folder / 'bench.sqlite3'}", redis.url, rounds)
        if backend in ("postgresql", "both"):
            server = PostgresServer.start()
            try:
                from sqlalchemy import text

                admin = create_engine(server.admin_url, isolation_level="AUTOCOMMIT")
                async with admin.connect() as connection:
                    await connection.execute(text('CREATE DATABASE "bench"'))
                await admin.dispose()
                await run(f"PostgreSQL {server.version}", server.url("bench"), redis.url.replace("/0", "/3"), rounds)
            finally:
                server.stop()
    finally:
        redis.stop()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=200)
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    args = parser.parse_args()
    asyncio.run(main(args.rounds, args.backend))
