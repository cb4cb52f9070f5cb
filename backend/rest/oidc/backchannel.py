"""The OpenID provider's machine-to-machine side: discovery, JWKS, the token endpoint (code and
refresh grants), userinfo and revocation."""

from __future__ import annotations

import base64
import binascii
from typing import Any
from urllib.parse import unquote

import msgspec
from litestar import Request, get, post
from litestar.response import Response

from backend.db.engine import unit_of_work
from backend.errors import DomainError
from backend.identity import clients, oidc
from backend.identity.models import ALL_SCOPES, Client, Scope, SubjectType
from backend.identity.service import IdentityService
from backend.platform import citizen_access
from backend.resources import Resources
from backend.rest.common import bearer_principal, resources_of
from backend.rest.oidc.common import JSON, Form, oauth_error, request_meta


# --- discovery ----------------------------------------------------------------------------------
@get("/.well-known/openid-configuration", include_in_schema=False)
async def discovery(request: Request[Any, Any, Any]) -> Response[bytes]:
    """OpenID Provider metadata."""
    issuer = resources_of(request).settings.resolved_issuer
    body = {
        "issuer": issuer,
        "authorization_endpoint": f"{issuer}/oauth/authorize",
        "token_endpoint": f"{issuer}/oauth/token",
        "userinfo_endpoint": f"{issuer}/oauth/userinfo",
        "revocation_endpoint": f"{issuer}/oauth/revoke",
        "jwks_uri": f"{issuer}/.well-known/jwks.json",
        "response_types_supported": ["code"],
        "grant_types_supported": ["authorization_code", "refresh_token"],
        "subject_types_supported": ["pairwise"],
        "id_token_signing_alg_values_supported": ["ES256"],
        "code_challenge_methods_supported": ["S256"],
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post", "none"],
        "scopes_supported": list(ALL_SCOPES),
        "claims_supported": ["sub", "name", "identity_verified", "phone_number", "phone_number_verified", "id_number"],
        "ui_locales_supported": ["zh-Hans", "zh-Hant", "en"],
    }
    return Response(msgspec.json.encode(body), media_type=JSON, headers={"cache-control": "public, max-age=300"})


@get("/.well-known/jwks.json", include_in_schema=False)
async def jwks(request: Request[Any, Any, Any]) -> Response[bytes]:
    """The public keys that verify our tokens (old ones stay until their tokens have expired)."""
    resources = resources_of(request)
    if resources.identity.ring.stale():
        async with resources.sessions() as db:
            await IdentityService(db, resources.identity).access.reload_keys()
    return Response(
        msgspec.json.encode(resources.identity.ring.jwks()),
        media_type=JSON,
        headers={"cache-control": "public, max-age=60"},
    )


# --- token, userinfo, revoke --------------------------------------------------------------------
def _client_credentials(request: Request[Any, Any, Any], data: dict[str, str]) -> tuple[str, str | None]:
    header = request.headers.get("authorization", "")
    if header.lower().startswith("basic "):
        try:
            decoded = base64.b64decode(header[6:]).decode()
        except (binascii.Error, UnicodeDecodeError):
            return "", None
        client_id, _, secret = decoded.partition(":")
        return unquote(client_id), unquote(secret)
    return data.get("client_id", ""), data.get("client_secret")


@post("/oauth/token", include_in_schema=False, status_code=200)
async def token(request: Request[Any, Any, Any], data: Form) -> Response[bytes]:
    """authorization_code (with PKCE) and refresh_token grants (RFC 6749, 7636)."""
    resources = resources_of(request)
    client_id, secret = _client_credentials(request, data)
    async with resources.sessions() as db:
        client = await clients.authenticate_client(db, client_id, secret)
    if client is None or client.first_party:
        return oauth_error("invalid_client", "client authentication failed", 401)
    grant_type = data.get("grant_type")
    if grant_type == "authorization_code":
        return await _code_grant(request, resources, client, data)
    if grant_type == "refresh_token":
        return await _refresh_grant(request, resources, client, data)
    return oauth_error("unsupported_grant_type", "use authorization_code or refresh_token")


def _token_response(body: dict[str, Any]) -> Response[bytes]:
    return Response(
        msgspec.json.encode(body), media_type=JSON, headers={"cache-control": "no-store", "pragma": "no-cache"}
    )


