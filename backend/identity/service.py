"""The identity service: login by code, tokens, sessions, real-name verification, staff login."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from redis.asyncio import Redis
from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from backend.db import tables as t
from backend.errors import CommonErrorCode, DomainError
from backend.i18n import Catalogs, Locale
from backend.identity import audit, sso, staff
from backend.identity.audit import AuditAction
from backend.identity.clients import APP_CLIENT_ID, STAFF_CLIENT_ID
from backend.identity.errors import IdentityErrorCode
from backend.identity.keys import KeyRing, load_keys
from backend.identity.limits import Limit, address_key, check_limits, count, refuse_if_exceeded
from backend.identity.login_codes import CODE_SECONDS, LoginCodes
from backend.identity.models import (
    ALL_SCOPES,
    Citizen,
    Principal,
    RequestMeta,
    RoleGrant,
    SessionInfo,
    StaffMember,
    SubjectType,
    TokenPair,
)
from backend.identity.numbers import mask_phone, normalize_phone, parse_id_number
from backend.identity.oidc import pairwise_subject
from backend.identity.registry import PopulationRegistry
from backend.identity.secrets import derive
from backend.identity.sessions import Sessions, SessionState
from backend.identity.sms import SmsSender
from backend.identity.tokens import TokenIssuer

LOGIN_SMS = "Your onewindow sign-in code is {code}. It is valid for {minutes} minutes. Never share it with anyone."


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


class IdentityService:
    """Identity operations in one request's database session (the caller commits)."""

    def __init__(self, db: AsyncSession, deps: IdentityDeps) -> None:
        self._db = db
        self._deps = deps
        self._sessions = Sessions(db, deps.redis, lifetime=timedelta(days=deps.session_lifetime_days))

    # --- citizens: login by SMS code --------------------------------------------------------------
    async def request_login_code(self, phone: str, meta: RequestMeta, locale: Locale) -> int:
        """Send a code to the phone; the same answer whether or not the phone has an account."""
        number = normalize_phone(phone)
        if number is None:
            raise DomainError(CommonErrorCode.INVALID_PHONE, field="phone")
        code = await self._deps.codes.issue(number, meta.ip)
        text = self._deps.messages.gettext(locale, LOGIN_SMS, code=code, minutes=CODE_SECONDS // 60)
        await self._deps.sms.send(self._db, number, text)
        await audit.record(self._db, AuditAction.LOGIN_CODE_SENT, meta=meta, phone=mask_phone(number))
        return CODE_SECONDS

    async def login(self, phone: str, code: str, meta: RequestMeta) -> TokenPair:
        """Exchange a valid code for tokens; the first login creates the citizen's account."""
        citizen_id = await self._citizen_by_code(phone, code, meta)
        pair = await self._open_session(SubjectType.CITIZEN, citizen_id, APP_CLIENT_ID, list(ALL_SCOPES), meta)
        await audit.record(
            self._db, AuditAction.LOGIN, actor_type="citizen", actor_id=citizen_id, client_id=APP_CLIENT_ID, meta=meta
        )
        return pair

    async def _citizen_for_phone(self, phone: str) -> str:
        found = (await self._db.execute(select(t.citizens.c.id).where(t.citizens.c.phone == phone))).scalar()
        if found:
            return str(found)
        citizen_id = str(uuid.uuid4())
        try:
            async with self._db.begin_nested():
                await self._db.execute(
                    insert(t.citizens).values(id=citizen_id, phone=phone, created_at=datetime.now(UTC))
                )
        except IntegrityError:  # the same phone logged in twice at once: use the other row
            found = (await self._db.execute(select(t.citizens.c.id).where(t.citizens.c.phone == phone))).scalar_one()
            return str(found)
        return citizen_id

    async def browser_login(self, phone: str, code: str, meta: RequestMeta) -> str:
        """Check a code on the identity provider's sign-in page; the citizen's id (for the SSO cookie)."""
        return await self._citizen_by_code(phone, code, meta)

    async def _citizen_by_code(self, phone: str, code: str, meta: RequestMeta) -> str:
        """Consume a login code (a failure is audited in its own transaction); the citizen's id."""
        number = normalize_phone(phone)
        if number is None:
            raise DomainError(CommonErrorCode.INVALID_PHONE, field="phone")
        try:
            await self._deps.codes.consume(number, code, meta.ip)
        except DomainError as error:
            await audit.record_now(
                self._deps.sessions,
                AuditAction.LOGIN_FAILED,
                meta=meta,
                phone=mask_phone(number),
                reason=error.code.value,
            )
            raise
        return await self._citizen_for_phone(number)

    def subject_for(self, client_id: str, citizen_id: str) -> str:
        """The `sub` a client sees: our id for first-party clients, a pairwise id for everyone else."""
        if client_id in (APP_CLIENT_ID, STAFF_CLIENT_ID):
            return citizen_id
        return pairwise_subject(self._deps.pairwise_key, client_id, citizen_id)

    async def open_client_session(
        self, citizen_id: str, client_id: str, scopes: list[str], meta: RequestMeta
    ) -> TokenPair:
        """Tokens for a relying party the citizen authorized (the OIDC code exchange)."""
        pair = await self._open_session(SubjectType.CITIZEN, citizen_id, client_id, scopes, meta)
        await audit.record(
            self._db,
            AuditAction.LOGIN,
            actor_type="citizen",
            actor_id=citizen_id,
            client_id=client_id,
            meta=meta,
            session_id=pair.session_id,
        )
        return pair

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

    async def _open_session(
        self, subject_type: SubjectType, subject_id: str, client_id: str, scopes: list[str], meta: RequestMeta
    ) -> TokenPair:
        if self._deps.ring.stale():
            await self.reload_keys()
        session_id, refresh = await self._sessions.create(subject_type, subject_id, client_id, scopes, meta)
        subject = self.subject_for(client_id, subject_id) if subject_type is SubjectType.CITIZEN else subject_id
        access = self._deps.tokens.access_token(
            subject=subject, session_id=session_id, client_id=client_id, scopes=scopes
        )
        return TokenPair(access, refresh, self._deps.tokens.access_seconds, session_id)

    # --- tokens -----------------------------------------------------------------------------------
    async def refresh(self, refresh_token: str, meta: RequestMeta, *, client_id: str | None = None) -> TokenPair:
        """Rotate a refresh token of `client_id` (default: a first-party client); reuse revokes the session."""
        allowed = frozenset({client_id} if client_id else {APP_CLIENT_ID, STAFF_CLIENT_ID})
        if self._deps.ring.stale():
            await self.reload_keys()
        try:
            session_id, new_refresh, state = await self._sessions.rotate(refresh_token, allowed)
        except DomainError as error:
            if error.params.get("reused"):
                await self._revoke_family(str(error.params["session_id"]), meta)
            raise DomainError(IdentityErrorCode.INVALID_REFRESH_TOKEN, field="refreshToken") from None
        subject = state.subject_id
        if state.subject_type is SubjectType.CITIZEN:
            subject = self.subject_for(state.client_id, state.subject_id)
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

    # --- the signed-in citizen --------------------------------------------------------------------
    async def citizen(self, citizen_id: str) -> Citizen:
        """A citizen's own record."""
        row = (await self._db.execute(select(t.citizens).where(t.citizens.c.id == citizen_id))).first()
        if row is None:
            raise DomainError(CommonErrorCode.UNAUTHENTICATED)
        return Citizen(row.id, row.phone, row.id_number, row.name, row.verified_at, row.created_at)

    async def home_region(self, citizen_id: str) -> str | None:
        """The region of a verified citizen's registered address (None until verified)."""
        citizen = await self.citizen(citizen_id)
        if citizen.id_number is None:
            return None
        person = await self._deps.registry.person(self._db, citizen.id_number)
        return person.region_code if person else None

    async def staff_member(self, staff_id: str) -> StaffMember:
        """A staff member with their roles."""
        row = (await self._db.execute(select(t.staff).where(t.staff.c.id == staff_id))).first()
        if row is None:
            raise DomainError(CommonErrorCode.UNAUTHENTICATED)
        return StaffMember(row.id, row.username, row.name, await staff.roles_of(self._db, row.id))

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

    async def revoke_sessions(self, session_ids: list[str], reason: str) -> int:
        """Revoke sessions found elsewhere (a withdrawn consent's sessions)."""
        return await self._sessions.revoke(session_ids, reason)

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

    # --- real-name verification -------------------------------------------------------------------
    async def verify_real_name(self, citizen_id: str, name: str, id_number: str, meta: RequestMeta) -> Citizen:
        """Link an ID number to the account once the registry confirms the (name, number) pair."""
        current = await self.citizen(citizen_id)
        if current.verified_at is not None:
            raise DomainError(IdentityErrorCode.ALREADY_VERIFIED)
        # The registry is not a lookup service: a few tries per account and per address.
        checks = [(f"realname:citizen:{citizen_id}", Limit(5, 86400))]
        if meta.ip:
            checks.append((f"realname:address:{address_key(meta.ip)}", Limit(20, 3600)))
        await check_limits(self._deps.redis, checks)
        parsed = parse_id_number(id_number)
        if parsed is None:
            raise DomainError(CommonErrorCode.INVALID_ID_NUMBER, field="idNumber")
        if not name.strip():
            raise DomainError(CommonErrorCode.REQUIRED, field="name")
        # A name and an ID number are not secrets: the registry must also hold this account's phone
        # for the resident (phones are registered under real names), so nobody claims another's identity.
        person = await self._deps.registry.person(self._db, parsed.value)
        matches = await self._deps.registry.verify(self._db, name, parsed.value)
        if not matches or person is None or person.phone != current.phone:
            await audit.record_now(
                self._deps.sessions,
                AuditAction.REAL_NAME_FAILED,
                actor_type="citizen",
                actor_id=citizen_id,
                meta=meta,
            )
            raise DomainError(IdentityErrorCode.REAL_NAME_MISMATCH, field="idNumber")
        other = (
            await self._db.execute(
                select(t.citizens.c.id).where(t.citizens.c.id_number == parsed.value, t.citizens.c.id != citizen_id)
            )
        ).scalar()
        if other:
            raise DomainError(IdentityErrorCode.ID_NUMBER_TAKEN, field="idNumber")
        await self._db.execute(
            update(t.citizens)
            .where(t.citizens.c.id == citizen_id)
            .values(id_number=parsed.value, name=name.strip(), verified_at=datetime.now(UTC))
        )
        await audit.record(
            self._db, AuditAction.REAL_NAME_VERIFIED, actor_type="citizen", actor_id=citizen_id, meta=meta
        )
        return await self.citizen(citizen_id)

    # --- staff ------------------------------------------------------------------------------------
    async def staff_login(self, username: str, password: str, meta: RequestMeta) -> TokenPair:
        """Tokens for a staff member whose password is right."""
        # Guessing one account's password is slowed by its failures, from one address and from all;
        # trying many accounts from one address by that address's attempts. Only failures count
        # against an account, so an officer who types their password right is never locked out by
        # their own sign-ins.
        account, address = username.lower(), address_key(meta.ip or "unknown")
        failures = [
            (f"staff_login:failed:{account}:{address}", Limit(10, 900)),
            (f"staff_login:failed:{account}", Limit(100, 3600)),
        ]
        await refuse_if_exceeded(self._deps.redis, failures)
        await check_limits(self._deps.redis, [(f"staff_login:address:{address}", Limit(50, 3600))])
        try:
            member = await staff.check_password(self._db, username, password)
        except DomainError:
            await count(self._deps.redis, failures)
            await audit.record_now(self._deps.sessions, AuditAction.STAFF_LOGIN_FAILED, meta=meta, username=username)
            raise
        pair = await self._open_session(SubjectType.STAFF, member.id, STAFF_CLIENT_ID, [], meta)
        await audit.record(
            self._db,
            AuditAction.STAFF_LOGIN,
            actor_type="staff",
            actor_id=member.id,
            client_id=STAFF_CLIENT_ID,
            meta=meta,
        )
        return pair
