"""GET /health reports the database and Redis."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from litestar.testing import AsyncTestClient

from backend.app import create_app
from backend.db import migrate
from tests.conftest import make_settings
from tests.support.servers import free_port


async def test_health_is_ok_when_database_and_redis_are_up(api: AsyncTestClient[Any]) -> None:
    response = await api.get("/health")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"]["status"] == "up"
    assert body["database"]["detail"].endswith(f"migration {migrate.head_revision()}")
    assert body["redis"]["status"] == "up" and body["redis"]["detail"].startswith("redis 7.")
    assert response.headers["cache-control"] == "no-store"


async def test_health_is_503_when_redis_is_down(catalog_database: str, tmp_path: Path) -> None:
    dead = f"redis://127.0.0.1:{free_port()}/0"
    async with AsyncTestClient(create_app(make_settings(catalog_database, dead, tmp_path))) as client:
        response = await client.get("/health")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "degraded"
    assert body["database"]["status"] == "up"
    assert body["redis"] == {"status": "down", "latency_ms": None, "detail": "ConnectionError"}
