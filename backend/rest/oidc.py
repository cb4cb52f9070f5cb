"""The OpenID Connect provider's HTTP side: discovery, JWKS, authorize (+ sign-in and consent pages),
token, userinfo and revocation. The protocol logic lives in backend.identity; this is transport.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import time
from typing import Annotated, Any
from urllib.parse import unquote, urlencode, urlsplit

import msgspec
from litestar import Request, get, post
from litestar.enums import RequestEncodingType
from litestar.params import Body
from litestar.response import Redirect, Response

from backend.db.engine import unit_of_work
from backend.errors import MESSAGES, CommonErrorCode, DomainError
from backend.i18n import Locale, negotiate
from backend.identity import audit, clients, oidc, sso
from backend.identity.audit import AuditAction
from backend.identity.models import ALL_SCOPES, Client, RequestMeta, Scope, SubjectType
from backend.identity.numbers import mask_phone
from backend.identity.secrets import derive
from backend.identity.service import IdentityService
from backend.resources import Resources
from backend.rest.common import bearer_principal
from backend.rest.pages import Pages

SSO_COOKIE = "ow_sso"
Form = Annotated[dict[str, str], Body(media_type=RequestEncodingType.URL_ENCODED)]
JSON = "application/json"


def _resources(request: Request[Any, Any, Any]) -> Resources:
    resources: Resources = request.app.state.resources
    return resources


def _meta(request: Request[Any, Any, Any]) -> RequestMeta:
    return RequestMeta(ip=request.client.host if request.client else None, user_agent=request.headers.get("user-agent"))


def _locale(request: Request[Any, Any, Any], ui_locales: str | None = None) -> Locale:
    return negotiate(ui_locales.replace(" ", ",") if ui_locales else request.headers.get("accept-language"))


def _sign(key: bytes, payload: dict[str, Any]) -> str:
    body = base64.urlsafe_b64encode(msgspec.json.encode(payload)).decode().rstrip("=")
    mac = base64.urlsafe_b64encode(hmac.new(key, body.encode(), hashlib.sha256).digest()).decode().rstrip("=")
    return f"{body}.{mac}"


def _unsign(key: bytes, token: str | None) -> dict[str, Any] | None:
    if not token or "." not in token:
        return None
    body, mac = token.rsplit(".", 1)
    expected = base64.urlsafe_b64encode(hmac.new(key, body.encode(), hashlib.sha256).digest()).decode().rstrip("=")
    if not hmac.compare_digest(mac.encode("utf-8", "replace"), expected.encode()):
        return None
    try:
        payload: dict[str, Any] = msgspec.json.decode(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    except (binascii.Error, msgspec.DecodeError, ValueError):
        return None
    if payload.get("exp", 0) < time.time():
        return None
    return payload


def _cookie_key(resources: Resources) -> bytes:
    return derive(resources.identity.master_secret, "sso-cookie")


def _html(
    pages: Pages, template: str, locale: Locale, status: int = 200, params: dict[str, Any] | None = None, **context: Any
) -> Response[str]:
    return Response(
        pages.render(template, locale, params, **context),
        status_code=status,
        media_type="text/html; charset=utf-8",
        headers={
            "cache-control": "no-store",
            "x-frame-options": "DENY",
            # No form-action: browsers apply it to the redirects after a POST, which go to the relying party.
            "content-security-policy": "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
        },
    )


def _oauth_error(error: str, description: str, status: int = 400) -> Response[bytes]:
    return Response(
        msgspec.json.encode({"error": error, "error_description": description}),
        status_code=status,
        media_type=JSON,
        headers={"cache-control": "no-store"}
        | ({"www-authenticate": 'Basic realm="onewindow"'} if status == 401 else {}),
    )


# --- discovery ----------------------------------------------------------------------------------
@get("/.well-known/openid-configuration", include_in_schema=False)
async def discovery(request: Request[Any, Any, Any]) -> Response[bytes]:
    """OpenID Provider metadata."""
    issuer = _resources(request).settings.resolved_issuer
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
    resources = _resources(request)
    if resources.identity.ring.stale():
        async with resources.sessions() as db:
            await IdentityService(db, resources.identity).reload_keys()
    return Response(
        msgspec.json.encode(resources.identity.ring.jwks()),
        media_type=JSON,
        headers={"cache-control": "public, max-age=60"},
    )


# --- authorize ----------------------------------------------------------------------------------
class _AuthorizeError(Exception):
    def __init__(self, error: str, description: str) -> None:
        super().__init__(description)
        self.error = error
        self.description = description


async def _validated(resources: Resources, params: dict[str, str]) -> tuple[Client, list[str]]:
    """The client and requested scopes; raises _AuthorizeError (redirectable) or DomainError (not)."""
    async with resources.sessions() as db:
        client = await clients.get_client(db, params.get("client_id", ""))
    redirect_uri = params.get("redirect_uri", "")
    if client is None or redirect_uri not in client.redirect_uris:
        raise DomainError(CommonErrorCode.NOT_FOUND, what="client")  # never redirect to an unverified URI
    if params.get("response_type") != "code":
        raise _AuthorizeError("unsupported_response_type", "only response_type=code is supported")
    if params.get("code_challenge_method") != "S256" or len(params.get("code_challenge", "")) < 43:
        raise _AuthorizeError("invalid_request", "PKCE with code_challenge_method=S256 is required")
    if not params.get("state"):
        raise _AuthorizeError("invalid_request", "state is required")
    scopes = params.get("scope", "").split()
    if Scope.OPENID not in scopes:
        raise _AuthorizeError("invalid_scope", "the openid scope is required")
    if any(s not in client.scopes for s in scopes):
        raise _AuthorizeError("invalid_scope", "a requested scope is not allowed for this client")
    return client, sorted(set(scopes))


def _redirect_with(redirect_uri: str, params: dict[str, str]) -> Redirect:
    separator = "&" if urlsplit(redirect_uri).query else "?"
    return Redirect(redirect_uri + separator + urlencode(params), status_code=302)


def _pages(request: Request[Any, Any, Any]) -> Pages:
    pages: Pages = request.app.state.pages
    return pages


@get("/oauth/authorize", include_in_schema=False)
async def authorize(request: Request[Any, Any, Any]) -> Response[Any]:
    """Authorization code flow: sign in if needed, ask consent if needed, redirect with a code."""
    resources = _resources(request)
    params = {k: v for k, v in request.query_params.items() if isinstance(v, str)}
    locale = _locale(request, params.get("ui_locales"))
    pages = _pages(request)
    try:
        client, scopes = await _validated(resources, params)
    except DomainError:
        return _html(pages, "error.html", locale, 400, message=pages.texts(locale)["error_unknown_client"])
    except _AuthorizeError as error:
        return _redirect_with(
            params["redirect_uri"],
            {"error": error.error, "error_description": error.description, "state": params.get("state", "")},
        )
    cookie_key = _cookie_key(resources)
    browser = await _browser_session(resources, request)
    prompt = params.get("prompt", "")
    if browser is None or prompt == "login":
        if prompt == "none":
            return _redirect_with(params["redirect_uri"], {"error": "login_required", "state": params["state"]})
        # Continue without the prompt: after signing in, the citizen must not be asked again.
        continue_url = "/oauth/authorize?" + urlencode({k: v for k, v in params.items() if k != "prompt"})
        return _html(pages, "login.html", locale, continue_url=continue_url, code_sent=False, phone="", error=None)
    async with resources.sessions() as db:
        allowed = await oidc.consented_scopes(db, browser["cid"], client.client_id)
        citizen = await IdentityService(db, resources.identity).citizen(browser["cid"])
    if set(scopes) <= allowed and prompt != "consent":
        return await _issue_code(resources, client.client_id, browser, params, scopes)
    if prompt == "none":
        return _redirect_with(params["redirect_uri"], {"error": "consent_required", "state": params["state"]})
    pending = {"typ": "consent", "p": params, "s": scopes, "cid": browser["cid"], "exp": time.time() + 600}
    request_token = _sign(cookie_key, pending)
    who = citizen.name or pages.texts(locale)["unverified"]
    return _html(
        pages,
        "consent.html",
        locale,
        params={"client": client.name, "who": who},
        scope_texts=[resources.messages.gettext(locale, oidc.SCOPE_DESCRIPTIONS[s]) for s in scopes],
        request_token=request_token,
    )


async def _issue_code(
    resources: Resources, client_id: str, browser: dict[str, Any], params: dict[str, str], scopes: list[str]
) -> Redirect:
    grant = oidc.AuthorizationCode(
        client_id=client_id,
        citizen_id=browser["cid"],
        redirect_uri=params["redirect_uri"],
        scopes=scopes,
        code_challenge=params["code_challenge"],
        nonce=params.get("nonce"),
        auth_time=int(browser["at"]),
    )
    code = await oidc.issue_code(resources.redis, grant)
    return _redirect_with(params["redirect_uri"], {"code": code, "state": params["state"]})


@post("/oauth/consent", include_in_schema=False, status_code=302)
async def consent(request: Request[Any, Any, Any], data: Form) -> Response[Any]:
    """The citizen allows or denies what the consent page listed."""
    refused = _refuse_cross_site(request)
    if refused is not None:
        return refused
    resources = _resources(request)
    cookie_key = _cookie_key(resources)
    browser = await _browser_session(resources, request)
    pending = _unsign(cookie_key, data.get("request"))
    locale = _locale(request)
    if browser is None or pending is None or pending.get("typ") != "consent" or pending["cid"] != browser["cid"]:
        return _html(
            _pages(request),
            "error.html",
            locale,
            400,
            message=resources.messages.gettext(locale, MESSAGES[CommonErrorCode.UNAUTHENTICATED]),
        )
    params: dict[str, str] = pending["p"]
    if data.get("decision") != "allow":
        return _redirect_with(params["redirect_uri"], {"error": "access_denied", "state": params["state"]})
    async with resources.sessions() as db, unit_of_work(db):
        await oidc.grant_consent(db, browser["cid"], params["client_id"], pending["s"])
        await audit.record(
            db,
            AuditAction.CONSENT_GRANTED,
            actor_type="citizen",
            actor_id=browser["cid"],
            client_id=params["client_id"],
            meta=_meta(request),
            scopes=pending["s"],
        )
    return await _issue_code(resources, params["client_id"], browser, params, pending["s"])


async def _browser_session(resources: Resources, request: Request[Any, Any, Any]) -> dict[str, Any] | None:
    """The signed-in browser's session, if its cookie is genuine and the session was not ended."""
    payload = _unsign(_cookie_key(resources), request.cookies.get(SSO_COOKIE))
    if payload is None or payload.get("typ") != "sso":
        return None
    if not await sso.is_live(resources.redis, str(payload.get("sid", "")), str(payload.get("cid", ""))):
        return None
    return payload


