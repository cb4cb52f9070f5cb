"""Which endpoint addresses a subscription may have: checked when a developer registers or changes one
(the sending engine checks the address again at each delivery, against DNS changes)."""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from urllib.parse import urlsplit

from backend.errors import DomainError
from backend.webhooks.errors import WebhookErrorCode

MAX_URL_LENGTH = 2_000


def is_public_address(address: str) -> bool:
    """Whether an IP address is on the public internet: not private, loopback, link-local, multicast,
    reserved or unspecified; an IPv4 address written as IPv6 (::ffff:10.0.0.1) is judged as IPv4."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])  # an IPv6 zone (fe80::1%eth0) is link-local anyway
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def _invalid() -> DomainError:
    return DomainError(WebhookErrorCode.WEBHOOK_URL_INVALID, field="url", max=f"{MAX_URL_LENGTH:,}")


def parse(url: str) -> tuple[str, str, int]:
    """(scheme, host, port) of a well-formed http(s) address without credentials; WEBHOOK_URL_INVALID else."""
    if len(url) > MAX_URL_LENGTH or not url.isprintable() or any(c.isspace() for c in url):
        raise _invalid()
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise _invalid() from None
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.username or parts.password:
        raise _invalid()
    if "@" in parts.netloc:
        raise _invalid()
    return parts.scheme, parts.hostname, port or (443 if parts.scheme == "https" else 80)


async def check(url: str, *, public_only: bool) -> str:
    """The address, stripped, once it may be an endpoint. With `public_only` (production, or
    ONEWINDOW_WEBHOOK_PUBLIC_ENDPOINTS_ONLY) it must be https and its host must resolve, through the
    event loop's resolver (never blocking it), to public addresses only."""
    url = url.strip()
    scheme, host, port = parse(url)
    if not public_only:
        return url
    refused = DomainError(WebhookErrorCode.WEBHOOK_URL_NOT_PUBLIC, field="url", host=host)
    if scheme != "https":
        raise refused
    try:
        found = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        raise refused from None  # a host that does not resolve cannot be shown to be public
    addresses = {str(info[4][0]) for info in found}
    if not addresses or not all(is_public_address(a) for a in addresses):
        raise refused
    return url
