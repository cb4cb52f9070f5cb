"""What the non-GraphQL endpoints share: the process resources, the bearer principal, coded JSON errors."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

import msgspec
from litestar import Request
from litestar.response import Response

from backend.errors import MESSAGES, DomainError
from backend.i18n import negotiate
from backend.identity.models import Principal
from backend.identity.service import IdentityService
from backend.resources import Resources

JSON = "application/json"


def resources_of(request: Request[Any, Any, Any]) -> Resources:
    """The process's resources."""
    resources: Resources = request.app.state.resources
    return resources


async def bearer_principal(request: Request[Any, Any, Any]) -> Principal | None:
    """The caller behind an `Authorization: Bearer` token, or None (no token, or not a valid one)."""
    header = request.headers.get("authorization", "")
    if not header.lower().startswith("bearer "):
        return None
    resources = resources_of(request)
    async with resources.sessions() as db:
        try:
            return await IdentityService(db, resources.identity).access.authenticate(header[7:].strip())
        except DomainError:
            return None


def error_response(request: Request[Any, Any, Any], code: StrEnum, status: int, **params: Any) -> Response[bytes]:
    """A GraphQL-shaped error body with the code and its message in the caller's language."""
    locale = negotiate(request.headers.get("accept-language"))
    message = resources_of(request).messages.gettext(locale, MESSAGES[code], **params)
    body = {"errors": [{"message": message, "extensions": {"code": code.value}}]}
    return Response(msgspec.json.encode(body), status_code=status, media_type=JSON)
