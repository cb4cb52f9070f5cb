"""Who an officer may act for."""

from __future__ import annotations

from backend.applications.officers import Officer
from backend.graphql import permissions
from backend.graphql.context import Info
from backend.identity.models import Role

OFFICERS = permissions.HasRole(Role.OFFICER, Role.ADMIN)


async def officer_of(info: Info) -> Officer:
    """The staff caller (admitted by `OFFICERS`) as an Officer: their departments, or every
    department for an admin."""
    principal = permissions.caller(info)
    member = await info.context.identity.people.staff_member(principal.subject_id)
    if principal.has_role(Role.ADMIN):
        return Officer(id=member.id, name=member.name, departments=None)
    departments = frozenset(g.department_code for g in principal.roles if g.role is Role.OFFICER and g.department_code)
    return Officer(id=member.id, name=member.name, departments=departments)
