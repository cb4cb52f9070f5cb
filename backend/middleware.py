"""ASGI middleware: a request id on every log line, what the caller sent kept out of them, one access line."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from enum import StrEnum
from typing import Any
from urllib.parse import parse_qsl

import msgspec
import structlog
from litestar.types import ASGIApp, HTTPResponseStartEvent, Message, Receive, ReceiveMessage, Scope, Send

from backend.errors import MESSAGES, CommonErrorCode
from backend.i18n import negotiate
from backend.inputs import UNSTORABLE, storable
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


# Sign-in, consent and token forms are a few hundred bytes; a larger form is refused.
MAX_FORM_BYTES = 64 * 1024


class _SentValues:
    """What the caller sent outside a GraphQL document: the query string, a form body, a bearer token.

    A URL-encoded form is read here, whole (it is small), checked, and handed on to the endpoint as it
    came; the values are parsed again only if a log line is written.
    """

    def __init__(self, scope: Scope) -> None:
        self.query = scope.get("query_string", b"")
        headers = dict(scope.get("headers", ()))
        self.authorization = headers.get(b"authorization", b"")
        self.form = headers.get(b"content-type", b"").startswith(b"application/x-www-form-urlencoded")
        self.body = b""

    async def read_form(self, receive: Receive) -> Receive | None:
        """Read a form body and return a `receive` that replays it; None when it is too large."""
        chunks, size, more = [], 0, True
        while more:
            message = await receive()
            if message["type"] != "http.request":
                break
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > MAX_FORM_BYTES:
                return None
            chunks.append(chunk)
            more = message.get("more_body", False)
        self.body = b"".join(chunks)
        replayed = False

        async def replay() -> ReceiveMessage:
            nonlocal replayed
            if replayed:
                return await receive()
            replayed = True
            return {"type": "http.request", "body": self.body, "more_body": False}

        return replay

    def storable(self) -> bool:
        """Whether every value can be stored: UTF-8, without NUL characters (PostgreSQL refuses both)."""
        try:
            return all(
                storable(k) and storable(v)
                for raw in (self.query, self.body)
                for k, v in parse_qsl(raw.decode("ascii"), encoding="utf-8", errors="strict")
            )
        except (UnicodeDecodeError, ValueError):
            return False

    def __call__(self) -> Iterator[str]:
        for raw in (self.query, self.body):
            for _, value in parse_qsl(raw.decode("latin-1"), keep_blank_values=False):
                yield value
        _scheme, _, token = self.authorization.decode("latin-1").partition(" ")
        if token:
            yield token.strip()


async def _refuse(scope: Scope, send: Send, status: int, code: StrEnum, **params: Any) -> None:
    """A coded JSON error in the caller's language, before the request reaches an endpoint."""
    headers = dict(scope.get("headers", ()))
    locale = negotiate(headers.get(b"accept-language", b"").decode("latin-1"))
    resources = getattr(getattr(scope.get("app"), "state", None), "resources", None)
    message = resources.messages.gettext(locale, MESSAGES[code], **params) if resources else code.value
    body = msgspec.json.encode({"errors": [{"message": message, "extensions": {"code": code.value}}]})
    start: HTTPResponseStartEvent = {
        "type": "http.response.start",
        "status": status,
        "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())],
    }
    await send(start)
    await send({"type": "http.response.body", "body": body, "more_body": False})


async def response_headers(message: Message, scope: Scope) -> None:
    """Litestar `before_send` hook: the request id and the security headers on every answer, the 404s
    and 405s that no route (and so no middleware) handled included."""
    if message["type"] == "http.response.start":
        state = scope.setdefault("state", {})
        request_id = state.setdefault("request_id", uuid.uuid4().hex)
        message["headers"] = [*message.get("headers", ()), (_HEADER, request_id.encode()), *_SECURITY_HEADERS]


def request_context_middleware(app: ASGIApp) -> ASGIApp:
    """Bind request_id for the request's logs, keep what the caller sent out of them, log the request."""

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
            await send(message)

        sent = _SentValues(scope)
        with structlog.contextvars.bound_contextvars(request_id=request_id), hiding_request_values(sent):
            try:
                if sent.form:
                    replay = await sent.read_form(receive)
                    if replay is None:
                        await _refuse(scope, send_with_id, 413, CommonErrorCode.BAD_REQUEST, detail="form too large")
                        return
                    receive = replay
                if not sent.storable():
                    await _refuse(scope, send_with_id, 400, CommonErrorCode.BAD_REQUEST, detail=UNSTORABLE)
                    return
                await app(scope, receive, send_with_id)
            finally:
                log.info(
                    "http.request",
                    method=scope.get("method"),
                    path=scope["path"],
                    status=status,
                    ms=round((time.perf_counter() - started) * 1000, 2),
                )

    return middleware
