"""`onewindow serve` from a fresh data folder: it migrates, imports, and answers over real HTTP."""

from __future__ import annotations

import httpx
import pytest


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


REQUEST_CODE = "mutation($p: String!) { requestLoginCode(phone: $p) { sent errors { code } } }"


def _codes_from(served: str, spoofed: bool) -> list[str]:
    """Ask for 31 login codes (different phones), each claiming another client address if `spoofed`."""
    answers = []
    with httpx.Client(base_url=served, timeout=30) as client:
        for n in range(31):
            headers = {"x-forwarded-for": f"203.0.113.{n + 1}"} if spoofed else {}
            body = client.post(
                "/graphql", json={"query": REQUEST_CODE, "variables": {"p": f"1350013{n:04d}"}}, headers=headers
            ).json()
            errors = body["data"]["requestLoginCode"]["errors"]
            answers.append(errors[0]["code"] if errors else "SENT")
    return answers


def test_forwarded_addresses_are_not_believed_by_default(served: str) -> None:
    # Issue 12, finding 6: spoofed X-Forwarded-For headers gave each SMS request its own address bucket.
    # The per-address limit (30 an hour) counts the connecting address: the 31st request is refused.
    assert _codes_from(served, spoofed=True) == ["SENT"] * 30 + ["RATE_LIMITED"]


@pytest.fixture
def behind_a_proxy(server_env: dict[str, str]) -> dict[str, str]:
    return server_env | {"ONEWINDOW_TRUSTED_PROXIES": "127.0.0.1"}


def test_a_configured_proxy_is_believed(behind_a_proxy: dict[str, str]) -> None:
    from tests.support.live import onewindow_serve

    process, base, _ = onewindow_serve(behind_a_proxy)
    try:
        # each request comes "from" its own client address through the trusted proxy: none is limited
        assert _codes_from(base, spoofed=True) == ["SENT"] * 31
    finally:
        process.terminate()
        process.communicate(timeout=30)


def test_the_embedded_redis_is_restarted_when_it_dies(served: str, server_env: dict[str, str]) -> None:
    # Issue 12, finding 11: with the embedded Redis killed, `serve` never restarted it: sign-in stayed
    # down until the whole service was restarted.
    import os
    import signal
    from pathlib import Path

    import redis

    sock = Path(server_env["ONEWINDOW_DATA_DIR"]) / "redis" / "redis.sock"
    first = redis.Redis(unix_socket_path=str(sock)).info("server")["process_id"]
    os.kill(first, signal.SIGKILL)
    with httpx.Client(base_url=served, timeout=30) as client:
        for _ in range(2000):  # each answer is immediate while Redis is away; the supervisor restarts it
            if client.get("/health").json()["redis"]["status"] == "up":
                break
        else:
            pytest.fail("the embedded Redis was not restarted")
        assert redis.Redis(unix_socket_path=str(sock)).info("server")["process_id"] != first
        # sign-in works again, without restarting the service
        for _ in range(50):  # a worker may not have reconnected yet
            sent = client.post("/graphql", json={"query": REQUEST_CODE, "variables": {"p": "13500135999"}}).json()
            if "data" in sent and sent["data"]["requestLoginCode"]["errors"] == []:
                break
            assert sent["errors"][0]["extensions"]["code"] == "TEMPORARILY_UNAVAILABLE"
        else:
            pytest.fail("sign-in did not come back")
