"""The browser side of the OpenID provider: authorize, the sign-in pages (phone, then SMS code) and
the consent page. The protocol logic lives in backend.identity."""

from __future__ import annotations

import time
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from litestar import Request, get, post
from litestar.response import Redirect, Response

from backend.db.engine import unit_of_work
from backend.errors import MESSAGES, CommonErrorCode, DomainError
from backend.i18n import Locale
from backend.identity import audit, clients, oidc, sso
from backend.identity.audit import AuditAction
from backend.identity.models import Client, Scope
from backend.identity.numbers import mask_phone
from backend.identity.registry import SandboxPersona
from backend.identity.service import IdentityService
from backend.resources import Resources
from backend.rest.common import resources_of
from backend.rest.oidc.common import (
    SSO_COOKIE,
    Form,
    browser_session,
    cookie_key,
    html,
    page_locale,
    pages_of,
    redirect_with,
    refuse_cross_site,
    request_meta,
    sign,
    unsign,
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


@get("/oauth/authorize", include_in_schema=False)
async def authorize(request: Request[Any, Any, Any]) -> Response[Any]:
    """Authorization code flow: sign in if needed, ask consent if needed, redirect with a code."""
    resources = resources_of(request)
    params = {k: v for k, v in request.query_params.items() if isinstance(v, str)}
    locale = page_locale(request, params.get("ui_locales"))
    pages = pages_of(request)
    try:
        client, scopes = await _validated(resources, params)
    except DomainError:
        return html(pages, "error.html", locale, 400, message=pages.texts(locale)["error_unknown_client"])
    except _AuthorizeError as error:
        return redirect_with(
            params["redirect_uri"],
            {"error": error.error, "error_description": error.description, "state": params.get("state", "")},
        )
    key = cookie_key(resources)
    browser = await browser_session(resources, request)
    if browser is not None:
        async with resources.sessions() as db:
            # A persona's sign-in never reaches a live app, nor a resident's a sandbox app: sign in again.
            if not await IdentityService(db, resources.identity).logins.admits(browser["cid"], sandbox=client.sandbox):
                browser = None
    prompt = params.get("prompt", "")
    if browser is None or prompt == "login":
        if prompt == "none":
            return redirect_with(params["redirect_uri"], {"error": "login_required", "state": params["state"]})
        # Continue without the prompt: after signing in, the citizen must not be asked again.
        continue_url = "/oauth/authorize?" + urlencode({k: v for k, v in params.items() if k != "prompt"})
        personas = await _personas(resources, client.sandbox)
        return html(
            pages,
            "login.html",
            locale,
            continue_url=continue_url,
            code_sent=False,
            phone="",
            error=None,
            personas=personas,
        )
    async with resources.sessions() as db:
        allowed = await oidc.consented_scopes(db, browser["cid"], client.client_id)
        citizen = await IdentityService(db, resources.identity).people.citizen(browser["cid"])
    if set(scopes) <= allowed and prompt != "consent":
        return await _issue_code(resources, client.client_id, browser, params, scopes)
    if prompt == "none":
        return redirect_with(params["redirect_uri"], {"error": "consent_required", "state": params["state"]})
    pending = {"typ": "consent", "p": params, "s": scopes, "cid": browser["cid"], "exp": time.time() + 600}
    request_token = sign(key, pending)
    who = citizen.name or pages.texts(locale)["unverified"]
    return html(
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
    return redirect_with(params["redirect_uri"], {"code": code, "state": params["state"]})


@post("/oauth/consent", include_in_schema=False, status_code=302)
async def consent(request: Request[Any, Any, Any], data: Form) -> Response[Any]:
    """The citizen allows or denies what the consent page listed."""
    refused = refuse_cross_site(request)
    if refused is not None:
        return refused
    resources = resources_of(request)
    key = cookie_key(resources)
    browser = await browser_session(resources, request)
    pending = unsign(key, data.get("request"))
    locale = page_locale(request)
    if browser is None or pending is None or pending.get("typ") != "consent" or pending["cid"] != browser["cid"]:
        return html(
            pages_of(request),
            "error.html",
            locale,
            400,
            message=resources.messages.gettext(locale, MESSAGES[CommonErrorCode.UNAUTHENTICATED]),
        )
    params: dict[str, str] = pending["p"]
    if data.get("decision") != "allow":
        return redirect_with(params["redirect_uri"], {"error": "access_denied", "state": params["state"]})
    async with resources.sessions() as db, unit_of_work(db):
        await oidc.grant_consent(db, browser["cid"], params["client_id"], pending["s"])
        await audit.record(
            db,
            AuditAction.CONSENT_GRANTED,
            actor_type="citizen",
            actor_id=browser["cid"],
            client_id=params["client_id"],
            meta=request_meta(request),
            scopes=pending["s"],
        )
    return await _issue_code(resources, params["client_id"], browser, params, pending["s"])


def _login_page(
    request: Request[Any, Any, Any],
    resources: Resources,
    locale: Locale,
    phone: str,
    continue_url: str,
    *,
    code_sent: bool,
    personas: list[SandboxPersona] | None,
    error: DomainError | None = None,
) -> Response[str]:
    """The sign-in page at its phone step or its code step, with the error of the last try if any."""
    message = resources.messages.gettext(locale, MESSAGES[error.code], **error.params) if error else None
    return html(
        pages_of(request),
        "login.html",
        locale,
        400 if error else 200,
        params={"phone": mask_phone(phone.strip())},
        continue_url=continue_url,
        code_sent=code_sent,
        phone=phone,
        error=message,
        personas=personas,
    )


async def _personas(resources: Resources, sandbox: bool) -> list[SandboxPersona] | None:
    """For a sandbox app's sign-in, the personas its page lists (their phones are synthetic and
    documented, so shown whole); None for a live app."""
    if not sandbox:
        return None
    async with resources.sessions() as db:
        return await resources.identity.registry.personas(db)


async def _sign_in_form(
    request: Request[Any, Any, Any], data: dict[str, str]
) -> tuple[Resources, Locale, str, str, list[SandboxPersona] | None]:
    """What both sign-in steps read: resources, locale, the phone typed, where to continue, and the
    personas when the app signing in is a sandbox app (the authorization it continues names it; an
    address naming none is a live app's, and a sandbox app's is checked again when it continues)."""
    continue_url = data.get("continue", "")
    # Only back into our own authorize endpoint: never an open redirect.
    if not continue_url.startswith("/oauth/authorize?"):
        continue_url = "/oauth/authorize"
    resources = resources_of(request)
    client_id = parse_qs(urlsplit(continue_url).query).get("client_id", [""])[0]
    async with resources.sessions() as db:
        client = await clients.get_client(db, client_id)
    personas = await _personas(resources, client is not None and client.sandbox)
    return resources, page_locale(request), data.get("phone", ""), continue_url, personas


@post("/oauth/login/code", include_in_schema=False, status_code=200)
async def login_code(request: Request[Any, Any, Any], data: Form) -> Response[str]:
    """Send a sign-in code, then show the code form."""
    refused = refuse_cross_site(request)
    if refused is not None:
        return refused
    resources, locale, phone, continue_url, personas = await _sign_in_form(request, data)
    try:
        async with resources.sessions() as db, unit_of_work(db):
            await IdentityService(db, resources.identity).logins.request_login_code(
                phone, request_meta(request), locale, sandbox=personas is not None
            )
    except DomainError as error:
        return _login_page(
            request, resources, locale, phone, continue_url, code_sent=False, personas=personas, error=error
        )
    return _login_page(request, resources, locale, phone, continue_url, code_sent=True, personas=personas)


@post("/oauth/login", include_in_schema=False, status_code=302)
async def login(request: Request[Any, Any, Any], data: Form) -> Response[Any]:
    """Check the code, set the single-sign-on cookie, continue the authorization."""
    refused = refuse_cross_site(request)
    if refused is not None:
        return refused
    resources, locale, phone, continue_url, personas = await _sign_in_form(request, data)
    try:
        async with resources.sessions() as db, unit_of_work(db):
            citizen_id = await IdentityService(db, resources.identity).logins.browser_login(
                phone, data.get("code", ""), request_meta(request), sandbox=personas is not None
            )
    except DomainError as error:
        return _login_page(
            request, resources, locale, phone, continue_url, code_sent=True, personas=personas, error=error
        )
    key = cookie_key(resources)
    now = time.time()
    sso_id = await sso.start(resources.redis, citizen_id)
    value = sign(key, {"typ": "sso", "sid": sso_id, "cid": citizen_id, "at": int(now), "exp": now + sso.SSO_SECONDS})
    secure = resources.settings.resolved_issuer.startswith("https://")
    response = Redirect(continue_url, status_code=302)
    response.set_cookie(
        SSO_COOKIE, value, max_age=sso.SSO_SECONDS, path="/oauth", httponly=True, secure=secure, samesite="lax"
    )
    return response
