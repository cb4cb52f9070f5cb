"""`onewindow serve` from a fresh data folder: it migrates, imports, and answers over real HTTP."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.support.servers import PostgresServer, RedisServer

BIN = Path(sys.executable).parent


@pytest.fixture
def server_env(request: pytest.FixtureRequest, tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ONEWINDOW_")}
    env |= {"ONEWINDOW_DATA_DIR": str(tmp_path / "var"), "ONEWINDOW_LOG_LEVEL": "warning"}
    if request.param == "postgresql+redis":
        pg: PostgresServer = request.getfixturevalue("postgres_server")
        redis: RedisServer = request.getfixturevalue("redis_server")
        database = f"e2e{os.getpid()}"
        subprocess.run(
            [
                *pg.run_as,
                str(pg.bindir / "createdb"),
                "-h",
                "127.0.0.1",
                "-p",
                str(pg.port),
                "-U",
                "postgres",
                database,
            ],
            check=True,
        )
        env |= {"ONEWINDOW_DATABASE_URL": pg.url(database), "ONEWINDOW_REDIS_URL": redis.url.replace("/0", "/5")}
    return env


@pytest.fixture
def served(server_env: dict[str, str]) -> Iterator[str]:
    """Start the server on a free port; yield its base URL once it prints that it is listening."""
    process = subprocess.Popen(
        [str(BIN / "onewindow"), "serve", "--host", "127.0.0.1", "--port", "0"],
        env=server_env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert process.stdout is not None
    output: list[str] = []
    base = None
    for line in process.stdout:  # the banner comes once the socket listens (bounded by the test timeout)
        output.append(line)
        if line.startswith("onewindow is listening on "):
            base = line.split()[-1]
            break
    assert base, "".join(output)
    try:
        yield base
    finally:
        process.send_signal(signal.SIGINT)
        rest, _ = process.communicate(timeout=30)
        assert process.returncode == 0, "".join(output) + rest
        assert '"level": "error"' not in rest, rest


@pytest.mark.parametrize("server_env", ["embedded", "postgresql+redis"], indirect=True)
def test_fresh_server_answers_health_and_graphql(served: str, server_env: dict[str, str]) -> None:
    with httpx.Client(base_url=served, timeout=30) as client:
        health = client.get("/health")
        assert health.status_code == 200, health.text
        body = health.json()
        assert body["database"]["status"] == "up" and body["redis"]["status"] == "up"
        expected_db = "postgresql" if "ONEWINDOW_DATABASE_URL" in server_env else "sqlite"
        assert body["database"]["detail"].startswith(expected_db)

        names = {}
        for language in ("zh-CN", "zh-TW", "en"):
            response = client.post(
                "/graphql",
                json={"query": "{ matters(first: 3) { edges { node { code name } } } }"},
                headers={"accept-language": language},
            )
            edges = response.json()["data"]["matters"]["edges"]
            assert [e["node"]["code"] for e in edges] == ["GZ-CGJ-0001", "GZ-CGJ-0002", "GZ-CGJ-0003"]
            names[language] = edges[0]["node"]["name"]
        assert names == {"zh-CN": "户外招牌设置", "zh-TW": "戶外招牌設置", "en": "Installation of a Shop Signboard"}
