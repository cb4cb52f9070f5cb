"""Department officers, finance staff and platform admins: password login (argon2) and roles."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from backend.db import tables as t
from backend.errors import CommonErrorCode, DomainError
from backend.identity.errors import IdentityErrorCode
from backend.identity.models import Role, RoleGrant, StaffMember

_hasher = PasswordHasher()
# Verifying against this when the username is unknown keeps the answer's timing the same.
_DUMMY_HASH = _hasher.hash("not a real password")
MIN_PASSWORD_LENGTH = 12


async def roles_of(session: AsyncSession, staff_id: str) -> tuple[RoleGrant, ...]:
    """A staff member's roles."""
    rows = await session.execute(
        select(t.staff_roles.c.role, t.staff_roles.c.department_code).where(t.staff_roles.c.staff_id == staff_id)
    )
    return tuple(RoleGrant(Role(r.role), r.department_code) for r in rows)


async def names_of(session: AsyncSession, staff_ids: set[str]) -> dict[str, str]:
    """Staff members' names by id (an audit trail shows who acted, not an id); unknown ids are missing."""
    if not staff_ids:
        return {}
    rows = await session.execute(select(t.staff.c.id, t.staff.c.name).where(t.staff.c.id.in_(staff_ids)))
    return {row.id: row.name for row in rows}


async def is_active(session: AsyncSession, staff_id: str) -> bool:
    """Whether the account exists and is not disabled."""
    row = (await session.execute(select(t.staff.c.disabled).where(t.staff.c.id == staff_id))).first()
    return row is not None and not row.disabled


async def set_disabled(session: AsyncSession, username: str, disabled: bool) -> str:
    """Disable or enable an account by username; its id (NOT_FOUND when unknown)."""
    staff_id = (await session.execute(select(t.staff.c.id).where(t.staff.c.username == username))).scalar()
    if staff_id is None:
        raise DomainError(CommonErrorCode.NOT_FOUND, field="username", what=username)
    await session.execute(t.staff.update().where(t.staff.c.id == staff_id).values(disabled=disabled))
    return str(staff_id)


BOUND_ROLES = frozenset({Role.OFFICER, Role.HALL_MANAGER})


async def create_staff(
    session: AsyncSession, *, username: str, name: str, password: str, roles: list[RoleGrant]
) -> StaffMember:
    """Create a staff account (or reset its password and roles when the username exists)."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise DomainError(CommonErrorCode.INVALID_VALUE, field="password")
    for grant in roles:
        # An officer works for a department and a hall manager runs a hall (its code in department_code).
        if (grant.role in BOUND_ROLES) != bool(grant.department_code):
            raise DomainError(CommonErrorCode.INVALID_VALUE, field="department")
    existing = (await session.execute(select(t.staff.c.id).where(t.staff.c.username == username))).scalar()
    staff_id = existing or str(uuid.uuid4())
    password_hash = _hasher.hash(password)
    if existing:
        await session.execute(
            t.staff.update().where(t.staff.c.id == staff_id).values(name=name, password_hash=password_hash)
        )
        await session.execute(delete(t.staff_roles).where(t.staff_roles.c.staff_id == staff_id))
    else:
        await session.execute(
            insert(t.staff).values(
                id=staff_id,
                username=username,
                name=name,
                password_hash=password_hash,
                disabled=False,
                created_at=datetime.now(UTC),
            )
        )
    for grant in roles:
        await session.execute(
            insert(t.staff_roles).values(
                staff_id=staff_id, role=grant.role.value, department_code=grant.department_code
            )
        )
    return StaffMember(staff_id, username, name, tuple(roles))


async def check_password(session: AsyncSession, username: str, password: str) -> StaffMember:
    """The staff member if the password is right; INVALID_CREDENTIALS otherwise (same work either way)."""
    row = (await session.execute(select(t.staff).where(t.staff.c.username == username))).first()
    try:
        # argon2 takes ~0.1 s of CPU and 64 MiB by design: in a worker thread, never on the event loop.
        await asyncio.to_thread(_hasher.verify, row.password_hash if row else _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        raise DomainError(IdentityErrorCode.INVALID_CREDENTIALS) from None
    if row is None or row.disabled:
        raise DomainError(IdentityErrorCode.INVALID_CREDENTIALS)
    return StaffMember(row.id, row.username, row.name, await roles_of(session, row.id))
