"""Sessions and their refresh tokens.

A session is one login on one client. Its refresh tokens form a family: every use returns a new
token and retires the old one; presenting a retired token means it was stolen or replayed, so the
whole session is revoked. Each API instance checks sessions through Redis, so a revocation takes
effect at once everywhere; Redis is only a cache of the sessions table and is refilled from it.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from datetime import UTC, datetime, timedelta

import msgspec
import structlog
from redis.asyncio import Redis
from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from backend.db import tables as t
from backend.errors import DomainError
from backend.identity.errors import IdentityErrorCode
from backend.identity.models import RequestMeta, SubjectType
from backend.outbox.live import SESSION_ENDED
from backend.outbox.live import channel as live_channel

REFRESH_PREFIX = "rt_"


log = structlog.get_logger("backend.identity")


class SessionState(msgspec.Struct, frozen=True):
    """What a request needs to know about its session; cached in Redis."""

    subject_type: SubjectType
    subject_id: str
    client_id: str
    scopes: list[str]
    revoked: bool
    expires_at: float


def hash_token(token: str) -> str:
    """SHA-256 of a refresh token: what is stored (the token itself never is)."""
    return hashlib.sha256(token.encode()).hexdigest()


def new_refresh_token() -> str:
    """An opaque refresh token with 256 bits of randomness."""
    return REFRESH_PREFIX + secrets.token_urlsafe(32)


_TOMBSTONE = b"revoked"
_SET_UNLESS_REVOKED = """
if redis.call('GET', KEYS[1]) == ARGV[3] then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2])
return 1
"""
_encode = msgspec.json.Encoder().encode
_decode = msgspec.json.Decoder(SessionState).decode


class Sessions:
    """Sessions in the database, mirrored in Redis for per-request checks."""

    def __init__(self, session: AsyncSession, redis: Redis, *, lifetime: timedelta) -> None:
        self._db = session
        self._redis = redis
        self._lifetime = lifetime

    @staticmethod
    def _key(session_id: str) -> str:
        return f"session:{session_id}"

    async def _cache(self, session_id: str, state: SessionState) -> None:
        # Never overwrite a tombstone: a refresh racing a revocation must not bring the session back.
        ttl = max(int(state.expires_at - datetime.now(UTC).timestamp()), 1)
        await self._redis.eval(_SET_UNLESS_REVOKED, 1, self._key(session_id), _encode(state), ttl, _TOMBSTONE)

    async def create(
        self, subject_type: SubjectType, subject_id: str, client_id: str, scopes: list[str], meta: RequestMeta
    ) -> tuple[str, str]:
        """A new session and its first refresh token: (session_id, refresh_token)."""
        now = datetime.now(UTC)
        session_id = str(uuid.uuid4())
        expires = now + self._lifetime
        await self._db.execute(
            insert(t.sessions).values(
                id=session_id,
                subject_type=subject_type.value,
                subject_id=subject_id,
                client_id=client_id,
                scopes=scopes,
                created_at=now,
                last_used_at=now,
                expires_at=expires,
                ip=meta.ip,
                user_agent=(meta.user_agent or "")[:300] or None,
            )
        )
        token = await self._new_token(session_id, expires)
        await self._cache(
            session_id, SessionState(subject_type, subject_id, client_id, scopes, False, expires.timestamp())
        )
        return session_id, token

    async def _new_token(self, session_id: str, expires: datetime) -> str:
        token = new_refresh_token()
        await self._db.execute(
            insert(t.refresh_tokens).values(
                token_hash=hash_token(token), session_id=session_id, created_at=datetime.now(UTC), expires_at=expires
            )
        )
        return token

    async def session_of_refresh_token(self, refresh_token: str) -> str | None:
        """The session a refresh token belongs to (used or not), or None."""
        row = await self._db.execute(
            select(t.refresh_tokens.c.session_id).where(t.refresh_tokens.c.token_hash == hash_token(refresh_token))
        )
        found: str | None = row.scalar()
        return found

    async def rotate(self, refresh_token: str, clients: frozenset[str]) -> tuple[str, str, SessionState]:
        """Use a refresh token once: (session_id, new refresh token, session state).

        A token used before revokes its whole session (reuse detection) and raises
        INVALID_REFRESH_TOKEN with `reused=True` in the error params.
        """
        now = datetime.now(UTC)
        rows = await self._db.execute(
            select(t.refresh_tokens, t.sessions)
            .join(t.sessions, t.sessions.c.id == t.refresh_tokens.c.session_id)
            .where(t.refresh_tokens.c.token_hash == hash_token(refresh_token))
            # Lock the session too: a revocation committing meanwhile is seen, not overwritten.
            .with_for_update(of=[t.refresh_tokens, t.sessions])
        )
        row = rows.first()
        if row is None or row.revoked_at is not None or row.expires_at <= now or row.client_id not in clients:
            raise DomainError(IdentityErrorCode.INVALID_REFRESH_TOKEN)
        if row.used_at is not None:
            raise DomainError(IdentityErrorCode.INVALID_REFRESH_TOKEN, reused=True, session_id=row.session_id)
        # Mark used only if nobody else did: two concurrent uses of one token cannot both succeed.
        claimed = await self._db.execute(
            update(t.refresh_tokens)
            .where(t.refresh_tokens.c.token_hash == row.token_hash, t.refresh_tokens.c.used_at.is_(None))
            .values(used_at=now)
        )
        if claimed.rowcount != 1:  # type: ignore[attr-defined]
            raise DomainError(IdentityErrorCode.INVALID_REFRESH_TOKEN, reused=True, session_id=row.session_id)
        await self._db.execute(update(t.sessions).where(t.sessions.c.id == row.session_id).values(last_used_at=now))
        token = await self._new_token(row.session_id, row.expires_at)
        state = SessionState(
            SubjectType(row.subject_type),
            row.subject_id,
            row.client_id,
            list(row.scopes),
            False,
            row.expires_at.timestamp(),
        )
        await self._cache(row.session_id, state)
        return row.session_id, token, state

    async def revoke(self, session_ids: list[str], reason: str) -> int:
        """Revoke sessions now, in the database and in every instance's view; how many were live.

        Redis gets a tombstone at once rather than after the commit: if the transaction then fails,
        the session looks revoked although it is not (the citizen signs in again), never the reverse.
        """
        if not session_ids:
            return 0
        pipe = self._redis.pipeline()
        for session_id in session_ids:
            pipe.set(self._key(session_id), _TOMBSTONE, ex=int(self._lifetime.total_seconds()))
        await pipe.execute()
        ended = (
            await self._db.execute(
                update(t.sessions)
                .where(t.sessions.c.id.in_(session_ids), t.sessions.c.revoked_at.is_(None))
                .values(revoked_at=datetime.now(UTC), revoked_reason=reason)
                .returning(t.sessions.c.subject_type, t.sessions.c.subject_id)
            )
        ).all()
        await self._end_live_updates({row.subject_id for row in ended if row.subject_type == SubjectType.CITIZEN})
        return len(ended)

    async def _end_live_updates(self, citizen_ids: set[str]) -> None:
        """Tell the citizens' live subscriptions, on every instance, to check their sessions now: a
        revoked one ends at once instead of at the next update. Best effort: Redis down, the
        subscription still ends at its next update."""
        for citizen_id in sorted(citizen_ids):
            try:
                await self._redis.publish(live_channel(citizen_id), SESSION_ENDED)
            except Exception:
                log.warning("sessions.live_not_told", exc_info=True)

    async def state(self, session_id: str) -> SessionState | None:
        """The session as a request sees it: from Redis, else from the database (and cached again)."""
        cached = await self._redis.get(self._key(session_id))
        if cached == _TOMBSTONE:
            return None
        if cached is not None:
            return _decode(cached)
        row = (await self._db.execute(select(t.sessions).where(t.sessions.c.id == session_id))).first()
        if row is None:
            return None
        state = SessionState(
            SubjectType(row.subject_type),
            row.subject_id,
            row.client_id,
            list(row.scopes),
            row.revoked_at is not None,
            row.expires_at.timestamp(),
        )
        if state.expires_at > datetime.now(UTC).timestamp():
            await self._cache(session_id, state)
        return state

    async def live_ids(self, subject_type: SubjectType, subject_id: str) -> list[str]:
        """Every session of a subject that is not revoked or expired."""
        rows = await self._db.execute(
            select(t.sessions.c.id).where(
                t.sessions.c.subject_type == subject_type.value,
                t.sessions.c.subject_id == subject_id,
                t.sessions.c.revoked_at.is_(None),
                t.sessions.c.expires_at > datetime.now(UTC),
            )
        )
        return list(rows.scalars())


async def revoke_in_database(
    db: AsyncSession, subject_type: SubjectType, subject_id: str, reason: str, *, client_id: str | None = None
) -> int:
    """Revoke every live session of a subject (with one client only, when given) in the database only:
    for when no server (and no Redis) is running, since a starting server reads sessions from the
    database. How many were live."""
    s = t.sessions.c
    chosen = [s.subject_type == subject_type.value, s.subject_id == subject_id, s.revoked_at.is_(None)]
    if client_id is not None:
        chosen.append(s.client_id == client_id)
    result = await db.execute(
        update(t.sessions).where(*chosen).values(revoked_at=datetime.now(UTC), revoked_reason=reason)
    )
    return int(result.rowcount)  # type: ignore[attr-defined]
