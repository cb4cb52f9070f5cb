"""Which addresses a webhook endpoint may resolve to when endpoints must be public (production)."""

from __future__ import annotations

import pytest

from backend.errors import DomainError
from backend.webhooks.egress import is_public
from backend.webhooks.endpoints import MAX_URL_LENGTH, parse


@pytest.mark.parametrize(
    ("address", "public"),
    [
        ("93.184.216.34", True),
        ("2606:2800:220:1:248:1893:25c8:1946", True),
        ("127.0.0.1", False),
        ("10.0.0.8", False),
        ("172.16.5.4", False),
        ("192.168.1.1", False),
        ("100.64.0.1", False),  # carrier-grade NAT
        ("169.254.169.254", False),  # link-local: a cloud's metadata service
        ("0.0.0.0", False),  # noqa: S104 (the unspecified address, refused here, not bound)
        ("224.0.0.1", False),  # multicast
        ("::1", False),
        ("fe80::1%eth0", False),
        ("fc00::1", False),  # unique local
        ("::ffff:127.0.0.1", False),  # IPv4 loopback written as IPv6
        ("::ffff:93.184.216.34", True),
        ("not-an-address", False),
    ],
)
def test_only_global_unicast_addresses_are_public(address: str, public: bool) -> None:
    assert is_public(address) is public


def test_an_endpoint_is_an_http_address_without_credentials() -> None:
    assert parse("https://hooks.example/x?y=1") == ("https", "hooks.example", 443)
    assert parse("http://hooks.example:8080/") == ("http", "hooks.example", 8080)
    for url in (
        "ftp://hooks.example/",
        "https:///path",
        "https://user@hooks.example/",
        "https://@hooks.example/",
        "https://hooks.example:99999/",
        "https://hooks.example/a b",
        "https://hooks.example/" + "a" * MAX_URL_LENGTH,
    ):
        with pytest.raises(DomainError):
            parse(url)
