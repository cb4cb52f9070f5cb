"""Who is calling: bearer tokens checked against their session, delegated tokens, the subject a client
sees, and opening a session's tokens (signing keys reloaded when another instance rotated them)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from backend.errors import CommonErrorCode, DomainError
from backend.identity import staff
from backend.identity.clients import APP_CLIENT_ID, STAFF_CLIENT_ID
from backend.identity.deps import IdentityDeps
from backend.identity.keys import KeyRing, load_keys
from backend.identity.models import (
    Principal,
    RequestMeta,
    RoleGrant,
    SubjectType,
    TokenPair,
)
from backend.identity.oidc import pairwise_subject
from backend.identity.sessions import Sessions, SessionState


class Access:
    """Tokens and principals in one request's database session."""

    def __init__(self, db: AsyncSession, deps: IdentityDeps, sessions: Sessions) -> None:
        self._db = db
        self._deps = deps
        self._sessions = sessions

    def subject_for(self, client_id: str, citizen_id: str) -> str:
        """The `sub` a client sees: our id for first-party clients, a pairwise id for everyone else."""
        if client_id in (APP_CLIENT_ID, STAFF_CLIENT_ID):
            return citizen_id
        return pairwise_subject(self._deps.pairwise_key, client_id, citizen_id)

    async def open_session(
        self, subject_type: SubjectType, subject_id: str, client_id: str, scopes: list[str], meta: RequestMeta
    ) -> TokenPair:
        """A new session and its first tokens."""
        if self._deps.ring.stale():
            await self.reload_keys()
        session_id, refresh = await self._sessions.create(subject_type, subject_id, client_id, scopes, meta)
        subject = self.subject_for(client_id, subject_id) if subject_type is SubjectType.CITIZEN else subject_id
        access = self._deps.tokens.access_token(
            subject=subject, session_id=session_id, client_id=client_id, scopes=scopes
        )
        return TokenPair(access, refresh, self._deps.tokens.access_seconds, session_id)

    async def bearer(self, authorization: str) -> Principal | DomainError:
        """The caller of an `Authorization: Bearer <token>` header, or the error that refuses it (returned,
        not raised: the transports answer it with 401, or by closing a socket)."""
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            return DomainError(CommonErrorCode.UNAUTHENTICATED)
        try:
            return await self.authenticate(token.strip())
        except DomainError as error:
            return error

    async def authenticate(self, access_token: str) -> Principal:
        """The principal behind a bearer token; UNAUTHENTICATED or TOKEN_EXPIRED otherwise."""
        try:
            claims = self._deps.tokens.verify_access_token(access_token)
        except DomainError as error:
            if error.code is not CommonErrorCode.UNKNOWN_SIGNING_KEY:
                raise
            # A key rotated on another instance: reload once (bounded), then try again.
            if not self._deps.ring.may_reload():
                raise DomainError(CommonErrorCode.UNAUTHENTICATED) from None
            await self.reload_keys()
            try:
                claims = self._deps.tokens.verify_access_token(access_token)
            except DomainError as again:
                code = (
                    CommonErrorCode.UNAUTHENTICATED if again.code is CommonErrorCode.UNKNOWN_SIGNING_KEY else again.code
                )
                raise DomainError(code) from None
        state = await self._sessions.state(str(claims["sid"]))
        if state is None or state.revoked or state.expires_at <= datetime.now(UTC).timestamp():
            raise DomainError(CommonErrorCode.UNAUTHENTICATED)
        return await self._principal(str(claims["sid"]), state, claims)

    async def session_active(self, session_id: str) -> bool:
        """Whether a session is still live (not revoked, not expired): long-lived connections re-check it."""
        state = await self._sessions.state(session_id)
        return state is not None and not state.revoked and state.expires_at > datetime.now(UTC).timestamp()

    def delegated_token(self, principal: Principal, actor: str, scopes: list[str], seconds: int) -> str:
        """A token for a service acting for the caller (the assistant): the caller's session (signing out
        ends it), at most the caller's scopes, never first-party, and short-lived."""
        granted = sorted(set(scopes) & principal.scopes)
        subject = principal.subject_id
        if principal.subject_type is SubjectType.CITIZEN:
            subject = self.subject_for(principal.client_id, principal.subject_id)
        return self._deps.tokens.access_token(
            subject=subject,
            session_id=principal.session_id,
            client_id=principal.client_id,
            scopes=granted,
            actor=actor,
            seconds=seconds,
        )

    async def _principal(self, session_id: str, state: SessionState, claims: dict[str, object]) -> Principal:
        scopes = frozenset(str(claims.get("scope", "")).split()) & frozenset(state.scopes)
        actor = claims.get("act")
        if isinstance(actor, dict) and actor.get("sub"):
            # A delegated token: the acting service gets its scopes only, never first-party rights.
            return Principal(
                subject_type=state.subject_type,
                subject_id=state.subject_id,
                session_id=session_id,
                client_id=str(actor["sub"]),
                scopes=scopes,
                first_party=False,
            )
        roles: tuple[RoleGrant, ...] = ()
        if state.subject_type is SubjectType.STAFF:
            if not await staff.is_active(self._db, state.subject_id):
                raise DomainError(CommonErrorCode.UNAUTHENTICATED)  # disabled since the token was issued
            roles = await staff.roles_of(self._db, state.subject_id)
        return Principal(
            subject_type=state.subject_type,
            subject_id=state.subject_id,
            session_id=session_id,
            client_id=state.client_id,
            scopes=scopes,
            first_party=state.client_id in (APP_CLIENT_ID, STAFF_CLIENT_ID),
            roles=roles,
        )

    async def reload_keys(self) -> None:
        """Re-read the signing keys into this process's key ring."""
        # A retired key verifies as long as a token it signed can live: an instance may sign with it
        # for up to MAX_AGE after it retired, and the token then lives access_seconds (+ clock leeway).
        window = timedelta(seconds=self._deps.tokens.access_seconds + 2 * KeyRing.MAX_AGE + 60)
        self._deps.ring.replace(await load_keys(self._db, self._deps.encryption_key, window))
