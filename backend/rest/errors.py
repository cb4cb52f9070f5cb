"""The last line of defence: an unexpected exception is logged once and answered in the caller's language."""

from __future__ import annotations

from typing import Any

import msgspec
import structlog
from litestar import Request
from litestar.exceptions import HTTPException
from litestar.response import Response

from backend.errors import MESSAGES, ErrorCode
from backend.i18n import negotiate

log = structlog.get_logger("backend.errors")


def unexpected_error(request: Request[Any, Any, Any], exc: Exception) -> Response[bytes]:
    """Log with traceback; answer 500 with the request id and no internals."""
    if isinstance(exc, HTTPException):
        body = {"errors": [{"message": exc.detail, "extensions": {"code": ErrorCode.BAD_REQUEST.value}}]}
        return Response(msgspec.json.encode(body), status_code=exc.status_code, media_type="application/json")
    request_id = request.scope.get("state", {}).get("request_id", "")
    log.error("http.unexpected_error", path=request.url.path, exc_info=exc)
    locale = negotiate(request.headers.get("accept-language"))
    message = request.app.state.resources.messages.gettext(
        locale, MESSAGES[ErrorCode.INTERNAL_ERROR], request_id=request_id
    )
    body = {"errors": [{"message": message, "extensions": {"code": ErrorCode.INTERNAL_ERROR.value}}]}
    return Response(msgspec.json.encode(body), status_code=500, media_type="application/json")
