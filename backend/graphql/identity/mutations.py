"""Identity mutations: login by SMS code, token refresh, sessions, real-name, consents, clients."""

from __future__ import annotations

import strawberry
from strawberry.permission import PermissionExtension

from backend.graphql import permissions
from backend.graphql.context import Info
from backend.graphql.errors import run_mutation
from backend.graphql.identity.types import (
    Citizen,
    CreateClientInput,
    CreateClientPayload,
    LogoutEverywherePayload,
    OAuthClient,
    RequestLoginCodePayload,
    RevokeConsentPayload,
    RevokeSessionPayload,
    RotateClientSecretPayload,
    TokenPayload,
    VerifyRealNamePayload,
)
from backend.identity import audit, clients, oidc
from backend.identity.audit import AuditAction
from backend.identity.models import Role


@strawberry.type
class IdentityMutation:
    @strawberry.mutation(description="Send a 6-digit sign-in code by SMS (same answer for any valid phone).")
    async def request_login_code(self, info: Info, phone: str) -> RequestLoginCodePayload:
        ctx = info.context
        expires, errors = await run_mutation(info, lambda: ctx.identity.request_login_code(phone, ctx.meta, ctx.locale))
        return RequestLoginCodePayload(sent=not errors, expires_in=expires, errors=errors)

    @strawberry.mutation(description="Sign in with the SMS code; the first sign-in creates the account.")
    async def login(self, info: Info, phone: str, code: str) -> TokenPayload:
        ctx = info.context
        pair, errors = await run_mutation(info, lambda: ctx.identity.login(phone, code, ctx.meta))
        return TokenPayload.build(pair, errors)

    @strawberry.mutation(description="Sign in as staff with username and password.")
    async def staff_login(self, info: Info, username: str, password: str) -> TokenPayload:
        ctx = info.context
        pair, errors = await run_mutation(info, lambda: ctx.identity.staff_login(username, password, ctx.meta))
        return TokenPayload.build(pair, errors)

    @strawberry.mutation(description="New tokens for a refresh token; each refresh token works once.")
    async def refresh_token(self, info: Info, refresh_token: str) -> TokenPayload:
        ctx = info.context
        pair, errors = await run_mutation(info, lambda: ctx.identity.refresh(refresh_token, ctx.meta))
        return TokenPayload.build(pair, errors)

    @strawberry.mutation(
        description="Sign out one of your sessions (the platform's own app only).",
        extensions=[PermissionExtension([permissions.IsFirstParty()])],
    )
    async def revoke_session(self, info: Info, session_id: strawberry.ID) -> RevokeSessionPayload:
        principal = permissions.first_party(info)
        ctx = info.context
        _, errors = await run_mutation(info, lambda: ctx.identity.revoke_session(principal, str(session_id), ctx.meta))
        return RevokeSessionPayload(revoked=not errors, errors=errors)

    @strawberry.mutation(
        description="Sign out everywhere, this session included (the platform's own app only).",
        extensions=[PermissionExtension([permissions.IsFirstParty()])],
    )
    async def logout_everywhere(self, info: Info) -> LogoutEverywherePayload:
        principal = permissions.first_party(info)
        ctx = info.context
        count, errors = await run_mutation(info, lambda: ctx.identity.logout_everywhere(principal, ctx.meta))
        return LogoutEverywherePayload(revoked_count=count or 0, errors=errors)

    @strawberry.mutation(
        description="Verify your real name against the population registry and link your ID number.",
        extensions=[PermissionExtension([permissions.IsCitizen()])],
    )
    async def verify_real_name(self, info: Info, name: str, id_number: str) -> VerifyRealNamePayload:
        principal = permissions.citizen(info)
        permissions.first_party(info)
        ctx = info.context
        found, errors = await run_mutation(
            info, lambda: ctx.identity.verify_real_name(principal.subject_id, name, id_number, ctx.meta)
        )
        citizen = Citizen.build(found, info.context.disclosure, principal.subject_id) if found else None
        return VerifyRealNamePayload(citizen=citizen, errors=errors)

    @strawberry.mutation(
        description="Withdraw an app's access to your data; its sessions end at once.",
        extensions=[PermissionExtension([permissions.IsCitizen()])],
    )
    async def revoke_consent(self, info: Info, client_id: str) -> RevokeConsentPayload:
        principal = permissions.citizen(info)
        permissions.first_party(info)
        ctx = info.context

        async def work() -> None:
            sessions = await oidc.revoke_consent(ctx.session, principal.subject_id, client_id)
            await ctx.identity.revoke_sessions(sessions, "consent_revoked")
            await audit.record(ctx.session, AuditAction.CONSENT_REVOKED, actor_type="citizen",
                               actor_id=principal.subject_id, client_id=client_id, meta=ctx.meta)  # fmt: skip

        _, errors = await run_mutation(info, work)
        return RevokeConsentPayload(revoked=not errors, errors=errors)

    @strawberry.mutation(
        description="Register a mini-program or other OAuth client (platform admins).",
        extensions=[PermissionExtension([permissions.HasRole(Role.ADMIN)])],
    )
    async def create_oauth_client(self, info: Info, input: CreateClientInput) -> CreateClientPayload:
        principal = permissions.staff(info, Role.ADMIN)
        ctx = info.context

        async def work() -> tuple[OAuthClient, str | None]:
            client, secret = await clients.create_client(
                ctx.session, name=input.name, redirect_uris=input.redirect_uris, scopes=input.scopes,
                confidential=input.confidential,
            )  # fmt: skip
            await audit.record(ctx.session, AuditAction.CLIENT_CREATED, actor_type="staff",
                               actor_id=principal.subject_id, client_id=client.client_id, meta=ctx.meta)  # fmt: skip
            return OAuthClient.build(client), secret

        result, errors = await run_mutation(info, work)
        return CreateClientPayload(client=result[0] if result else None, client_secret=result[1] if result else None,
                                   errors=errors)  # fmt: skip

    @strawberry.mutation(
        description="Give a confidential client a new secret (platform admins).",
        extensions=[PermissionExtension([permissions.HasRole(Role.ADMIN)])],
    )
    async def rotate_oauth_client_secret(self, info: Info, client_id: str) -> RotateClientSecretPayload:
        principal = permissions.staff(info, Role.ADMIN)
        ctx = info.context

        async def work() -> str:
            secret = await clients.rotate_secret(ctx.session, client_id)
            await audit.record(ctx.session, AuditAction.CLIENT_SECRET_ROTATED, actor_type="staff",
                               actor_id=principal.subject_id, client_id=client_id, meta=ctx.meta)  # fmt: skip
            return secret

        secret, errors = await run_mutation(info, work)
        return RotateClientSecretPayload(client_secret=secret, errors=errors)
