"""Behind a load balancer: per-address limits count the client the trusted proxies name, read from the
right of X-Forwarded-For past every trusted hop; a header from a peer that is not a trusted proxy, or
entries a client put before the proxies', are never believed. (uvicorn's ProxyHeadersMiddleware,
configured from ONEWINDOW_TRUSTED_PROXIES by `onewindow serve`.)"""

from __future__ import annotations

import httpx
import pytest

from tests.support.live import onewindow_serve

REQUEST_CODE = "mutation($p: String!) { requestLoginCode(phone: $p) { sent errors { code } } }"


def _ask(client: httpx.Client, n: int, forwarded_for: str) -> str:
    body = client.post(
        "/graphql",
        json={"query": REQUEST_CODE, "variables": {"p": f"1360013{n:04d}"}},
        headers={"x-forwarded-for": forwarded_for},
    ).json()
    errors = body["data"]["requestLoginCode"]["errors"]
    return errors[0]["code"] if errors else "SENT"


@pytest.fixture
def behind_two_proxies(server_env: dict[str, str]) -> dict[str, str]:
    # the balancer connects from loopback; an inner proxy tier lives in 10.0.0.0/8
    return server_env | {"ONEWINDOW_TRUSTED_PROXIES": "127.0.0.1, 10.0.0.0/8"}


def test_the_address_limited_is_the_client_the_trusted_proxies_name(behind_two_proxies: dict[str, str]) -> None:
    process, base, _ = onewindow_serve(behind_two_proxies)
    try:
        with httpx.Client(base_url=base, timeout=30) as client:
            # 30 codes an hour per address: the client 198.51.100.7 behind the inner proxy 10.1.2.3
            answers = [_ask(client, n, "198.51.100.7, 10.1.2.3") for n in range(30)]
            assert answers == ["SENT"] * 30
            # a client prepending an address of its choice is still 198.51.100.7
            assert _ask(client, 30, "203.0.113.9, 198.51.100.7, 10.1.2.3") == "RATE_LIMITED"
            # another client through the same proxies has its own count
            assert _ask(client, 31, "198.51.100.8, 10.1.2.3") == "SENT"
    finally:
        process.terminate()
        process.communicate(timeout=30)


def test_a_forwarded_header_from_a_peer_that_is_no_trusted_proxy_is_ignored(server_env: dict[str, str]) -> None:
    # the only trusted proxy is elsewhere: the loopback peer's header names nobody
    process, base, _ = onewindow_serve(server_env | {"ONEWINDOW_TRUSTED_PROXIES": "10.9.9.9"})
    try:
        with httpx.Client(base_url=base, timeout=30) as client:
            answers = [_ask(client, n, f"198.51.100.{n + 1}") for n in range(31)]
        assert answers == ["SENT"] * 30 + ["RATE_LIMITED"]
    finally:
        process.terminate()
        process.communicate(timeout=30)
