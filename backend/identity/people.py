"""The signed-in people: a citizen's own record and home region, real-name verification against the
population registry (rate-limited, the phone must match), a staff member with their roles."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from backend.db import tables as t
from backend.db.engine import execute
from backend.errors import CommonErrorCode, DomainError
from backend.identity import audit, staff
from backend.identity.audit import AuditAction
from backend.identity.deps import IdentityDeps
from backend.identity.errors import IdentityErrorCode
from backend.identity.limits import Limit, address_key, check_limits
from backend.identity.models import (
    Citizen,
    RequestMeta,
    StaffMember,
)
from backend.identity.numbers import parse_id_number
from backend.identity.registry import RealNameCheck


class People:
    """Citizens and staff in one request's database session (the caller commits)."""

    def __init__(self, db: AsyncSession, deps: IdentityDeps) -> None:
        self._db = db
        self._deps = deps

    async def citizen(self, citizen_id: str) -> Citizen:
        """A citizen's own record."""
        # `me` resolves beside other fields of the same query on the request's one session: take turns.
        row = (await execute(self._db, select(t.citizens).where(t.citizens.c.id == citizen_id))).first()
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
        # Each way of failing is told apart: the citizen can only fix what they are told is wrong.
        refusal = await self._real_name_refusal(current.phone, name, parsed.value)
        if refusal is not None:
            await audit.record_now(
                self._deps.sessions,
                AuditAction.REAL_NAME_FAILED,
                actor_type="citizen",
                actor_id=citizen_id,
                meta=meta,
                reason=refusal.code.value,
            )
            raise refusal
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

    async def _real_name_refusal(self, phone: str, name: str, id_number: str) -> DomainError | None:
        """Why the registry does not confirm this account as this resident, or None when it does."""
        check = await self._deps.registry.verify(self._db, name, id_number)
        if check is RealNameCheck.NO_SUCH_NUMBER:
            return DomainError(IdentityErrorCode.REAL_NAME_NO_SUCH_NUMBER, field="idNumber")
        if check is not RealNameCheck.MATCH:
            return DomainError(IdentityErrorCode.REAL_NAME_MISMATCH, field="name")
        person = await self._deps.registry.person(self._db, id_number)
        if person is None or person.phone is None:
            return DomainError(IdentityErrorCode.REAL_NAME_NO_PHONE_ON_RECORD)
        if person.phone != phone:
            return DomainError(IdentityErrorCode.REAL_NAME_PHONE_NOT_ON_RECORD)
        return None
