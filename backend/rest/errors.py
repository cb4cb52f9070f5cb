"""The last line of defence: an unexpected exception is logged once and answered in the caller's language."""

from __future__ import annotations

from typing import Any

import msgspec
import structlog
from litestar import Request
from litestar.exceptions import HTTPException
from litestar.response import Response

from backend.errors import MESSAGES, CommonErrorCode
from backend.i18n import negotiate
from backend.outages import is_outage

log = structlog.get_logger("backend.errors")


def unexpected_error(request: Request[Any, Any, Any], exc: Exception) -> Response[bytes]:
    """Log with traceback; answer 500 with the request id and no internals (503 when Redis or the database is away)."""
    if isinstance(exc, HTTPException):
        body = {"errors": [{"message": exc.detail, "extensions": {"code": CommonErrorCode.BAD_REQUEST.value}}]}
        return Response(msgspec.json.encode(body), status_code=exc.status_code, media_type="application/json")
    request_id = request.scope.get("state", {}).get("request_id", "")
    locale = negotiate(request.headers.get("accept-language"))
    code, status = CommonErrorCode.INTERNAL_ERROR, 500
    if is_outage(exc):
        code, status = CommonErrorCode.TEMPORARILY_UNAVAILABLE, 503
        log.warning("http.unavailable", path=request.url.path, error=type(exc).__name__)
    else:
        log.error("http.unexpected_error", path=request.url.path, exc_info=exc)
    message = request.app.state.resources.messages.gettext(locale, MESSAGES[code], request_id=request_id)
    body = {"errors": [{"message": message, "extensions": {"code": code.value}}]}
    headers = {"retry-after": "5"} if status == 503 else None
    return Response(msgspec.json.encode(body), status_code=status, media_type="application/json", headers=headers)
