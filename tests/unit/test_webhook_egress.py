"""Which addresses a production webhook may reach: public unicast only, whatever disguise it wears."""

from __future__ import annotations

import pytest

from backend.webhooks.egress import BlockedError, is_public, target


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "10.0.0.5",
        "172.16.1.1",
        "192.168.1.1",
        "169.254.169.254",  # cloud metadata
        "100.64.0.1",  # carrier-grade NAT
        "0.0.0.0",  # noqa: S104 (an address refused, not bound)
        "224.0.0.1",
        "240.0.0.1",
        "::1",
        "::",
        "fe80::1",
        "fc00::1",
        "fec0::1",
        "ff02::1",
        "::ffff:127.0.0.1",  # IPv4-mapped
        "::ffff:10.0.0.1",
        "2002:7f00:1::",  # 6to4 of 127.0.0.1
        "64:ff9b::a00:1",  # NAT64 of 10.0.0.1
    ],
)
def test_a_non_public_address_is_refused(address: str) -> None:
    assert not is_public(address)


@pytest.mark.parametrize("address", ["8.8.8.8", "1.1.1.1", "2001:4860:4860::8888", "::ffff:8.8.8.8"])
def test_a_public_address_is_allowed(address: str) -> None:
    assert is_public(address)


@pytest.mark.parametrize(
    "url", ["http://example.com/hook", "https://127.0.0.1/hook", "https://localhost:8443/hook", "https://[::1]/h"]
)
async def test_strict_targets_refuse_plain_http_and_loopback_names(url: str) -> None:
    with pytest.raises(BlockedError):
        await target(url, public_only=True)


async def test_a_public_address_is_pinned_with_the_name_kept_for_tls() -> None:
    pinned = await target("https://93.184.215.14:8443/hooks?x=1", public_only=True)
    assert (pinned.url, pinned.host_header, pinned.server_name) == (
        "https://93.184.215.14:8443/hooks?x=1",
        "93.184.215.14:8443",
        "93.184.215.14",
    )
    assert (await target("http://127.0.0.1:9/h", public_only=False)).url == "http://127.0.0.1:9/h"
