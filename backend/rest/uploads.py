"""POST /uploads: a citizen uploads a material no certificate covers (multipart field `file`).

The type is decided by the file's first bytes, not by what the client claims; the file is stored
under data_dir/uploads by its SHA-256 (identical files are stored once) and the hash is kept.
"""

from __future__ import annotations

import hashlib
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import msgspec
from litestar import Request, post
from litestar.datastructures import UploadFile
from litestar.response import Response
from sqlalchemy import func, select

from backend.db import tables as t
from backend.db.engine import unit_of_work
from backend.errors import MESSAGES, DomainError, ErrorCode
from backend.i18n import negotiate
from backend.identity.models import SubjectType
from backend.identity.service import IdentityService
from backend.resources import Resources

MAX_BYTES = 10 * 1024 * 1024
# What one citizen may upload in 24 hours: enough for any bundle, not enough to fill a disk.
DAILY_FILES, DAILY_BYTES = 100, 200 * 1024 * 1024
_SIGNATURES = {b"%PDF-": "application/pdf", b"\xff\xd8\xff": "image/jpeg", b"\x89PNG\r\n\x1a\n": "image/png"}
JSON = "application/json"


def sniff(head: bytes) -> str | None:
    """The content type from the file's magic bytes, if it is one we accept."""
    return next((kind for magic, kind in _SIGNATURES.items() if head.startswith(magic)), None)


def _error(request: Request[Any, Any, Any], code: ErrorCode, status: int, **params: Any) -> Response[bytes]:
    resources: Resources = request.app.state.resources
    message = resources.messages.gettext(negotiate(request.headers.get("accept-language")), MESSAGES[code], **params)
    body = {"errors": [{"message": message, "extensions": {"code": code.value}}]}
    return Response(msgspec.json.encode(body), status_code=status, media_type=JSON)


@post("/uploads", include_in_schema=False, status_code=201, request_max_body_size=MAX_BYTES + 64 * 1024)
async def upload(request: Request[Any, Any, Any]) -> Response[bytes]:
    """Store one file for the signed-in citizen; answers {id, sha256, size, contentType}."""
    resources: Resources = request.app.state.resources
    header = request.headers.get("authorization", "")
    principal = None
    if header.lower().startswith("bearer "):
        async with resources.sessions() as db:
            try:
                principal = await IdentityService(db, resources.identity).authenticate(header[7:].strip())
            except DomainError:
                principal = None
    if principal is None or principal.subject_type is not SubjectType.CITIZEN:
        return _error(request, ErrorCode.UNAUTHENTICATED, 401)
    if not principal.first_party and not principal.has_scope("applications:write"):
        return _error(request, ErrorCode.INSUFFICIENT_SCOPE, 403, scope="applications:write")
    since = datetime.now(UTC) - timedelta(days=1)
    async with resources.sessions() as db:
        count, used = (
            await db.execute(
                select(func.count(), func.coalesce(func.sum(t.uploads.c.size), 0)).where(
                    t.uploads.c.citizen_id == principal.subject_id, t.uploads.c.created_at >= since
                )
            )
        ).one()
    if count >= DAILY_FILES or used >= DAILY_BYTES:
        return _error(request, ErrorCode.UPLOAD_QUOTA, 429, files=DAILY_FILES, mb=DAILY_BYTES // (1024 * 1024))
    form = await request.form()
    file = form.get("file")
    if not isinstance(file, UploadFile):
        return _error(request, ErrorCode.BAD_REQUEST, 400, detail="multipart field 'file' is missing")
    content = await file.read(MAX_BYTES + 1)
    if len(content) > MAX_BYTES:
        return _error(request, ErrorCode.UPLOAD_TOO_LARGE, 413, max_mb=MAX_BYTES // (1024 * 1024))
    kind = sniff(content[:16])
    if kind is None or not content:
        return _error(request, ErrorCode.UPLOAD_TYPE_NOT_ALLOWED, 415)
    digest = hashlib.sha256(content).hexdigest()
    folder = Path(resources.settings.data_dir) / "uploads" / digest[:2]
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / digest
    if not target.exists():
        partial = folder / f".{digest}.{uuid.uuid4().hex}"
        partial.write_bytes(content)
        partial.replace(target)  # atomic: a crash never leaves a half-written file under the hash
    upload_id = str(uuid.uuid4())
    name = Path(file.filename or "upload").name[:200]
    async with resources.sessions() as db, unit_of_work(db):
        await db.execute(
            t.uploads.insert().values(
                id=upload_id, citizen_id=principal.subject_id, sha256=digest, size=len(content), content_type=kind,
                filename=name, created_at=datetime.now(UTC),
            )
        )  # fmt: skip
    body = {"id": upload_id, "sha256": digest, "size": len(content), "contentType": kind}
    return Response(msgspec.json.encode(body), status_code=201, media_type=JSON)
