"""Where deliveries may go: in production (or when asked) only https endpoints on public addresses.

The check runs at delivery time, not only at registration: a name that resolved to a public address
yesterday may resolve to 10.0.0.5 today. The address checked is the address connected to (pinned: no
second lookup), so a name that answers a public address to the check and a private one to the
connection (DNS rebinding) cannot reach inside.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from urllib.parse import urlsplit, urlunsplit

import msgspec

BLOCKED = "blocked address"


class BlockedError(Exception):
    """The endpoint may not be reached (not https, or an address that is not public)."""


class Target(msgspec.Struct, frozen=True):
    """Where to connect: the URL (its host maybe replaced by the checked address), and the name the
    server expects (Host header, TLS server name and certificate check)."""

    url: str
    host_header: str | None = None
    server_name: str | None = None


_NAT64 = ipaddress.ip_network("64:ff9b::/96")


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address carries to its destination (mapped, 6to4, NAT64), if any."""
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip in _NAT64:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def is_public(address: str) -> bool:
    """Whether `address` is a global unicast address; an IPv6 address carrying an IPv4 one (mapped,
    6to4, NAT64) is judged by the IPv4 address it reaches."""
    try:
        ip: ipaddress.IPv4Address | ipaddress.IPv6Address = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.is_site_local:
            return False
        ip = _embedded_ipv4(ip) or ip
    refused = ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_multicast
    return not (refused or ip.is_reserved or ip.is_unspecified) and ip.is_global


async def target(url: str, *, public_only: bool) -> Target:
    """Where to send a delivery for `url`; BlockedError when `public_only` refuses it."""
    if not public_only:
        return Target(url)
    parts = urlsplit(url)
    if parts.scheme != "https" or not parts.hostname:
        raise BlockedError(BLOCKED)
    port = parts.port or 443
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(parts.hostname, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as error:  # a host that does not resolve cannot be shown to be public
        raise BlockedError(BLOCKED) from error
    addresses = [str(info[4][0]) for info in infos]
    if not addresses or not all(is_public(address) for address in addresses):
        raise BlockedError(BLOCKED)
    pinned = addresses[0]
    host = f"[{pinned}]" if ":" in pinned else pinned
    netloc = f"{host}:{port}"
    connect = urlunsplit((parts.scheme, netloc, parts.path or "/", parts.query, ""))
    host_header = parts.hostname if parts.port is None else f"{parts.hostname}:{parts.port}"
    return Target(connect, host_header=host_header, server_name=parts.hostname)
