"""OpenID Connect provider logic: authorization codes with PKCE, consent, pairwise subjects, claims."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time
from datetime import UTC, datetime

import msgspec
from redis.asyncio import Redis
from sqlalchemy import delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from backend.db import tables as t
from backend.identity.models import Citizen, Consent, Scope
from backend.identity.numbers import e164_phone
from backend.identity.scopes import SCOPE_DESCRIPTIONS as SCOPE_DESCRIPTIONS  # what each scope shows, in words
from backend.outbox.events import EventType, record

CODE_SECONDS = 60


class AuthorizationCode(msgspec.Struct, frozen=True):
    """What an authorization code stands for, kept in Redis for a minute."""

    client_id: str
    citizen_id: str
    redirect_uri: str
    scopes: list[str]
    code_challenge: str
    nonce: str | None
    auth_time: int


_encode = msgspec.json.Encoder().encode
_decode = msgspec.json.Decoder(AuthorizationCode).decode


def pkce_matches(verifier: str, challenge: str) -> bool:
    """S256: BASE64URL(SHA256(verifier)) == challenge (RFC 7636), compared in constant time."""
    if not 43 <= len(verifier) <= 128:
        return False
    digest = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode("ascii", "replace")).digest()).rstrip(b"=")
    return hmac.compare_digest(digest, challenge.encode("utf-8", "replace"))


def pairwise_subject(key: bytes, client_id: str, citizen_id: str) -> str:
    """A subject identifier per (client, citizen): two clients cannot correlate the same citizen."""
    mac = hmac.new(key, f"{client_id}|{citizen_id}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac).decode().rstrip("=")


async def issue_code(redis: Redis, grant: AuthorizationCode) -> str:
    """A single-use code for the grant."""
    code = secrets.token_urlsafe(32)
    await redis.set(f"oauth:code:{code}", _encode(grant), ex=CODE_SECONDS)
    return code


# How long a redeemed code is remembered: a replay within this time revokes what it gave (RFC 6749
# section 4.1.2 asks for it), and it outlives the access tokens (10 minutes) the code gave.
REDEEMED_SECONDS = 15 * 60
_PENDING, _REPLAYED = b"-", b"replayed"


def _redeemed_key(code: str) -> str:
    return "oauth:redeemed:" + hashlib.sha256(code.encode("utf-8", "replace")).hexdigest()


async def take_code(redis: Redis, code: str) -> AuthorizationCode | None:
    """The grant behind a code, once: the code is deleted as it is read, and remembered as redeemed."""
    pipe = redis.pipeline()  # MULTI: deleted and remembered in one step, so a replay always finds one
    pipe.getdel(f"oauth:code:{code}")
    pipe.set(_redeemed_key(code), _PENDING, ex=REDEEMED_SECONDS, nx=True)
    raw, _ = await pipe.execute()
    if not raw:
        return None
    return _decode(raw)


async def redeemed(redis: Redis, code: str, session_id: str) -> bool:
    """Record the session a code opened; False if the code was replayed meanwhile (revoke the session)."""
    before = await redis.set(_redeemed_key(code), session_id.encode(), xx=True, keepttl=True, get=True)
    return before != _REPLAYED


async def replayed(redis: Redis, code: str) -> str | None:
    """A used code came back: the session its first redemption opened (to revoke), if it has one yet.

    When the first redemption is still under way, it finds the mark and revokes its own session.
    """
    before = await redis.set(_redeemed_key(code), _REPLAYED, xx=True, keepttl=True, get=True)
    if not isinstance(before, bytes) or before in (_PENDING, _REPLAYED):
        return None
    return before.decode()


async def consented_scopes(session: AsyncSession, citizen_id: str, client_id: str) -> set[str]:
    """The scopes the citizen already allowed this client (empty when none or revoked)."""
    row = (
        await session.execute(
            select(t.consents.c.scopes).where(
                t.consents.c.citizen_id == citizen_id,
                t.consents.c.client_id == client_id,
                t.consents.c.revoked_at.is_(None),
            )
        )
    ).first()
    return set(row.scopes) if row else set()


async def grant_consent(session: AsyncSession, citizen_id: str, client_id: str, scopes: list[str]) -> None:
    """Remember that the citizen allowed these scopes (added to what was allowed before); the app hears
    of it (consent.granted, with every scope it now holds) when that added any."""
    before = await consented_scopes(session, citizen_id, client_id)
    merged = sorted(set(scopes) | before)
    await session.execute(
        delete(t.consents).where(t.consents.c.citizen_id == citizen_id, t.consents.c.client_id == client_id)
    )
    await session.execute(
        insert(t.consents).values(
            citizen_id=citizen_id, client_id=client_id, scopes=merged, granted_at=datetime.now(UTC)
        )
    )
    if set(merged) != before:
        await record(
            session, EventType.CONSENT_GRANTED, citizen_id=citizen_id, client_id=client_id, data={"scopes": merged}
        )


async def revoke_consent(session: AsyncSession, citizen_id: str, client_id: str) -> list[str]:
    """Withdraw consent; returns the ids of the client's sessions for the citizen (to revoke them too).
    The app hears of it (consent.revoked, with the scopes it held) so it can delete what it keeps."""
    withdrawn = await session.execute(
        update(t.consents)
        .where(
            t.consents.c.citizen_id == citizen_id,
            t.consents.c.client_id == client_id,
            t.consents.c.revoked_at.is_(None),
        )
        .values(revoked_at=datetime.now(UTC))
        .returning(t.consents.c.scopes)
    )
    held = sorted({scope for scopes in withdrawn.scalars() for scope in scopes})
    if held:
        await record(
            session, EventType.CONSENT_REVOKED, citizen_id=citizen_id, client_id=client_id, data={"scopes": held}
        )
    rows = await session.execute(
        select(t.sessions.c.id).where(
            t.sessions.c.subject_type == "citizen",
            t.sessions.c.subject_id == citizen_id,
            t.sessions.c.client_id == client_id,
            t.sessions.c.revoked_at.is_(None),
        )
    )
    return list(rows.scalars())


async def consents_of(session: AsyncSession, citizen_id: str) -> list[Consent]:
    """The citizen's live consents, newest first."""
    c, k = t.consents, t.oauth_clients
    rows = await session.execute(
        select(c.c.client_id, k.c.name, c.c.scopes, c.c.granted_at)
        .join(k, k.c.client_id == c.c.client_id)
        .where(c.c.citizen_id == citizen_id, c.c.revoked_at.is_(None))
        .order_by(c.c.granted_at.desc())
    )
    return [Consent(r.client_id, r.name, list(r.scopes), r.granted_at) for r in rows]


