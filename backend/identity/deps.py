"""What the identity services need from the process, built once at start-up (backend.identity.runtime)."""

from __future__ import annotations

from dataclasses import dataclass

from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from backend.i18n import Catalogs
from backend.identity.keys import KeyRing
from backend.identity.login_codes import LoginCodes
from backend.identity.registry import PopulationRegistry
from backend.identity.secrets import derive
from backend.identity.sms import SmsSender
from backend.identity.tokens import TokenIssuer


@dataclass
class IdentityDeps:
    """What the identity service needs from the process (built once at start-up)."""

    redis: Redis
    sessions: async_sessionmaker[AsyncSession]
    ring: KeyRing
    tokens: TokenIssuer
    codes: LoginCodes
    sms: SmsSender
    registry: PopulationRegistry
    messages: Catalogs
    master_secret: bytes
    session_lifetime_days: int

    @property
    def encryption_key(self) -> bytes:
        """Encrypts the signing keys at rest."""
        return derive(self.master_secret, "signing-keys")

    @property
    def pairwise_key(self) -> bytes:
        """Keys the pairwise subject identifiers."""
        return derive(self.master_secret, "pairwise-subject")
