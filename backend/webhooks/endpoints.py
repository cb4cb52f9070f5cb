"""Which endpoint addresses a subscription may have: checked when a developer registers or changes one
(the sending engine checks the address again at each delivery, against DNS changes)."""

from __future__ import annotations

from urllib.parse import urlsplit

from backend.errors import DomainError
from backend.webhooks import egress
from backend.webhooks.errors import WebhookErrorCode

MAX_URL_LENGTH = 2_000


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
    ONEWINDOW_WEBHOOK_PUBLIC_ENDPOINTS_ONLY) it must pass the same rule as every delivery
    (`egress.target`: https, and a host resolving to public addresses only, without blocking the loop)."""
    url = url.strip()
    _, host, _ = parse(url)
    try:
        await egress.target(url, public_only=public_only)
    except egress.BlockedError:
        raise DomainError(WebhookErrorCode.WEBHOOK_URL_NOT_PUBLIC, field="url", host=host) from None
    return url