def _cross_site(request: Request[Any, Any, Any]) -> bool:
    """A form post from another site (login CSRF): browsers say so in Sec-Fetch-Site or Origin."""
    site = request.headers.get("sec-fetch-site")
    if site is not None and site not in ("same-origin", "none"):
        return True
    origin = request.headers.get("origin")
    if origin is None:
        return False  # older browsers send neither header on same-site posts
    if origin == "null":
        return True
    issuer = urlsplit(_resources(request).settings.resolved_issuer)
    return origin.rstrip("/") != f"{issuer.scheme}://{issuer.netloc}"


def _refuse_cross_site(request: Request[Any, Any, Any]) -> Response[str] | None:
    if not _cross_site(request):
        return None
    resources = _resources(request)
    locale = _locale(request)
    message = resources.messages.gettext(locale, MESSAGES[CommonErrorCode.FORBIDDEN])
    return _html(_pages(request), "error.html", locale, 403, message=message)


def _login_page(
    request: Request[Any, Any, Any],
    resources: Resources,
    locale: Locale,
    phone: str,
    continue_url: str,
    *,
    code_sent: bool,
    error: DomainError | None = None,
) -> Response[str]:
    """The sign-in page at its phone step or its code step, with the error of the last try if any."""
    message = resources.messages.gettext(locale, MESSAGES[error.code], **error.params) if error else None
    return _html(
        _pages(request),
        "login.html",
        locale,
        400 if error else 200,
        params={"phone": mask_phone(phone.strip())},
        continue_url=continue_url,
        code_sent=code_sent,
        phone=phone,
        error=message,
    )


