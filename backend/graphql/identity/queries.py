"""Identity queries: the caller's own record, sessions and consents; clients for admins."""

from __future__ import annotations

import strawberry

from backend.graphql import permissions
from backend.graphql.context import Info
from backend.graphql.identity.types import Citizen, Consent, OAuthClient, Session, StaffMember, StaffRole
from backend.identity import clients, oidc
from backend.identity.models import Role, Scope


@strawberry.type
class IdentityQuery:
    @permissions.field(
        "The signed-in citizen (third-party tokens need the profile scope).",
        permission=permissions.IsCitizen(Scope.PROFILE),
    )
    async def me(self, info: Info) -> Citizen:
        principal = permissions.caller(info)
        identity = info.context.identity
        subject = identity.access.subject_for(principal.client_id, principal.subject_id)
        return Citizen.build(await identity.people.citizen(principal.subject_id), info.context.disclosure, subject)

    @permissions.field("The signed-in staff member and their roles.", permission=permissions.HasRole(*Role))
    async def staff_me(self, info: Info) -> StaffMember:
        principal = permissions.caller(info)
        member = await info.context.identity.people.staff_member(principal.subject_id)
        return StaffMember(
            id=strawberry.ID(member.id),
            username=member.username,
            name=member.name,
            roles=[StaffRole(role=r.role.value, department_code=r.department_code or None) for r in member.roles],
        )

    @permissions.field(
        "Where the caller is signed in, most recently used first (the platform's own app only).",
        permission=permissions.IsFirstParty(),
    )
    async def my_sessions(self, info: Info) -> list[Session]:
        principal = permissions.caller(info)
        return [
            Session.build(s, principal.session_id) for s in await info.context.identity.sessions.sessions_of(principal)
        ]

    @permissions.field(
        "Apps the citizen allowed to use their data (the platform's own app only).",
        permission=permissions.IsCitizen(first_party=True),
    )
    async def my_consents(self, info: Info) -> list[Consent]:
        principal = permissions.caller(info)
        ctx = info.context
        found = await oidc.consents_of(ctx.session, principal.subject_id)
        return [Consent.build(c, ctx.resources.messages, ctx.locale) for c in found]

    @permissions.field("Registered OAuth clients (platform admins).", permission=permissions.HasRole(Role.ADMIN))
    async def oauth_clients(self, info: Info) -> list[OAuthClient]:
        return [OAuthClient.build(c) for c in await clients.list_clients(info.context.session)]
