"""Identity benchmarks: access-token verification cost and the login mutation's latency.

    uv run python bench/identity_bench.py [--logins 300]

Runs in-process on a fresh embedded SQLite database and the embedded Redis (or on
ONEWINDOW_DATABASE_URL / ONEWINDOW_REDIS_URL when set). Prints its figures; nothing is asserted.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


from backend.app import create_app
from backend.db.engine import create_engine
from backend.db.migrate import upgrade
from backend.graphql.context import Context
from backend.graphql.schema import build_schema
from backend.i18n import Locale
from backend.identity.models import RequestMeta
from backend.identity.service import IdentityService
from backend.resources import Resources
from backend.settings import Settings
from standins.sms import outbox

LOGIN = "mutation($p: String!, $c: String!) { login(phone: $p, code: $c) { accessToken errors { code } } }"


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


async def main(logins: int) -> None:
    data_dir = tempfile.mkdtemp(prefix="onewindow-identity-bench-")
    settings = Settings(
        data_dir=data_dir,
        database_url=os.environ.get("ONEWINDOW_DATABASE_URL", ""),
        redis_url=os.environ.get("ONEWINDOW_REDIS_URL", ""),
        log_level="error",
    )
    migrations = create_engine(settings.resolved_database_url)
    await upgrade(migrations)
    await migrations.dispose()
    app = create_app(settings)
    async with app.lifespan():  # the app's own start-up builds the process's resources, on this loop
        resources: Resources = app.state.resources
        await _measure(resources, logins, settings)


async def _measure(resources: Resources, logins: int, settings: Settings) -> None:
    identity, sessions, engine = resources.identity, resources.sessions, resources.engine
    embedded = not settings.redis_url
    schema = build_schema()
    # --- the login mutation, through GraphQL execution (no HTTP), SMS send excluded ----------
    timings = []
    token = ""
    for i in range(logins):
        phone = f"139{i:08d}"
        meta = RequestMeta(ip=f"10.{i // 250}.{i % 250}.1")  # a city's worth of different clients
        async with sessions() as db, db.begin():
            await IdentityService(db, identity).logins.request_login_code(phone, meta, Locale.ZH_HANS)
        async with sessions() as db:
            code = re.search(r"\d{6}", (await outbox(db, phone, 1))[-1][2]).group()  # type: ignore[union-attr]
        context = Context(resources, Locale.ZH_HANS, "bench", meta=meta)
        started = time.perf_counter()
        result = await schema.execute(LOGIN, variable_values={"p": phone, "c": code}, context_value=context)
        await context.close()
        timings.append((time.perf_counter() - started) * 1000)
        if result.errors or not result.data or result.data["login"]["errors"]:
            raise RuntimeError(f"login failed: {result}")
        token = result.data["login"]["accessToken"]
    # --- verifying an access token -----------------------------------------------------------
    tokens = identity.tokens
    n = 5000
    fresh = [tokens.access_token(subject="c", session_id="s", client_id="app", scopes=["openid"]) for _ in range(n)]
    started = time.perf_counter()
    for each in fresh:
        tokens.verify_access_token(each)  # first sight of each token: signature checked
    verify_us = (time.perf_counter() - started) / n * 1e6
    started = time.perf_counter()
    for _ in range(n):
        tokens.verify_access_token(token)  # the same token again: the common case
    cached_us = (time.perf_counter() - started) / n * 1e6
    m = 2000
    started = time.perf_counter()
    async with sessions() as db:
        service = IdentityService(db, identity)
        for _ in range(m):
            await service.access.authenticate(token)
    authenticate_us = (time.perf_counter() - started) / m * 1e6

    backend = engine.dialect.name
    cpu = platform.processor() or platform.machine()
    print(f"machine: {os.cpu_count()} cores, {cpu}, Python {platform.python_version()}")
    print(f"database: {backend}; redis: {'embedded' if embedded else 'external'}")
    print("| figure | value | target |")
    print("|---|---|---|")
    print(f"| access token verification, first sight (ES256 signature, cached keys) | {verify_us:.1f} µs | < 200 µs |")
    print(f"| access token verification, token seen before (per-process cache) | {cached_us:.1f} µs | |")
    print(f"| authenticate = verification + session check in Redis | {authenticate_us:.1f} µs | |")
    print(
        f"| login mutation p50 ({logins} logins, GraphQL execution, no HTTP) | {statistics.median(timings):.2f} ms | |"
    )
    print(f"| login mutation p95 | {percentile(timings, 0.95):.2f} ms | < 50 ms |")
    print(f"| login mutation p99 | {percentile(timings, 0.99):.2f} ms | |")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--logins", type=int, default=300)
    asyncio.run(main(parser.parse_args().logins))
