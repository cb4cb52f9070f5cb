"""What the OpenID provider's endpoints share: the process's resources, signed cookies, pages,
OAuth error answers, the browser's sign-in session."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import time
from typing import Annotated, Any
from urllib.parse import urlencode, urlsplit

import msgspec
from litestar import Request
from litestar.enums import RequestEncodingType
from litestar.params import Body
from litestar.response import Redirect, Response

from backend.errors import MESSAGES, CommonErrorCode
from backend.i18n import Locale, negotiate
from backend.identity import sso
from backend.identity.models import RequestMeta
from backend.identity.secrets import derive
from backend.resources import Resources
from backend.rest.common import resources_of
from backend.rest.pages import Pages

SSO_COOKIE = "ow_sso"


Form = Annotated[dict[str, str], Body(media_type=RequestEncodingType.URL_ENCODED)]


JSON = "application/json"


def request_meta(request: Request[Any, Any, Any]) -> RequestMeta:
    """Who is asking: their address and browser, for the audit log."""
    return RequestMeta(ip=request.client.host if request.client else None, user_agent=request.headers.get("user-agent"))


def page_locale(request: Request[Any, Any, Any], ui_locales: str | None = None) -> Locale:
    """The page's language: the client's ui_locales, else the browser's."""
    return negotiate(ui_locales.replace(" ", ",") if ui_locales else request.headers.get("accept-language"))


def sign(key: bytes, payload: dict[str, Any]) -> str:
    """A tamper-evident token of `payload` (for cookies and hidden form fields)."""
    body = base64.urlsafe_b64encode(msgspec.json.encode(payload)).decode().rstrip("=")
    mac = base64.urlsafe_b64encode(hmac.new(key, body.encode(), hashlib.sha256).digest()).decode().rstrip("=")
    return f"{body}.{mac}"


def unsign(key: bytes, token: str | None) -> dict[str, Any] | None:
    """The payload of a token `sign` made with `key`, or None if forged, malformed or expired."""
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


def cookie_key(resources: Resources) -> bytes:
    """The key the sign-in cookie and pending requests are signed with."""
    return derive(resources.identity.master_secret, "sso-cookie")


def html(
    pages: Pages, template: str, locale: Locale, status: int = 200, params: dict[str, Any] | None = None, **context: Any
) -> Response[str]:
    """A page rendered in `locale`, never cached (it may carry a one-time request)."""
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


def oauth_error(error: str, description: str, status: int = 400) -> Response[bytes]:
    """An OAuth 2 error answer (RFC 6749 section 5.2)."""
    return Response(
        msgspec.json.encode({"error": error, "error_description": description}),
        status_code=status,
        media_type=JSON,
        headers={"cache-control": "no-store"}
        | ({"www-authenticate": 'Basic realm="onewindow"'} if status == 401 else {}),
    )


def redirect_with(redirect_uri: str, params: dict[str, str]) -> Redirect:
    """A 302 back to the client with `params` added to its query."""
    separator = "&" if urlsplit(redirect_uri).query else "?"
    return Redirect(redirect_uri + separator + urlencode(params), status_code=302)


def pages_of(request: Request[Any, Any, Any]) -> Pages:
    """The sign-in and consent pages the app built at start-up."""
    pages: Pages = request.app.state.pages
    return pages


async def browser_session(resources: Resources, request: Request[Any, Any, Any]) -> dict[str, Any] | None:
    """The signed-in browser's session, if its cookie is genuine and the session was not ended."""
    payload = unsign(cookie_key(resources), request.cookies.get(SSO_COOKIE))
    if payload is None or payload.get("typ") != "sso":
        return None
    if not await sso.is_live(resources.redis, str(payload.get("sid", "")), str(payload.get("cid", ""))):
        return None
    return payload


def cross_site(request: Request[Any, Any, Any]) -> bool:
    """A form post from another site (login CSRF): browsers say so in Sec-Fetch-Site or Origin."""
    site = request.headers.get("sec-fetch-site")
    if site is not None:
        # The browser's own word (a page cannot set it) settles it. Origin cannot: our pages' no-referrer
        # policy makes Chromium send `Origin: null` on their own same-origin form posts.
        return site not in ("same-origin", "none")
    origin = request.headers.get("origin")
    if origin is None:
        return False  # older browsers send neither header on same-site posts
    if origin == "null":
        return True
    issuer = urlsplit(resources_of(request).settings.resolved_issuer)
    return origin.rstrip("/") != f"{issuer.scheme}://{issuer.netloc}"


def refuse_cross_site(request: Request[Any, Any, Any]) -> Response[str] | None:
    """A 403 page for a form posted from another site, or None for our own."""
    if not cross_site(request):
        return None
    resources = resources_of(request)
    locale = page_locale(request)
    message = resources.messages.gettext(locale, MESSAGES[CommonErrorCode.FORBIDDEN])
    return html(pages_of(request), "error.html", locale, 403, message=message)
