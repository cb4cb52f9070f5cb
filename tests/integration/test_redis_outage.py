"""With Redis hung, requests are answered at once with a coded, localized "temporarily unavailable".

Issue 12, finding 11: every authenticated request waited 5 s and then got a generic 500.
"""

from __future__ import annotations

import os
import signal
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from litestar.testing import AsyncTestClient
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from backend.app import create_app
from backend.kv import breaker_of
from tests.conftest import make_settings
from tests.support.gql import as_user
from tests.support.identity import REQUEST, citizen_token
from tests.support.servers import RedisServer

Sessions = async_sessionmaker[AsyncSession]


@pytest.fixture
def own_redis() -> Iterator[RedisServer]:
    """A Redis server of this test's own, to stop and resume."""
    server = RedisServer.start()
    yield server
    os.kill(server.process.pid, signal.SIGCONT)
    server.stop()


@pytest_asyncio.fixture
async def app_on_own_redis(
    catalog_database: str, own_redis: RedisServer, tmp_path: Path
) -> AsyncIterator[AsyncTestClient[Any]]:
    async with AsyncTestClient(create_app(make_settings(catalog_database, own_redis.url, tmp_path))) as client:
        yield client


async def test_a_hung_redis_is_answered_at_once_with_a_coded_error(
    app_on_own_redis: AsyncTestClient[Any], own_redis: RedisServer, db: Sessions
) -> None:
    api = app_on_own_redis
    token = await citizen_token(api, db, "13600136201")
    assert (await as_user(api, token, "{ me { phone } }"))[1]["data"] == {"me": {"phone": "+8613600136201"}}
    os.kill(own_redis.process.pid, signal.SIGSTOP)  # Redis hangs: connections open, nothing answers
    breaker = breaker_of(api.app.state.resources.redis)
    assert breaker is not None
    status, body = await as_user(api, token, "{ me { phone } }", locale="zh-CN")
    assert status == 503 and body["errors"] == [
        {"message": "服务暂时不可用，请一分钟后再试。", "extensions": {"code": "TEMPORARILY_UNAVAILABLE"}}
    ]
    # Every request after the first is answered without waiting on Redis again
    for _ in range(10):
        status, body = await as_user(api, token, "{ me { phone } }", locale="en")
        assert status == 503 and body["errors"][0]["extensions"]["code"] == "TEMPORARILY_UNAVAILABLE"
    anonymous = await api.post("/graphql", json={"query": REQUEST, "variables": {"p": "13600136202"}})
    assert anonymous.json()["errors"][0]["extensions"]["code"] == "TEMPORARILY_UNAVAILABLE"
    health = await api.get("/health")
    assert health.status_code == 503 and health.json()["redis"]["status"] == "down"
    assert breaker.refused >= 11
    # Redis answers again: so does the service, once the pause is over
    os.kill(own_redis.process.pid, signal.SIGCONT)
    breaker.open_until = 0
    assert (await as_user(api, token, "{ me { phone } }"))[1]["data"] == {"me": {"phone": "+8613600136201"}}


async def test_a_long_hang_keeps_the_circuit_open(
    app_on_own_redis: AsyncTestClient[Any], own_redis: RedisServer, db: Sessions
) -> None:
    # Found by the adversarial re-test: after the first pause, redis-py reported the hang as a
    # connection error, which did not open the circuit again: every request waited 2 s.
    api = app_on_own_redis
    token = await citizen_token(api, db, "13600136203")
    os.kill(own_redis.process.pid, signal.SIGSTOP)
    breaker = breaker_of(api.app.state.resources.redis)
    assert breaker is not None
    for _ in range(3):  # each pause ends: one request tries Redis, times out, and opens it again
        assert (await as_user(api, token, "{ me { phone } }"))[0] == 503
        assert breaker.is_open
        breaker.open_until = 0  # the pause is over
    os.kill(own_redis.process.pid, signal.SIGCONT)
    assert (await as_user(api, token, "{ me { phone } }"))[0] == 200


async def test_a_burst_of_anonymous_requests_queues_for_redis_instead_of_failing_everyone(
    catalog_database: str, own_redis: RedisServer, tmp_path: Path, db: Sessions, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Found by the adversarial re-test: 300 concurrent receipt checks took every connection of the
    # pool, which failed at once when empty: signed-in requests got 503 meanwhile. Here the pool is
    # made small (4), so a burst of 60 over real HTTP is enough to empty it.
    import asyncio

    import httpx

    from tests.support.identity import http_login
    from tests.support.live import listener, served

    monkeypatch.setattr("backend.kv.MAX_CONNECTIONS", 4)
    sock, base = listener()
    with served(create_app(make_settings(catalog_database, own_redis.url, tmp_path)), sock):
        token = await http_login(base, db, "13600136204")
        limits = httpx.Limits(max_connections=100)
        async with httpx.AsyncClient(base_url=base, limits=limits, timeout=30) as client:
            checks = [
                client.get("/receipts/verify", params={"code": "1", "number": "2", "check": str(n)}) for n in range(40)
            ]
            mine = [
                client.post(
                    "/graphql", json={"query": "{ me { phone } }"}, headers={"authorization": f"Bearer {token}"}
                )
                for _ in range(20)
            ]
            answers = await asyncio.gather(*checks, *mine)
    assert {a.status_code for a in answers[:40]} <= {200, 429}, {a.text for a in answers[:40]}
    assert [a.status_code for a in answers[40:]] == [200] * 20
