"""The e2e fixtures: a real `onewindow serve` process on a free port, in its own data folder."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.gql import SUITE_COST_LIMITS
from tests.support.live import onewindow_serve
from tests.support.servers import PostgresServer, RedisServer

BIN = Path(sys.executable).parent


def onewindow(env: dict[str, str], *args: str) -> str:
    """Run the CLI in the server's environment; its standard output."""
    done = subprocess.run([str(BIN / "onewindow"), *args], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def create_database(pg: PostgresServer, prefix: str = "e2e") -> str:
    """A new empty database on the session's PostgreSQL (one per test: several tests share the server)."""
    database = f"{prefix}{os.getpid()}_{uuid.uuid4().hex[:8]}"
    createdb = [*pg.run_as, str(pg.bindir / "createdb"), "-h", "127.0.0.1", "-p", str(pg.port), "-U", "postgres"]
    subprocess.run([*createdb, database], check=True)
    return database


@pytest.fixture
def server_env(request: pytest.FixtureRequest, tmp_path: Path) -> dict[str, str]:
    """Environment of a server on embedded defaults, or on the session's PostgreSQL and Redis."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("ONEWINDOW_")}
    env |= {"ONEWINDOW_DATA_DIR": str(tmp_path / "var"), "ONEWINDOW_LOG_LEVEL": "warning"}
    # Every test calls from 127.0.0.1: bottomless query cost buckets (tests/conftest.py says the same).
    env |= {f"ONEWINDOW_{name.upper()}": str(value) for name, value in SUITE_COST_LIMITS.items()}
    if getattr(request, "param", "embedded") == "postgresql+redis":
        pg: PostgresServer = request.getfixturevalue("postgres_server")
        redis: RedisServer = request.getfixturevalue("redis_server")
        database = create_database(pg)
        env |= {"ONEWINDOW_DATABASE_URL": pg.url(database), "ONEWINDOW_REDIS_URL": redis.url.replace("/0", "/5")}
    return env


@pytest.fixture
def served(server_env: dict[str, str]) -> Iterator[str]:
    """Start the server on a free port; yield its base URL once it prints that it is listening."""
    process, base, output = onewindow_serve(server_env)
    try:
        yield base
    finally:
        process.send_signal(signal.SIGINT)
        rest, _ = process.communicate(timeout=30)
        assert process.returncode == 0, "".join(output) + rest
        assert '"level": "error"' not in rest, rest
