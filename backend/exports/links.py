"""Signed download links to an export: a browser opens a link, it cannot send a bearer token.

The API hands a link only to finance staff who asked for the export; the link is an HMAC, with a key
derived from the platform secret, over everything the export is (kind, days, format, department,
channel, the reader's language), who asked, and when the link expires. Any instance checks it, nothing
is stored, and a changed parameter or a link past its expiry opens nothing.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from collections.abc import Mapping
from datetime import date
from typing import get_args
from urllib.parse import quote, urlencode

import msgspec

from payments.finance.exportable import ExportFormat, ExportKind, ExportRequest

_FIELDS = ("kind", "from", "to", "format", "department", "channel", "locale", "staff", "expires")


def _key(master_secret: bytes) -> bytes:
    return hmac.new(master_secret, b"onewindow/export-links", hashlib.sha256).digest()


def _params(request: ExportRequest, staff_id: str, expires: int) -> dict[str, str]:
    return {
        "kind": request.kind,
        "from": request.day_from.isoformat(),
        "to": request.day_to.isoformat(),
        "format": request.format,
        "department": request.department_code or "",
        "channel": request.channel or "",
        "locale": request.locale,
        "staff": staff_id,
        "expires": str(expires),
    }


def _signature(master_secret: bytes, params: Mapping[str, str]) -> str:
    text = "\n".join(f"{name}={params.get(name, '')}" for name in _FIELDS)
    return hmac.new(_key(master_secret), text.encode(), hashlib.sha256).hexdigest()


def signed_export_url(
    base_url: str, master_secret: bytes, request: ExportRequest, staff_id: str, seconds: int, now: float | None = None
) -> tuple[str, int]:
    """A link that downloads the export without a token until it expires; (url, expiry as a Unix time)."""
    expires = int(now if now is not None else time.time()) + seconds
    params = _params(request, staff_id, expires)
    params["signature"] = _signature(master_secret, params)
    return f"{base_url.rstrip('/')}/finance/exports/{quote(request.kind)}?{urlencode(params)}", expires


class SignedExport(msgspec.Struct, frozen=True, kw_only=True):
    """What a valid link asks for, and who asked for it."""

    request: ExportRequest
    staff_id: str


def opened(master_secret: bytes, kind: str, query: Mapping[str, str], now: float | None = None) -> SignedExport | None:
    """The export a link names, when its signature is the platform's and it has not expired; else None."""
    params = {name: query.get(name, "") for name in _FIELDS}
    expires = params["expires"]
    if params["kind"] != kind or not expires.isdigit() or int(expires) < int(now if now is not None else time.time()):
        return None
    if not hmac.compare_digest(_signature(master_secret, params), query.get("signature", "")):
        return None
    if kind not in get_args(ExportKind) or params["format"] not in get_args(ExportFormat):
        return None
    request = ExportRequest(
        kind=kind,  # type: ignore[arg-type]
        day_from=date.fromisoformat(params["from"]),
        day_to=date.fromisoformat(params["to"]),
        format=params["format"],  # type: ignore[arg-type]
        department_code=params["department"] or None,
        channel=params["channel"] or None,
        locale=params["locale"],
    )
    return SignedExport(request=request, staff_id=params["staff"])
