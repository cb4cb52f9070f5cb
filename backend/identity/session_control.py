"""A signed-in subject's sessions: refresh-token rotation (reuse revokes the family), revocation by a
client (RFC 7009), listing and ending one's own sessions, signing out everywhere."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from backend.db import tables as t
from backend.errors import CommonErrorCode, DomainError
from backend.identity import audit, oidc, sso
from backend.identity.access import Access
from backend.identity.audit import AuditAction
from backend.identity.clients import APP_CLIENT_ID, STAFF_CLIENT_ID
from backend.identity.deps import IdentityDeps
from backend.identity.errors import IdentityErrorCode
from backend.identity.models import (
    Principal,
    RequestMeta,
    SessionInfo,
    SubjectType,
    TokenPair,
)
from backend.identity.sessions import Sessions


class SessionControl:
    """Sessions in one request's database session (the caller commits)."""

    def __init__(self, db: AsyncSession, deps: IdentityDeps, sessions: Sessions, access: Access) -> None:
        self._db = db
        self._deps = deps
        self._sessions = sessions
        self._access = access

    async def refresh(self, refresh_token: str, meta: RequestMeta, *, client_id: str | None = None) -> TokenPair:
        """Rotate a refresh token of `client_id` (default: a first-party client); reuse revokes the session."""
        allowed = frozenset({client_id} if client_id else {APP_CLIENT_ID, STAFF_CLIENT_ID})
        if self._deps.ring.stale():
            await self._access.reload_keys()
        try:
            session_id, new_refresh, state = await self._sessions.rotate(refresh_token, allowed)
        except DomainError as error:
            if error.params.get("reused"):
                await self._revoke_family(str(error.params["session_id"]), meta)
            raise DomainError(IdentityErrorCode.INVALID_REFRESH_TOKEN, field="refreshToken") from None
        subject = state.subject_id
        if state.subject_type is SubjectType.CITIZEN:
            subject = self._access.subject_for(state.client_id, state.subject_id)
        access = self._deps.tokens.access_token(
            subject=subject, session_id=session_id, client_id=state.client_id, scopes=state.scopes
        )
        await audit.record(
            self._db,
            AuditAction.TOKEN_REFRESHED,
            actor_type=state.subject_type.value,
            actor_id=state.subject_id,
            client_id=state.client_id,
            meta=meta,
            session_id=session_id,
        )
        return TokenPair(access, new_refresh, self._deps.tokens.access_seconds, session_id)

    async def _revoke_family(self, session_id: str, meta: RequestMeta) -> None:
        # The request fails, but the revocation must stay: drop whatever this transaction did, then
        # revoke and commit on the same connection (a second connection would wait on SQLite's lock).
        await self._db.rollback()
        state = await self._sessions.state(session_id)
        await self._sessions.revoke([session_id], "refresh_reuse")
        if state is not None and state.subject_type is SubjectType.CITIZEN:
            await sso.end_all(self._deps.redis, state.subject_id)
        await audit.record(self._db, AuditAction.REFRESH_REUSE_DETECTED, meta=meta, session_id=session_id)
        await self._db.commit()

    async def revoke_token(self, token: str, client_id: str, meta: RequestMeta) -> None:
        """RFC 7009 revocation of a refresh or access token held by `client_id` (unknown: no-op)."""
        session_id = await self._sessions.session_of_refresh_token(token)
        if session_id is None:
            session_id = self._deps.tokens.session_of_access_token(token)
            if session_id is None:
                return
        state = await self._sessions.state(session_id)
        if state is None or state.client_id != client_id:
            return
        await self._sessions.revoke([session_id], "revoked_by_client")
        await audit.record(
            self._db,
            AuditAction.SESSION_REVOKED,
            actor_type=state.subject_type.value,
            actor_id=state.subject_id,
            client_id=client_id,
            meta=meta,
            session_id=session_id,
        )

    async def sessions_of(self, principal: Principal) -> list[SessionInfo]:
        """The subject's live sessions, most recently used first."""
        s, c = t.sessions, t.oauth_clients
        rows = await self._db.execute(
            select(s, c.c.name.label("client_name"))
            .join(c, c.c.client_id == s.c.client_id)
            .where(
                s.c.subject_type == principal.subject_type.value,
                s.c.subject_id == principal.subject_id,
                s.c.revoked_at.is_(None),
                s.c.expires_at > datetime.now(UTC),
            )
            .order_by(s.c.last_used_at.desc())
        )
        return [
            SessionInfo(
                r.id,
                r.client_id,
                r.client_name,
                r.created_at,
                r.last_used_at,
                r.expires_at,
                r.revoked_at,
                r.ip,
                r.user_agent,
            )
            for r in rows
        ]

    async def revoke_session(self, principal: Principal, session_id: str, meta: RequestMeta) -> None:
        """End one of the caller's own sessions; another's is NOT_FOUND (never revealed)."""
        owned = set(await self._sessions.live_ids(principal.subject_type, principal.subject_id))
        if session_id not in owned:
            raise DomainError(CommonErrorCode.NOT_FOUND, field="sessionId", what=session_id)
        await self._sessions.revoke([session_id], "revoked_by_user")
        await audit.record(
            self._db,
            AuditAction.SESSION_REVOKED,
            actor_type=principal.subject_type.value,
            actor_id=principal.subject_id,
            client_id=principal.client_id,
            meta=meta,
            session_id=session_id,
        )

    async def revoke_replayed_code_session(self, session_id: str, meta: RequestMeta) -> None:
        """End the session an authorization code opened, once the code was replayed (RFC 6749 4.1.2)."""
        await self._sessions.revoke([session_id], "code_replayed")
        await audit.record(self._db, AuditAction.CODE_REPLAYED, meta=meta, session_id=session_id)

    async def logout_everywhere(self, principal: Principal, meta: RequestMeta) -> int:
        """End every session of the caller, this one included; how many ended."""
        ids = await self._sessions.live_ids(principal.subject_type, principal.subject_id)
        count = await self._sessions.revoke(ids, "logout_everywhere")
        if principal.subject_type is SubjectType.CITIZEN:
            await sso.end_all(self._deps.redis, principal.subject_id)  # the browser sign-in too
        await audit.record(
            self._db,
            AuditAction.LOGOUT_EVERYWHERE,
            actor_type=principal.subject_type.value,
            actor_id=principal.subject_id,
            client_id=principal.client_id,
            meta=meta,
            count=count,
        )
        return count

    async def withdraw_consent(self, citizen_id: str, client_id: str, meta: RequestMeta) -> None:
        """Withdraw an app's access to the citizen's data; its sessions end at once."""
        sessions = await oidc.revoke_consent(self._db, citizen_id, client_id)
        await self._sessions.revoke(sessions, "consent_revoked")
        await audit.record(
            self._db,
            AuditAction.CONSENT_REVOKED,
            actor_type="citizen",
            actor_id=citizen_id,
            client_id=client_id,
            meta=meta,
        )
