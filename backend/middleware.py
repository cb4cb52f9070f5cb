"""ASGI middleware: a request id on every log line, what the caller sent kept out of them, one access line."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from urllib.parse import parse_qsl

import structlog
from litestar.types import ASGIApp, Message, Receive, ReceiveMessage, Scope, Send

from backend.logs import hiding_request_values

log = structlog.get_logger("backend.access")

_HEADER = b"x-request-id"
# On every answer: browsers must not guess a content type (a JSON error rendered as HTML), and once a
# browser reached us over https it keeps to https (ignored over plain http, as RFC 6797 says).
_SECURITY_HEADERS = (
    (b"x-content-type-options", b"nosniff"),
    (b"strict-transport-security", b"max-age=31536000; includeSubDomains"),
)


def _incoming_id(scope: Scope) -> str | None:
    for name, value in scope.get("headers", ()):
        if name == _HEADER and 0 < len(value) <= 64 and value.isascii():
            return value.decode()
    return None


# A form larger than this is not a sign-in or token form: its values are not looked for in log lines.
_MAX_FORM_BYTES = 64 * 1024


class _SentValues:
    """What the caller sent outside a GraphQL document: the query string, a form body, a bearer token.

    The body is seen as the endpoint reads it (nothing is buffered ahead), and parsed only if a log
    line is written.
    """

    def __init__(self, scope: Scope) -> None:
        self.query = scope.get("query_string", b"")
        headers = dict(scope.get("headers", ()))
        self.authorization = headers.get(b"authorization", b"")
        self.form = headers.get(b"content-type", b"").startswith(b"application/x-www-form-urlencoded")
        self.body = bytearray()

    def wrap(self, receive: Receive) -> Receive:
        if not self.form:
            return receive

        async def receive_and_keep() -> ReceiveMessage:
            message = await receive()
            if message["type"] == "http.request" and len(self.body) < _MAX_FORM_BYTES:
                self.body += message.get("body", b"")
            return message

        return receive_and_keep

    def __call__(self) -> Iterator[str]:
        for raw in (self.query, bytes(self.body)):
            for _, value in parse_qsl(raw.decode("latin-1"), keep_blank_values=False):
                yield value
        _scheme, _, token = self.authorization.decode("latin-1").partition(" ")
        if token:
            yield token.strip()


def request_context_middleware(app: ASGIApp) -> ASGIApp:
    """Bind request_id for the request's logs, echo it in X-Request-ID, add security headers, log the request."""

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":  # type: ignore[comparison-overlap]  # litestar types it as an enum
            await app(scope, receive, send)
            return
        request_id = _incoming_id(scope) or uuid.uuid4().hex
        scope.setdefault("state", {})["request_id"] = request_id
        started = time.perf_counter()
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*message.get("headers", ()), (_HEADER, request_id.encode()), *_SECURITY_HEADERS]
            await send(message)

        sent = _SentValues(scope)
        with structlog.contextvars.bound_contextvars(request_id=request_id), hiding_request_values(sent):
            try:
                await app(scope, sent.wrap(receive), send_with_id)
            finally:
                log.info(
                    "http.request",
                    method=scope.get("method"),
                    path=scope["path"],
                    status=status,
                    ms=round((time.perf_counter() - started) * 1000, 2),
                )

    return middleware