def claims_for(citizen: Citizen, scopes: set[str]) -> dict[str, object]:
    """The userinfo / ID token claims the scopes allow, and nothing more."""
    claims: dict[str, object] = {}
    if Scope.PROFILE in scopes:
        claims["name"] = citizen.name
        claims["identity_verified"] = citizen.verified_at is not None
    if Scope.PHONE in scopes:
        claims["phone_number"] = e164_phone(citizen.phone)  # as GraphQL's `me { phone }` writes it
        claims["phone_number_verified"] = True
    if Scope.ID_NUMBER in scopes and citizen.id_number:
        claims["id_number"] = citizen.id_number
    return claims


# Which scope each claim is given under (`claims_for`).
_CLAIM_SCOPES = {
    "sub": Scope.OPENID,
    "name": Scope.PROFILE,
    "identity_verified": Scope.PROFILE,
    "phone_number": Scope.PHONE,
    "phone_number_verified": Scope.PHONE,
    "id_number": Scope.ID_NUMBER,
}


def scopes_of_claims(claims: dict[str, object]) -> set[str]:
    """The scopes under which these claims were given."""
    return {_CLAIM_SCOPES[claim].value for claim in claims if claim in _CLAIM_SCOPES}


def now() -> int:
    """Seconds since the epoch."""
    return int(time.time())
