"""Signing in: a citizen by a code sent by SMS (the first login creates the account), in the app or on
the identity provider's page; a relying party's tokens after consent; staff by password, slowed
against guessing."""

from __future__ import annotations

import hmac
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from backend.db import tables as t
from backend.errors import CommonErrorCode, DomainError
from backend.i18n import Locale
from backend.identity import audit, staff
from backend.identity.access import Access
from backend.identity.audit import AuditAction
from backend.identity.clients import APP_CLIENT_ID, STAFF_CLIENT_ID
from backend.identity.deps import IdentityDeps
from backend.identity.errors import IdentityErrorCode
from backend.identity.limits import Limit, address_key, check_limits, count, refuse_if_exceeded
from backend.identity.login_codes import CODE_SECONDS, PER_PHONE_COOLDOWN, SANDBOX_CODE
from backend.identity.models import (
    ALL_SCOPES,
    RequestMeta,
    SubjectType,
    TokenPair,
)
from backend.identity.numbers import mask_phone, normalize_phone

LOGIN_SMS = "Your onewindow sign-in code is {code}. It is valid for {minutes} minutes. Never share it with anyone."


@dataclass(frozen=True)
class CodeSent:
    """A code on its way: how long it stays valid, and how long until another can be asked for."""

    expires_in: int
    retry_after: int


class Logins:
    """Sign-ins in one request's database session (the caller commits)."""

    def __init__(self, db: AsyncSession, deps: IdentityDeps, access: Access) -> None:
        self._db = db
        self._deps = deps
        self._access = access

    async def request_login_code(
        self, phone: str, meta: RequestMeta, locale: Locale, *, sandbox: bool = False
    ) -> CodeSent:
        """Send a code to the phone; the same answer whether or not the phone has an account. For a
        `sandbox` app's sign-in (a persona's phone) nothing is sent: the code is the sandbox code."""
        number = normalize_phone(phone)
        if number is None:
            raise DomainError(CommonErrorCode.INVALID_PHONE, field="phone")
        await self._admit(number, sandbox=sandbox)
        if sandbox:  # no SMS, so no limit to count against: the documented code is all there is
            return CodeSent(expires_in=CODE_SECONDS, retry_after=0)
        code = await self._deps.codes.issue(number, meta.ip)
        text = self._deps.messages.gettext(locale, LOGIN_SMS, code=code, minutes=CODE_SECONDS // 60)
        try:
            await self._deps.sms.send(self._db, number, text)
        except BaseException:
            await self._deps.codes.withdraw(number, meta.ip)  # only a code sent counts toward the limits
            raise
        await audit.record(self._db, AuditAction.LOGIN_CODE_SENT, meta=meta, phone=mask_phone(number))
        return CodeSent(expires_in=CODE_SECONDS, retry_after=PER_PHONE_COOLDOWN.seconds)

    async def login(self, phone: str, code: str, meta: RequestMeta) -> TokenPair:
        """Exchange a valid code for tokens; the first login creates the citizen's account."""
        citizen_id = await self._citizen_by_code(phone, code, meta)
        pair = await self._access.open_session(SubjectType.CITIZEN, citizen_id, APP_CLIENT_ID, list(ALL_SCOPES), meta)
        await audit.record(
            self._db, AuditAction.LOGIN, actor_type="citizen", actor_id=citizen_id, client_id=APP_CLIENT_ID, meta=meta
        )
        return pair

    async def browser_login(self, phone: str, code: str, meta: RequestMeta, *, sandbox: bool = False) -> str:
        """Check a code on the identity provider's sign-in page; the citizen's id (for the SSO cookie).
        A `sandbox` app's sign-in takes a persona's phone and the sandbox code; any other app's neither."""
        return await self._citizen_by_code(phone, code, meta, sandbox=sandbox)

    async def admits(self, citizen_id: str, *, sandbox: bool) -> bool:
        """Whether a signed-in citizen may use this app: a persona only a sandbox app, anyone else only
        a live one (a browser signed in for one kind of app is asked to sign in again for the other)."""
        phone = (await self._db.execute(select(t.citizens.c.phone).where(t.citizens.c.id == citizen_id))).scalar()
        return phone is not None and (phone in await self._persona_phones()) == sandbox

    async def _persona_phones(self) -> set[str]:
        return {p.phone for p in await self._deps.registry.personas(self._db)}

    async def _admit(self, number: str, *, sandbox: bool) -> None:
        """SANDBOX_PERSONAS_ONLY for anyone but a persona on a sandbox app; SANDBOX_PERSONA_REFUSED for a
        persona anywhere else (the platform's own app included)."""
        persona = number in await self._persona_phones()
        if sandbox and not persona:
            raise DomainError(CommonErrorCode.SANDBOX_PERSONAS_ONLY, field="phone")
        if persona and not sandbox:
            raise DomainError(CommonErrorCode.SANDBOX_PERSONA_REFUSED, field="phone")

    async def _citizen_by_code(self, phone: str, code: str, meta: RequestMeta, *, sandbox: bool = False) -> str:
        """Consume a login code (a failure is audited in its own transaction); the citizen's id."""
        number = normalize_phone(phone)
        if number is None:
            raise DomainError(CommonErrorCode.INVALID_PHONE, field="phone")
        await self._admit(number, sandbox=sandbox)
        try:
            if sandbox:
                if not hmac.compare_digest(code.strip().encode(), SANDBOX_CODE.encode()):
                    raise DomainError(IdentityErrorCode.LOGIN_CODE_INVALID, field="code")
            else:
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

    async def open_client_session(
        self, citizen_id: str, client_id: str, scopes: list[str], meta: RequestMeta
    ) -> TokenPair:
        """Tokens for a relying party the citizen authorized (the OIDC code exchange)."""
        pair = await self._access.open_session(SubjectType.CITIZEN, citizen_id, client_id, scopes, meta)
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
        pair = await self._access.open_session(SubjectType.STAFF, member.id, STAFF_CLIENT_ID, [], meta)
        await audit.record(
            self._db,
            AuditAction.STAFF_LOGIN,
            actor_type="staff",
            actor_id=member.id,
            client_id=STAFF_CLIENT_ID,
            meta=meta,
        )
        return pair
