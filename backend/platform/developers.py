"""An app's developers: staff accounts with the developer role, linked to the apps they build.

A developer reads the usage of the apps linked to them and manages their webhooks, and nothing else; an
admin does so for every app.
"""

from __future__ import annotations

from sqlalchemy import delete, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from backend.db import tables as t
from backend.db.engine import execute
from backend.errors import CommonErrorCode, DomainError
from backend.identity.models import Principal, Role, SubjectType


async def _client_exists(session: AsyncSession, client_id: str) -> bool:
    # execute(): root fields of one query (webhookSubscriptions beside webhookEvents) check this concurrently
    # on the request's one session, which takes statements in turn only through it.
    found = await execute(session, select(t.oauth_clients.c.client_id).where(t.oauth_clients.c.client_id == client_id))
    return found.first() is not None


async def require_client(session: AsyncSession, client_id: str) -> None:
    """NOT_FOUND unless `client_id` is a registered app."""
    if not await _client_exists(session, client_id):
        raise DomainError(CommonErrorCode.NOT_FOUND, field="clientId", what=client_id)


async def _developer_id(session: AsyncSession, username: str) -> str:
    """The staff id of `username`, who must hold the developer role."""
    s, r = t.staff, t.staff_roles
    staff_id = (await session.execute(select(s.c.id).where(s.c.username == username))).scalar()
    if staff_id is None:
        raise DomainError(CommonErrorCode.NOT_FOUND, field="username", what=username)
    role = select(r.c.role).where(r.c.staff_id == staff_id, r.c.role == Role.DEVELOPER.value)
    if (await session.execute(role)).first() is None:
        raise DomainError(CommonErrorCode.INVALID_VALUE, field="username")
    return str(staff_id)


async def add_developer(session: AsyncSession, client_id: str, username: str) -> bool:
    """Link a developer to an app; False when they already were."""
    await require_client(session, client_id)
    staff_id = await _developer_id(session, username)
    if await is_developer_of(session, staff_id, client_id):
        return False
    await session.execute(insert(t.client_developers).values(client_id=client_id, staff_id=staff_id))
    return True


async def remove_developer(session: AsyncSession, client_id: str, username: str) -> bool:
    """Unlink a developer from an app; False when they were not linked."""
    await require_client(session, client_id)
    s, d = t.staff, t.client_developers
    staff_id = (await session.execute(select(s.c.id).where(s.c.username == username))).scalar()
    if staff_id is None:
        raise DomainError(CommonErrorCode.NOT_FOUND, field="username", what=username)
    removed = await session.execute(delete(d).where(d.c.client_id == client_id, d.c.staff_id == staff_id))
    return bool(removed.rowcount)  # type: ignore[attr-defined]


async def developers_of(session: AsyncSession, client_id: str) -> list[str]:
    """The usernames linked to an app, alphabetically."""
    s, d = t.staff, t.client_developers
    query = select(s.c.username).join(d, d.c.staff_id == s.c.id).where(d.c.client_id == client_id)
    return sorted(await session.scalars(query))


async def is_developer_of(session: AsyncSession, staff_id: str, client_id: str) -> bool:
    """Whether the staff member is linked to the app."""
    d = t.client_developers
    found = await execute(session, select(d.c.staff_id).where(d.c.client_id == client_id, d.c.staff_id == staff_id))
    return found.first() is not None


async def may_read_usage(session: AsyncSession, principal: Principal | None, client_id: str) -> bool:
    """Whether the caller may read the app's usage: an admin, or a developer linked to the app."""
    return await may_act_for(session, principal, client_id)


async def may_act_for(session: AsyncSession, principal: Principal | None, client_id: str) -> bool:
    """Whether the caller may act as the app's developer (read its usage, manage its webhooks): an admin,
    or a developer linked to the app."""
    if principal is None or principal.subject_type is not SubjectType.STAFF:
        return False
    if principal.has_role(Role.ADMIN):
        return True
    return principal.has_role(Role.DEVELOPER) and await is_developer_of(session, principal.subject_id, client_id)
