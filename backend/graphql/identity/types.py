"""GraphQL types of identity: the citizen, sessions, consents, clients, token payloads."""

from __future__ import annotations

from datetime import datetime
from typing import TypeVar

import strawberry

from backend.graphql.errors import PayloadError
from backend.i18n import Catalogs, Locale
from backend.identity import models as m
from backend.identity.numbers import e164_phone
from backend.identity.oidc import SCOPE_DESCRIPTIONS
from backend.privacy import Disclosure, Personal

TokenPayloadT = TypeVar("TokenPayloadT", bound="TokenPayload")


@strawberry.type(description="The signed-in citizen's own record.")
class Citizen:
    id: strawberry.ID = strawberry.field(description="Stable per app: mini-programs get their own pairwise id.")
    phone: str | None = strawberry.field(
        description="E.164 (+8613800138000), the same string as userinfo's phone_number; null for a mini-program "
        "without the phone scope."
    )
    id_number: str | None = strawberry.field(
        description="Set once real-name verification succeeded; null for a mini-program without the id_number scope."
    )
    name: str | None
    identity_verified: bool
    created_at: datetime

    @staticmethod
    def build(model: m.Citizen, disclosure: Disclosure, subject: str) -> Citizen:
        """As the caller may see it: the owner's own app sees everything; a mini-program sees its
        pairwise id and only the numbers its scopes allow (a null phone or ID number otherwise)."""
        return Citizen(
            id=strawberry.ID(subject),
            phone=e164_phone(model.phone) if disclosure.sees(Personal.PHONE) else None,
            id_number=model.id_number if disclosure.sees(Personal.ID_NUMBER) else None,
            name=model.name,
            identity_verified=model.verified_at is not None,
            created_at=model.created_at,
        )


@strawberry.type(description="A place where the caller is signed in (a device or an authorized app).")
class Session:
    id: strawberry.ID
    client_id: str
    client_name: str
    created_at: datetime
    last_used_at: datetime
    expires_at: datetime
    ip: str | None
    user_agent: str | None
    current: bool = strawberry.field(description="True for the session this request uses.")

    @staticmethod
    def build(model: m.SessionInfo, current_id: str) -> Session:
        """From the domain model."""
        return Session(
            id=strawberry.ID(model.id),
            client_id=model.client_id,
            client_name=model.client_name,
            created_at=model.created_at,
            last_used_at=model.last_used_at,
            expires_at=model.expires_at,
            ip=model.ip,
            user_agent=model.user_agent,
            current=model.id == current_id,
        )


@strawberry.type(description="One permission granted to an app, in plain words.")
class ScopeGrant:
    scope: str
    description: str


@strawberry.type(description="An app the citizen allowed to use some of their data.")
class Consent:
    client_id: str
    client_name: str
    granted_at: datetime
    scopes: list[ScopeGrant]

    @staticmethod
    def build(model: m.Consent, messages: Catalogs, locale: Locale) -> Consent:
        """With each scope described in `locale`."""
        return Consent(
            client_id=model.client_id,
            client_name=model.client_name,
            granted_at=model.granted_at,
            scopes=[
                ScopeGrant(scope=s, description=messages.gettext(locale, SCOPE_DESCRIPTIONS.get(s, s)))
                for s in model.scopes
            ],
        )


@strawberry.type(description="A registered OAuth client (a mini-program, the assistant, ...).")
class OAuthClient:
    client_id: str
    name: str
    confidential: bool
    first_party: bool
    redirect_uris: list[str]
    scopes: list[str]
    created_at: datetime
    secret_rotated_at: datetime | None
    sandbox: bool = strawberry.field(
        description="Signs in only the sandbox personas (`onewindow personas`), with the code 000000."
    )

    @staticmethod
    def build(model: m.Client) -> OAuthClient:
        """From the domain model."""
        return OAuthClient(
            client_id=model.client_id,
            name=model.name,
            confidential=model.confidential,
            first_party=model.first_party,
            redirect_uris=model.redirect_uris,
            scopes=model.scopes,
            created_at=model.created_at,
            secret_rotated_at=model.secret_rotated_at,
            sandbox=model.sandbox,
        )


@strawberry.type(description="A staff member's role, bound to a department for officers.")
class StaffRole:
    role: str
    department_code: str | None


@strawberry.type(description="The signed-in staff member.")
class StaffMember:
    id: strawberry.ID
    username: str
    name: str
    roles: list[StaffRole]


@strawberry.type(description="Tokens after a sign-in or a refresh; null fields when `errors` says why not.")
class TokenPayload:
    access_token: str | None
    refresh_token: str | None
    expires_in: int | None = strawberry.field(description="Seconds the access token stays valid.")
    token_type: str | None
    errors: list[PayloadError]


# Each mutation answers with a payload type of its own (the fields are TokenPayload's, which the schema
# does not list on its own).
@strawberry.type
class LoginPayload(TokenPayload):
    pass


@strawberry.type
class StaffLoginPayload(TokenPayload):
    pass


@strawberry.type
class RefreshTokenPayload(TokenPayload):
    pass


def tokens(payload: type[TokenPayloadT], pair: m.TokenPair | None, errors: list[PayloadError]) -> TokenPayloadT:
    """A token payload from a token pair, or from errors."""
    if pair is None:
        return payload(access_token=None, refresh_token=None, expires_in=None, token_type=None, errors=errors)
    return payload(
        access_token=pair.access_token,
        refresh_token=pair.refresh_token,
        expires_in=pair.expires_in,
        token_type="Bearer",
        errors=[],
    )


@strawberry.type
class RequestLoginCodePayload:
    sent: bool
    expires_in: int | None = strawberry.field(description="Seconds the code stays valid.")
    retry_after: int | None = strawberry.field(
        description="Seconds before another code can be asked for: the cooldown once a code is sent, the wait "
        "when refused (RATE_LIMITED); a refused request counts toward no limit. Null for other refusals."
    )
    errors: list[PayloadError]


@strawberry.type
class RevokeSessionPayload:
    revoked: bool
    errors: list[PayloadError]


@strawberry.type
class LogoutEverywherePayload:
    revoked_count: int
    errors: list[PayloadError]


@strawberry.type
class VerifyRealNamePayload:
    citizen: Citizen | None
    errors: list[PayloadError]


@strawberry.type
class RevokeConsentPayload:
    revoked: bool
    errors: list[PayloadError]


@strawberry.type
class CreateClientPayload:
    client: OAuthClient | None
    client_secret: str | None = strawberry.field(description="Shown once: store it now.")
    errors: list[PayloadError]


@strawberry.type
class RotateClientSecretPayload:
    client_secret: str | None = strawberry.field(description="Shown once; the old secret stops working.")
    errors: list[PayloadError]


@strawberry.input
class CreateClientInput:
    name: str
    redirect_uris: list[str]
    scopes: list[str]
    confidential: bool = True
    sandbox: bool = strawberry.field(
        default=False, description="A sandbox app: it signs in only the sandbox personas, with the code 000000."
    )