def _sign_in_form(request: Request[Any, Any, Any], data: dict[str, str]) -> tuple[Resources, Locale, str, str]:
    """What both sign-in steps read: resources, locale, the phone typed, and where to continue."""
    continue_url = data.get("continue", "")
    # Only back into our own authorize endpoint: never an open redirect.
    if not continue_url.startswith("/oauth/authorize?"):
        continue_url = "/oauth/authorize"
    return _resources(request), _locale(request), data.get("phone", ""), continue_url


@post("/oauth/login/code", include_in_schema=False, status_code=200)
async def login_code(request: Request[Any, Any, Any], data: Form) -> Response[str]:
    """Send a sign-in code, then show the code form."""
    refused = _refuse_cross_site(request)
    if refused is not None:
        return refused
    resources, locale, phone, continue_url = _sign_in_form(request, data)
    try:
        async with resources.sessions() as db, unit_of_work(db):
            await IdentityService(db, resources.identity).request_login_code(phone, _meta(request), locale)
    except DomainError as error:
        return _login_page(request, resources, locale, phone, continue_url, code_sent=False, error=error)
    return _login_page(request, resources, locale, phone, continue_url, code_sent=True)


@post("/oauth/login", include_in_schema=False, status_code=302)
async def login(request: Request[Any, Any, Any], data: Form) -> Response[Any]:
    """Check the code, set the single-sign-on cookie, continue the authorization."""
    refused = _refuse_cross_site(request)
    if refused is not None:
        return refused
    resources, locale, phone, continue_url = _sign_in_form(request, data)
    try:
        async with resources.sessions() as db, unit_of_work(db):
            citizen_id = await IdentityService(db, resources.identity).browser_login(
                phone, data.get("code", ""), _meta(request)
            )
    except DomainError as error:
        return _login_page(request, resources, locale, phone, continue_url, code_sent=True, error=error)
    cookie_key = _cookie_key(resources)
    now = time.time()
    sso_id = await sso.start(resources.redis, citizen_id)
    value = _sign(
        cookie_key, {"typ": "sso", "sid": sso_id, "cid": citizen_id, "at": int(now), "exp": now + sso.SSO_SECONDS}
    )
    secure = resources.settings.resolved_issuer.startswith("https://")
    response = Redirect(continue_url, status_code=302)
    response.set_cookie(
        SSO_COOKIE, value, max_age=sso.SSO_SECONDS, path="/oauth", httponly=True, secure=secure, samesite="lax"
    )
    return response


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
    resources = _resources(request)
    client_id, secret = _client_credentials(request, data)
    async with resources.sessions() as db:
        client = await clients.authenticate_client(db, client_id, secret)
    if client is None or client.first_party:
        return _oauth_error("invalid_client", "client authentication failed", 401)
    grant_type = data.get("grant_type")
    if grant_type == "authorization_code":
        return await _code_grant(request, resources, client, data)
    if grant_type == "refresh_token":
        return await _refresh_grant(request, resources, client, data)
    return _oauth_error("unsupported_grant_type", "use authorization_code or refresh_token")


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
        return _oauth_error("invalid_grant", "the code is invalid, expired, used, or does not match")
    if (
        grant.client_id != client.client_id
        or grant.redirect_uri != data.get("redirect_uri")
        or not oidc.pkce_matches(data.get("code_verifier", ""), grant.code_challenge)
    ):
        return _oauth_error("invalid_grant", "the code is invalid, expired, used, or does not match")
    async with resources.sessions() as db:
        still_allowed = await oidc.consented_scopes(db, grant.citizen_id, client.client_id)
    # Consent withdrawn, or the client's scopes narrowed, since the code was issued: no tokens.
    if not set(grant.scopes) <= still_allowed or not set(grant.scopes) <= set(client.scopes):
        return _oauth_error("invalid_grant", "the consent behind this code no longer holds")
    deps = resources.identity
    async with resources.sessions() as db, unit_of_work(db):
        service = IdentityService(db, deps)
        pair = await service.open_client_session(grant.citizen_id, client.client_id, grant.scopes, _meta(request))
        citizen = await service.citizen(grant.citizen_id)
    if not await oidc.redeemed(resources.redis, code, pair.session_id):
        # Replayed while this redemption was under way: the tokens never leave.
        await _revoke_redeemed(request, resources, pair.session_id)
        return _oauth_error("invalid_grant", "the code is invalid, expired, used, or does not match")
    subject = service.subject_for(client.client_id, grant.citizen_id)
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
        await IdentityService(db, resources.identity).revoke_replayed_code_session(session_id, _meta(request))


