"""The master secret and the purpose-bound keys derived from it."""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from pathlib import Path

from backend.settings import Settings


def master_secret(settings: Settings) -> bytes:
    """ONEWINDOW_SECRET_KEY, or (outside production) a random one kept in data_dir/secret_key."""
    if settings.secret_key:
        return settings.secret_key.encode()
    if settings.is_production:
        raise RuntimeError("ONEWINDOW_SECRET_KEY is required in production")
    path = Path(settings.data_dir) / "secret_key"
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        # O_EXCL: two processes starting at once agree on one secret.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_bytes().strip()
    with os.fdopen(fd, "wb") as handle:
        value = secrets.token_urlsafe(48).encode()
        handle.write(value)
    return value


def derive(secret: bytes, purpose: str) -> bytes:
    """A 32-byte key for one purpose (HKDF-style expand with HMAC-SHA256)."""
    return hmac.new(secret, b"onewindow/" + purpose.encode(), hashlib.sha256).digest()
