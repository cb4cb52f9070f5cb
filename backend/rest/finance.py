"""Finance exports downloaded from a signed link (GraphQL's exportFinance hands it out): the file
streamed with its content type and a filename a browser keeps (RFC 6266 / RFC 5987)."""

from __future__ import annotations

import asyncio
import os
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

from litestar import Request, get
from litestar.params import FromPath
from litestar.response import Response, Stream

from backend.application_references import PlatformReferences
from backend.exports.links import opened
from backend.exports.registry import builder_for, export_builders, write_file
from backend.exports.writers import EXTENSIONS, MEDIA_TYPES, csv_chunks
from backend.i18n import Locale
from backend.identity import staff
from backend.identity.models import Role
from backend.rest.common import error_response, resources_of
from payments.finance.errors import FinanceErrorCode
from payments.finance.exportable import file_stem

CHUNK = 256 * 1024


def content_disposition(filename: str) -> str:
    """`attachment` with the name as is when ASCII, and in RFC 5987's filename* for any other name."""
    ascii_name = filename.encode("ascii", "replace").decode().replace("?", "_").replace('"', "_")
    header = f'attachment; filename="{ascii_name}"'
    if ascii_name != filename:
        header += f"; filename*=UTF-8''{quote(filename, safe='')}"
    return header


async def _file_chunks(path: Path) -> AsyncIterator[bytes]:
    try:
        with path.open("rb") as handle:
            while chunk := handle.read(CHUNK):
                yield chunk
    finally:
        await asyncio.to_thread(path.unlink, missing_ok=True)


@get("/finance/exports/{kind:str}", include_in_schema=False)
async def finance_export(request: Request[Any, Any, Any], kind: FromPath[str]) -> Response[Any]:
    """The export a signed link names, for the finance staff member who asked for it."""
    resources = resources_of(request)
    signed = opened(resources.identity.master_secret, kind, dict(request.query_params))
    if signed is None:
        return error_response(request, FinanceErrorCode.EXPORT_LINK_INVALID, 403)
    async with resources.sessions() as session:
        # The link is the staff member's: it opens nothing once their account is disabled or no longer finance
        still_finance = await staff.is_active(session, signed.staff_id) and any(
            grant.role in (Role.FINANCE, Role.ADMIN) for grant in await staff.roles_of(session, signed.staff_id)
        )
    if not still_finance:
        return error_response(request, FinanceErrorCode.EXPORT_LINK_INVALID, 403)
    wanted = signed.request
    builders = export_builders(resources.payments.parties, PlatformReferences())
    if kind not in builders:
        return error_response(request, FinanceErrorCode.EXPORT_KIND_UNAVAILABLE, 404, kind=kind)
    locale = Locale(wanted.locale)

    def say(msgid: str) -> str:
        return resources.messages.gettext(locale, msgid)

    headers = {"cache-control": "no-store"}
    if wanted.format == "xlsx":
        # A workbook is a zip written at its end: made in a temporary file, then sent and removed.
        handle, name = tempfile.mkstemp(suffix=".xlsx", prefix="onewindow-export-")
        os.close(handle)
        path = Path(name)
        try:
            async with resources.sessions() as session:
                table = await builder_for(builders, kind)(session, wanted)
                await write_file(table, "xlsx", say, path)
        except BaseException:
            await asyncio.to_thread(path.unlink, missing_ok=True)
            raise
        filename = f"{table.name}.xlsx"
        headers["content-disposition"] = content_disposition(filename)
        headers["content-length"] = str((await asyncio.to_thread(path.stat)).st_size)
        return Stream(_file_chunks(path), media_type=MEDIA_TYPES["xlsx"], headers=headers)

    async def rows() -> AsyncIterator[bytes]:
        async with resources.sessions() as session:
            table = await builder_for(builders, kind)(session, wanted)
            async for chunk in csv_chunks(table, say, "gbk" if wanted.format == "csv_gbk" else "utf-8-sig"):
                yield chunk

    suffix = "-gbk" if wanted.format == "csv_gbk" else ""  # beside the UTF-8 file of the same days
    headers["content-disposition"] = content_disposition(f"{file_stem(wanted)}{suffix}.{EXTENSIONS[wanted.format]}")
    return Stream(rows(), media_type=MEDIA_TYPES[wanted.format], headers=headers)


ROUTES = [finance_export]
