"""Building the identity service's process-wide parts at start-up."""

from __future__ import annotations

from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from backend.i18n import Catalogs
from backend.identity.keys import KeyRing, create_key
from backend.identity.login_codes import LoginCodes
from backend.identity.registry import PopulationRegistry
from backend.identity.secrets import derive, master_secret
from backend.identity.service import IdentityDeps, IdentityService
from backend.identity.sms import SmsSender
from backend.identity.tokens import TokenIssuer
from backend.settings import Settings


def message_channels(settings: Settings) -> tuple[SmsSender, PopulationRegistry]:
    """The SMS sender and the population registry the settings choose."""
    if settings.sms != "outbox" or settings.registry != "standin":
        # Production adapters speak the provincial SMS platform's and the registry's protocols; they
        # are not written yet (settings refuse the stand-ins in production, so production cannot start).
        raise NotImplementedError("only the SMS outbox and the registry stand-in exist so far")
    # The stand-ins live outside the production package (standins/, not in the wheel): imported only
    # when the settings choose them, which production settings refuse to do.
    from standins.population.registry import StandInRegistry
    from standins.sms import OutboxSms

    return OutboxSms(), StandInRegistry()


async def build_identity(
    settings: Settings, sessions: async_sessionmaker[AsyncSession], redis: Redis, messages: Catalogs
) -> IdentityDeps:
    """The identity dependencies with a loaded key ring (a first signing key is made if there is none)."""
    sms, registry = message_channels(settings)
    secret = master_secret(settings)
    ring = KeyRing()
    deps = IdentityDeps(
        redis=redis,
        sessions=sessions,
        ring=ring,
        tokens=TokenIssuer(ring, settings.resolved_issuer, settings.access_token_seconds),
        codes=LoginCodes(redis, derive(secret, "login-codes")),
        sms=sms,
        registry=registry,
        messages=messages,
        master_secret=secret,
        session_lifetime_days=settings.session_days,
    )
    async with sessions() as db, db.begin():
        service = IdentityService(db, deps)
        await service.access.reload_keys()
        if not ring.jwks()["keys"]:
            await create_key(db, deps.encryption_key)
            await service.access.reload_keys()
    return deps
