"""Identity mutations: sign-in by SMS code, token refresh, sessions, real name, consents, clients."""

from __future__ import annotations

import strawberry

from backend.errors import CommonErrorCode, DomainError
from backend.graphql import permissions
from backend.graphql.context import Info
from backend.graphql.identity.types import (
    Citizen,
    CreateClientInput,
    CreateClientPayload,
    LoginPayload,
    LogoutEverywherePayload,
    OAuthClient,
    RefreshTokenPayload,
    RequestLoginCodePayload,
    RevokeConsentPayload,
    RevokeSessionPayload,
    RotateClientSecretPayload,
    StaffLoginPayload,
    VerifyRealNamePayload,
    tokens,
)
from backend.graphql.pipeline import caller, mutate, mutation
from backend.identity.models import Role


@strawberry.type
class IdentityMutation:
    @mutation("Send a 6-digit sign-in code by SMS (same answer for any valid phone).")
    async def request_login_code(self, info: Info, phone: str) -> RequestLoginCodePayload:
        ctx = info.context
        waits: list[int] = []

        async def wait_of(error: DomainError) -> None:
            if error.code is CommonErrorCode.RATE_LIMITED:
                waits.append(int(error.params["seconds"]))

        sent, errors = await mutate(
            info, lambda: ctx.identity.logins.request_login_code(phone, ctx.meta, ctx.locale), recover=wait_of
        )
        if sent is None:
            return RequestLoginCodePayload(
                sent=False, expires_in=None, retry_after=max(waits, default=None), errors=errors
            )
        return RequestLoginCodePayload(sent=True, expires_in=sent.expires_in, retry_after=sent.retry_after, errors=[])

    @mutation("Sign in with the SMS code; the first sign-in creates the account.")
    async def login(self, info: Info, phone: str, code: str) -> LoginPayload:
        ctx = info.context
        pair, errors = await mutate(info, lambda: ctx.identity.logins.login(phone, code, ctx.meta))
        return tokens(LoginPayload, pair, errors)

    @mutation("Sign in as staff with username and password.")
    async def staff_login(self, info: Info, username: str, password: str) -> StaffLoginPayload:
        ctx = info.context
        pair, errors = await mutate(info, lambda: ctx.identity.logins.staff_login(username, password, ctx.meta))
        return tokens(StaffLoginPayload, pair, errors)

    @mutation("New tokens for a refresh token; each refresh token works once.")
    async def refresh_token(self, info: Info, refresh_token: str) -> RefreshTokenPayload:
        ctx = info.context
        pair, errors = await mutate(info, lambda: ctx.identity.sessions.refresh(refresh_token, ctx.meta))
        return tokens(RefreshTokenPayload, pair, errors)

    @mutation("Sign out one of your sessions (the platform's own app only).", permission=permissions.IsFirstParty())
    async def revoke_session(self, info: Info, session_id: strawberry.ID) -> RevokeSessionPayload:
        ctx = info.context
        principal = caller(info)
        _, errors = await mutate(
            info, lambda: ctx.identity.sessions.revoke_session(principal, str(session_id), ctx.meta)
        )
        return RevokeSessionPayload(revoked=not errors, errors=errors)

    @mutation(
        "Sign out everywhere, this session included (the platform's own app only).",
        permission=permissions.IsFirstParty(),
    )
    async def logout_everywhere(self, info: Info) -> LogoutEverywherePayload:
        ctx = info.context
        principal = caller(info)
        count, errors = await mutate(info, lambda: ctx.identity.sessions.logout_everywhere(principal, ctx.meta))
        return LogoutEverywherePayload(revoked_count=count or 0, errors=errors)

    @mutation(
        "Verify your real name against the population registry and link your ID number.",
        permission=permissions.IsCitizen(first_party=True),
    )
    async def verify_real_name(self, info: Info, name: str, id_number: str) -> VerifyRealNamePayload:
        ctx = info.context
        citizen = caller(info).subject_id
        found, errors = await mutate(
            info, lambda: ctx.identity.people.verify_real_name(citizen, name, id_number, ctx.meta)
        )
        return VerifyRealNamePayload(
            citizen=Citizen.build(found, ctx.disclosure, citizen) if found else None, errors=errors
        )

    @mutation(
        "Withdraw an app's access to your data; its sessions end at once.",
        permission=permissions.IsCitizen(first_party=True),
    )
    async def revoke_consent(self, info: Info, client_id: str) -> RevokeConsentPayload:
        ctx = info.context
        citizen = caller(info).subject_id

        _, errors = await mutate(info, lambda: ctx.identity.sessions.withdraw_consent(citizen, client_id, ctx.meta))
        return RevokeConsentPayload(revoked=not errors, errors=errors)

    @mutation(
        "Register a mini-program or other OAuth client (platform admins).", permission=permissions.HasRole(Role.ADMIN)
    )
    async def create_oauth_client(self, info: Info, input: CreateClientInput) -> CreateClientPayload:
        ctx = info.context
        admin = caller(info).subject_id

        registered, errors = await mutate(
            info,
            lambda: ctx.identity.clients.register(
                admin,
                name=input.name,
                redirect_uris=input.redirect_uris,
                scopes=input.scopes,
                confidential=input.confidential,
                meta=ctx.meta,
                sandbox=input.sandbox,
            ),
        )
        client, secret = registered if registered else (None, None)
        return CreateClientPayload(
            client=OAuthClient.build(client) if client else None, client_secret=secret, errors=errors
        )

    @mutation("Give a confidential client a new secret (platform admins).", permission=permissions.HasRole(Role.ADMIN))
    async def rotate_oauth_client_secret(self, info: Info, client_id: str) -> RotateClientSecretPayload:
        ctx = info.context
        admin = caller(info).subject_id

        secret, errors = await mutate(info, lambda: ctx.identity.clients.rotate_secret(admin, client_id, ctx.meta))
        return RotateClientSecretPayload(client_secret=secret, errors=errors)
