"""Standard Webhooks v1 signatures: what an app's receiver checks before it trusts a delivery."""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Sequence

from backend.webhooks.subscriptions import SECRET_PREFIX


def _key(secret: str) -> bytes:
    """The HMAC key of a "whsec_<base64>" secret: the decoded bytes after the prefix."""
    return base64.b64decode(secret.removeprefix(SECRET_PREFIX))


def signature(secret: str, message_id: str, timestamp: int, body: str) -> str:
    """One "v1,<base64 HMAC-SHA256 of id.timestamp.body>" signature."""
    signed = f"{message_id}.{timestamp}.{body}".encode()
    return "v1," + base64.b64encode(hmac.new(_key(secret), signed, hashlib.sha256).digest()).decode()


def headers(secrets: Sequence[str], message_id: str, timestamp: int, body: str) -> dict[str, str]:
    """The three webhook headers: every current secret signs (during a rotation's overlap the receiver
    may hold either the old or the new secret, and one matching signature is enough)."""
    return {
        "webhook-id": message_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": " ".join(signature(secret, message_id, timestamp, body) for secret in secrets),
    }