async def _code_grant(
    request: Request[Any, Any, Any], resources: Resources, client: Client, data: dict[str, str]
) -> Response[bytes]:
    code = data.get("code", "")
    grant = await oidc.take_code(resources.redis, code)
    if grant is None:
        await _code_replayed(request, resources, code)
        return oauth_error("invalid_grant", "the code is invalid, expired, used, or does not match")
    if (
        grant.client_id != client.client_id
        or grant.redirect_uri != data.get("redirect_uri")
        or not oidc.pkce_matches(data.get("code_verifier", ""), grant.code_challenge)
    ):
        return oauth_error("invalid_grant", "the code is invalid, expired, used, or does not match")
    async with resources.sessions() as db:
        still_allowed = await oidc.consented_scopes(db, grant.citizen_id, client.client_id)
    # Consent withdrawn, or the client's scopes narrowed, since the code was issued: no tokens.
    if not set(grant.scopes) <= still_allowed or not set(grant.scopes) <= set(client.scopes):
        return oauth_error("invalid_grant", "the consent behind this code no longer holds")
    deps = resources.identity
    async with resources.sessions() as db, unit_of_work(db):
        service = IdentityService(db, deps)
        pair = await service.logins.open_client_session(
            grant.citizen_id, client.client_id, grant.scopes, request_meta(request)
        )
        citizen = await service.people.citizen(grant.citizen_id)
    if not await oidc.redeemed(resources.redis, code, pair.session_id):
        # Replayed while this redemption was under way: the tokens never leave.
        await _revoke_redeemed(request, resources, pair.session_id)
        return oauth_error("invalid_grant", "the code is invalid, expired, used, or does not match")
    subject = service.access.subject_for(client.client_id, grant.citizen_id)
    claims = oidc.claims_for(citizen, set(grant.scopes))
    id_token = deps.tokens.id_token(
        subject=subject, client_id=client.client_id, nonce=grant.nonce, auth_time=grant.auth_time, extra=claims
    )
    return _token_response(
        {
            "access_token": pair.access_token,
            "token_type": "Bearer",
            "expires_in": pair.expires_in,
            "refresh_token": pair.refresh_token,
            "id_token": id_token,
            "scope": " ".join(grant.scopes),
        }
    )


async def _code_replayed(request: Request[Any, Any, Any], resources: Resources, code: str) -> None:
    """A code used before came back: whoever replays it may have stolen it, so end what it gave."""
    session_id = await oidc.replayed(resources.redis, code)
    if session_id is not None:
        await _revoke_redeemed(request, resources, session_id)


async def _revoke_redeemed(request: Request[Any, Any, Any], resources: Resources, session_id: str) -> None:
    async with resources.sessions() as db, unit_of_work(db):
        await IdentityService(db, resources.identity).sessions.revoke_replayed_code_session(
            session_id, request_meta(request)
        )


async def _refresh_grant(
    request: Request[Any, Any, Any], resources: Resources, client: Client, data: dict[str, str]
) -> Response[bytes]:
    deps = resources.identity
    try:
        async with resources.sessions() as db, unit_of_work(db):
            pair = await IdentityService(db, deps).sessions.refresh(
                data.get("refresh_token", ""), request_meta(request), client_id=client.client_id
            )
    except DomainError:
        return oauth_error("invalid_grant", "the refresh token is invalid, expired or was used before")
    return _token_response(
        {
            "access_token": pair.access_token,
            "token_type": "Bearer",
            "expires_in": pair.expires_in,
            "refresh_token": pair.refresh_token,
        }
    )


@get("/oauth/userinfo", include_in_schema=False)
async def userinfo(request: Request[Any, Any, Any]) -> Response[bytes]:
    """The claims the access token's scopes allow, for the relying party that holds it."""
    principal = await bearer_principal(request)
    if principal is None or principal.subject_type is not SubjectType.CITIZEN or Scope.OPENID not in principal.scopes:
        return Response(
            b'{"error":"invalid_token"}',
            status_code=401,
            media_type=JSON,
            headers={"www-authenticate": 'Bearer error="invalid_token"'},
        )
    resources = resources_of(request)
    async with resources.sessions() as db:
        service = IdentityService(db, resources.identity)
        citizen = await service.people.citizen(principal.subject_id)
    claims: dict[str, object] = {"sub": service.access.subject_for(principal.client_id, citizen.id)}
    claims |= oidc.claims_for(citizen, set(principal.scopes))
    # The citizen's record of what the app read: the scopes whose claims it was given.
    await citizen_access.record_reads(resources.sessions, principal, oidc.scopes_of_claims(claims))
    return Response(msgspec.json.encode(claims), media_type=JSON, headers={"cache-control": "no-store"})


@post("/oauth/revoke", include_in_schema=False, status_code=200)
async def revoke(request: Request[Any, Any, Any], data: Form) -> Response[bytes]:
    """RFC 7009: revoke a refresh or access token (its whole session). Unknown tokens are not an error."""
    resources = resources_of(request)
    client_id, secret = _client_credentials(request, data)
    async with resources.sessions() as db:
        client = await clients.authenticate_client(db, client_id, secret)
    if client is None:
        return oauth_error("invalid_client", "client authentication failed", 401)
    async with resources.sessions() as db, unit_of_work(db):
        await IdentityService(db, resources.identity).sessions.revoke_token(
            data.get("token", ""), client.client_id, request_meta(request)
        )
    return Response(b"", media_type=JSON, headers={"cache-control": "no-store"})