async def _refresh_grant(
    request: Request[Any, Any, Any], resources: Resources, client: Client, data: dict[str, str]
) -> Response[bytes]:
    deps = resources.identity
    try:
        async with resources.sessions() as db, unit_of_work(db):
            pair = await IdentityService(db, deps).refresh(
                data.get("refresh_token", ""), _meta(request), client_id=client.client_id
            )
    except DomainError:
        return _oauth_error("invalid_grant", "the refresh token is invalid, expired or was used before")
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
    resources = _resources(request)
    async with resources.sessions() as db:
        service = IdentityService(db, resources.identity)
        citizen = await service.citizen(principal.subject_id)
    claims: dict[str, object] = {"sub": service.subject_for(principal.client_id, citizen.id)}
    claims |= oidc.claims_for(citizen, set(principal.scopes))
    return Response(msgspec.json.encode(claims), media_type=JSON, headers={"cache-control": "no-store"})


@post("/oauth/revoke", include_in_schema=False, status_code=200)
async def revoke(request: Request[Any, Any, Any], data: Form) -> Response[bytes]:
    """RFC 7009: revoke a refresh or access token (its whole session). Unknown tokens are not an error."""
    resources = _resources(request)
    client_id, secret = _client_credentials(request, data)
    async with resources.sessions() as db:
        client = await clients.authenticate_client(db, client_id, secret)
    if client is None:
        return _oauth_error("invalid_client", "client authentication failed", 401)
    async with resources.sessions() as db, unit_of_work(db):
        await IdentityService(db, resources.identity).revoke_token(
            data.get("token", ""), client.client_id, _meta(request)
        )
    return Response(b"", media_type=JSON, headers={"cache-control": "no-store"})


ROUTES = [discovery, jwks, authorize, consent, login_code, login, token, userinfo, revoke]
