"""ES256 signing keys: stored encrypted, rotated, published as a JWKS, cached per process."""

from __future__ import annotations

import base64
import os
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from backend.db import tables as t

ALGORITHM = "ES256"


def _b64(value: int) -> str:
    return base64.urlsafe_b64encode(value.to_bytes(32, "big")).decode().rstrip("=")


def _public_jwk(kid: str, key: ec.EllipticCurvePrivateKey) -> dict[str, str]:
    numbers = key.public_key().public_numbers()
    return {
        "kty": "EC",
        "crv": "P-256",
        "x": _b64(numbers.x),
        "y": _b64(numbers.y),
        "kid": kid,
        "use": "sig",
        "alg": ALGORITHM,
    }


def _encrypt(encryption_key: bytes, plaintext: bytes, kid: str) -> bytes:
    nonce = os.urandom(12)
    return nonce + AESGCM(encryption_key).encrypt(nonce, plaintext, kid.encode())


def _decrypt(encryption_key: bytes, blob: bytes, kid: str) -> bytes:
    try:
        return AESGCM(encryption_key).decrypt(blob[:12], blob[12:], kid.encode())
    except InvalidTag:
        raise RuntimeError(
            f"signing key {kid} was encrypted with another ONEWINDOW_SECRET_KEY: every instance sharing this "
            "database needs the same secret"
        ) from None


@dataclass(frozen=True)
class SigningKey:
    """A key pair: the private half signs, the public half verifies."""

    kid: str
    private: ec.EllipticCurvePrivateKey
    public: ec.EllipticCurvePublicKey
    jwk: dict[str, str]
    created_at: datetime
    retired_at: datetime | None


async def create_key(session: AsyncSession, encryption_key: bytes) -> str:
    """Generate a new signing key; it becomes the one that signs. Returns its kid."""
    private = ec.generate_private_key(ec.SECP256R1())
    kid = datetime.now(UTC).strftime("%Y%m%d") + "-" + uuid.uuid4().hex[:8]
    pem = private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    await session.execute(
        insert(t.signing_keys).values(
            kid=kid,
            algorithm=ALGORITHM,
            private_key=_encrypt(encryption_key, pem, kid),
            public_jwk=_public_jwk(kid, private),
            created_at=datetime.now(UTC),
        )
    )
    return kid


async def rotate(session: AsyncSession, encryption_key: bytes) -> str:
    """Add a new signing key and retire the others from signing (they keep verifying)."""
    now = datetime.now(UTC)
    await session.execute(update(t.signing_keys).where(t.signing_keys.c.retired_at.is_(None)).values(retired_at=now))
    return await create_key(session, encryption_key)


async def load_keys(session: AsyncSession, encryption_key: bytes, verify_window: timedelta) -> list[SigningKey]:
    """Every key that still signs or verifies, newest first; keys retired longer ago are left out."""
    cutoff = datetime.now(UTC) - verify_window
    rows = await session.execute(select(t.signing_keys).order_by(t.signing_keys.c.created_at.desc()))
    keys = []
    for row in rows:
        if row.retired_at is not None and row.retired_at < cutoff:
            continue
        private = serialization.load_pem_private_key(_decrypt(encryption_key, row.private_key, row.kid), None)
        assert isinstance(private, ec.EllipticCurvePrivateKey)
        keys.append(SigningKey(row.kid, private, private.public_key(), row.public_jwk, row.created_at, row.retired_at))
    return keys


class KeyRing:
    """The process's view of the signing keys. Reloaded when a token names a kid it does not know."""

    RELOAD_INTERVAL = 5.0
    """Unknown kids trigger at most one reload per interval (junk kids cannot flood the database)."""
    MAX_AGE = 60.0
    """Keys are re-read at least this often before signing, so every instance soon signs with the newest."""

    def __init__(self) -> None:
        self._keys: list[SigningKey] = []
        self._by_kid: dict[str, SigningKey] = {}
        self._loaded_at = 0.0

    def replace(self, keys: list[SigningKey]) -> None:
        """Install freshly loaded keys."""
        self._keys = keys
        self._by_kid = {k.kid: k for k in keys}
        self._loaded_at = time.monotonic()

    @property
    def signer(self) -> SigningKey:
        """The newest key that is not retired."""
        for key in self._keys:
            if key.retired_at is None:
                return key
        raise RuntimeError("no active signing key: run `onewindow keys rotate`")

    def verifier(self, kid: str) -> SigningKey | None:
        """The key with this kid, if known."""
        return self._by_kid.get(kid)

    def may_reload(self) -> bool:
        """Whether an unknown kid may trigger a reload now."""
        return time.monotonic() - self._loaded_at > self.RELOAD_INTERVAL

    def stale(self) -> bool:
        """Whether the keys should be re-read before signing."""
        return time.monotonic() - self._loaded_at > self.MAX_AGE

    def jwks(self) -> dict[str, Any]:
        """The public keys as a JSON Web Key Set."""
        return {"keys": [k.jwk for k in self._keys]}
