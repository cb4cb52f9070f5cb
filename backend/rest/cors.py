"""CORS for browser-based (H5) mini-programs: the origins of the enabled clients' redirect URIs may
call /graphql and the token endpoints from a page; every other origin gets no CORS headers at all.

The allowed origins are read from the database and kept per process for `ORIGINS_TTL_SECONDS`: a
client registered on any instance (or with the CLI, which has no broadcast) works everywhere within
that time, and a disabled client's origin stops as quickly. Only a request that carries an Origin
header reads them, so same-origin and app traffic never waits for the database.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from urllib.parse import urlsplit

from litestar.types import ASGIApp, HTTPResponseStartEvent, Message, Receive, Scope, Send
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from backend.identity import clients

PATHS = frozenset({"/graphql", "/oauth/token", "/oauth/revoke", "/oauth/userinfo"})
ORIGINS_TTL_SECONDS = 2.0
_DEFAULT_PORTS = {"http": 80, "https": 443}

# What a page may send and read. No Allow-Credentials, ever: mini-programs send a bearer token, and
# the platform's own sign-in cookie must never ride along with another site's request.
_ALLOWED = (
    (b"access-control-allow-methods", b"GET, POST"),
    (b"access-control-allow-headers", b"authorization, content-type, accept-language"),
    (b"access-control-max-age", b"600"),
)
_EXPOSED = (b"access-control-expose-headers", b"Retry-After, ETag, X-Request-ID")
_VARY = (b"vary", b"Origin")


def origin_of(uri: str) -> str | None:
    """The origin (scheme://host[:port]) a browser sends for pages under `uri`, None if not a web URI."""
    parts = urlsplit(uri.strip())
    scheme, host = parts.scheme.lower(), parts.hostname
    if scheme not in _DEFAULT_PORTS or not host:
        return None
    try:
        port = parts.port
    except ValueError:
        return None
    if ":" in host:  # IPv6: brackets in the origin, as in the URI
        host = f"[{host}]"
    return f"{scheme}://{host}" + (f":{port}" if port and port != _DEFAULT_PORTS[scheme] else "")


class AllowedOrigins:
    """The enabled clients' redirect-URI origins, re-read from the database when older than the TTL."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        ttl: float = ORIGINS_TTL_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._sessions = sessions
        self._ttl = ttl
        self.clock = clock  # tests move it on instead of waiting for the TTL
        self._origins: frozenset[str] = frozenset()
        self._loaded_at = float("-inf")
        self._lock = asyncio.Lock()  # one reload at a time; the others use its result

    async def allows(self, origin: str) -> bool:
        """Whether a page of `origin` may call the CORS endpoints."""
        if self.clock() - self._loaded_at > self._ttl:
            async with self._lock:
                if self.clock() - self._loaded_at > self._ttl:
                    await self._reload()
        return origin in self._origins

    async def _reload(self) -> None:
        async with self._sessions() as db:
            registered = await clients.list_clients(db)
        origins = {origin_of(uri) for client in registered for uri in client.redirect_uris}
        self._origins = frozenset(o for o in origins if o)
        self._loaded_at = self.clock()


def _origin_header(scope: Scope) -> str | None:
    for name, value in scope.get("headers", ()):
        if name == b"origin":
            return value.decode("latin-1")
    return None


def _is_preflight(scope: Scope) -> bool:
    return scope.get("method") == "OPTIONS" and any(
        name == b"access-control-request-method" for name, _ in scope.get("headers", ())
    )


async def _preflight(send: Send, headers: list[tuple[bytes, bytes]]) -> None:
    start: HTTPResponseStartEvent = {"type": "http.response.start", "status": 204, "headers": [*headers, _VARY]}
    await send(start)
    await send({"type": "http.response.body", "body": b"", "more_body": False})


def cors_middleware(app: ASGIApp) -> ASGIApp:
    """Answer preflights and mark answers readable for the registered origins, on `PATHS` only."""

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] not in PATHS:  # type: ignore[comparison-overlap]
            await app(scope, receive, send)
            return
        origin = _origin_header(scope)
        allowed = origin is not None and await scope["app"].state.cors_origins.allows(origin)
        granted = [(b"access-control-allow-origin", origin.encode("latin-1"))] if allowed and origin else []
        if _is_preflight(scope):
            # A preflight never reaches an endpoint; an unknown origin learns nothing from it.
            await _preflight(send, [*granted, *_ALLOWED] if granted else [])
            return

        async def send_with_cors(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", ()), *granted, *([_EXPOSED] if granted else []), _VARY]
            await send(message)

        await app(scope, receive, send_with_cors)

    return middleware
