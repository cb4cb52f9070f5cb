"""POST /uploads: a citizen uploads a material no certificate covers (multipart field `file`).
GET /uploads/{id}?expires=..&signature=..: the file, through a signed short-lived link (Application.materials).

Transport only: the checks and the storage are in backend.applications.uploads.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

import msgspec
from litestar import Request, get, post
from litestar.datastructures import UploadFile
from litestar.params import FromPath
from litestar.response import Response

from backend.applications import uploads
from backend.applications.errors import ApplicationErrorCode
from backend.applications.file_store import FileStore, file_store
from backend.db.engine import unit_of_work
from backend.errors import CommonErrorCode, DomainError
from backend.identity.models import SubjectType
from backend.identity.secrets import derive
from backend.resources import Resources
from backend.rest.common import JSON, bearer_principal, error_response, resources_of

STATUS: dict[str, int] = {
    ApplicationErrorCode.UPLOAD_QUOTA: 429,
    ApplicationErrorCode.UPLOAD_TOO_LARGE: 413,
    ApplicationErrorCode.UPLOAD_TYPE_NOT_ALLOWED: 415,
}


@post("/uploads", include_in_schema=False, status_code=201, request_max_body_size=uploads.MAX_BYTES + 64 * 1024)
async def upload(request: Request[Any, Any, Any]) -> Response[bytes]:
    """Store one file for the signed-in citizen; answers {id, sha256, size, contentType}."""
    principal = await bearer_principal(request)
    if principal is None or principal.subject_type is not SubjectType.CITIZEN:
        return error_response(request, CommonErrorCode.UNAUTHENTICATED, 401)
    if not principal.first_party and not principal.has_scope("applications:write"):
        return error_response(request, CommonErrorCode.INSUFFICIENT_SCOPE, 403, scope="applications:write")
    resources = resources_of(request)
    try:
        async with resources.sessions() as db:
            await uploads.check_quota(db, principal.subject_id)
        file = (await request.form()).get("file")
        if not isinstance(file, UploadFile):
            return error_response(request, CommonErrorCode.BAD_REQUEST, 400, detail="multipart field 'file' is missing")
        content = await file.read(uploads.MAX_BYTES + 1)
        async with resources.sessions() as db, unit_of_work(db):
            stored = await uploads.store(db, _files(resources), principal.subject_id, content, file.filename or "")
    except DomainError as error:
        return error_response(request, error.code, STATUS.get(error.code, 400), **error.params)
    body = {"id": stored.id, "sha256": stored.sha256, "size": stored.size, "contentType": stored.content_type}
    return Response(msgspec.json.encode(body), status_code=201, media_type=JSON)


@get("/uploads/{upload_id:str}", include_in_schema=False)
async def download(request: Request[Any, Any, Any], upload_id: FromPath[str]) -> Response[bytes]:
    """The file of a signed, unexpired link. Who may download was decided when the link was made (its
    owner, an officer of the department handling it); the link is the permission, for five minutes."""
    resources = resources_of(request)
    key = derive(resources.identity.master_secret, "upload-links")
    expires, signature = request.query_params.get("expires", ""), request.query_params.get("signature", "")
    try:
        uploads.check_download(key, upload_id, expires, signature, datetime.now(UTC))
    except DomainError as error:
        return error_response(request, error.code, 403)
    async with resources.sessions() as db:
        found = (await uploads.stored(db, [upload_id])).get(upload_id)
        # Up to 10 MB, read whole (from disk off the event loop, or from the database).
        content = await uploads.content_of(db, _files(resources), found) if found else None
    if found is None or content is None:
        return error_response(request, CommonErrorCode.NOT_FOUND, 404, what=upload_id)
    headers = {
        "content-disposition": f"inline; filename*=UTF-8''{quote(found.filename)}",
        "cache-control": "private, no-store",
    }
    return Response(content, media_type=found.content_type, headers=headers)


def _files(resources: Resources) -> FileStore:
    """Where uploads are kept: this machine's folder, or the database every instance reads."""
    settings = resources.settings
    return file_store(settings.upload_storage, Path(settings.data_dir))
