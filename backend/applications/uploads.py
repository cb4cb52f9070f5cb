"""Materials a citizen uploads because no certificate covers them: checked by content, kept by hash."""

from __future__ import annotations

import hashlib
import hmac
import uuid
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import msgspec
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from backend.applications.errors import ApplicationErrorCode
from backend.applications.file_store import FileStore
from backend.db import tables as t
from backend.errors import DomainError
from backend.identity import citizens
from backend.inputs import storable

MAX_BYTES = 10 * 1024 * 1024
# What one citizen may upload in 24 hours: enough for any bundle, not enough to fill a disk.
DAILY_FILES, DAILY_BYTES = 100, 200 * 1024 * 1024
_SIGNATURES = {b"%PDF-": "application/pdf", b"\xff\xd8\xff": "image/jpeg", b"\x89PNG\r\n\x1a\n": "image/png"}


class Upload(msgspec.Struct, frozen=True):
    """A stored upload."""

    id: str
    sha256: str
    size: int
    content_type: str


def sniff(head: bytes) -> str | None:
    """The content type from the file's magic bytes, if it is one we accept."""
    return next((kind for magic, kind in _SIGNATURES.items() if head.startswith(magic)), None)


def _display_name(filename: str) -> str:
    """The name a file was uploaded under, as something safe to keep and show: its last path part,
    printable characters only (no NUL, which PostgreSQL refuses), valid UTF-8, at most 200 characters."""
    name = "".join(ch for ch in Path(filename or "").name if ch.isprintable() and storable(ch))
    return name[:200] or "upload"


async def _used(session: AsyncSession, citizen_id: str) -> tuple[int, int]:
    """Files and bytes the citizen uploaded in the last 24 hours."""
    since = datetime.now(UTC) - timedelta(days=1)
    count, used = (
        await session.execute(
            select(func.count(), func.coalesce(func.sum(t.uploads.c.size), 0)).where(
                t.uploads.c.citizen_id == citizen_id, t.uploads.c.created_at >= since
            )
        )
    ).one()
    return int(count), int(used)


def _quota_error() -> DomainError:
    return DomainError(ApplicationErrorCode.UPLOAD_QUOTA, files=DAILY_FILES, mb=DAILY_BYTES // (1024 * 1024))


async def check_quota(session: AsyncSession, citizen_id: str) -> None:
    """UPLOAD_QUOTA once the citizen's last 24 hours reach the daily files or bytes.

    A cheap early answer before a body is read; `store` decides, atomically.
    """
    count, used = await _used(session, citizen_id)
    if count >= DAILY_FILES or used >= DAILY_BYTES:
        raise _quota_error()


async def store(session: AsyncSession, files: FileStore, citizen_id: str, content: bytes, filename: str) -> Upload:
    """Check size, type and the daily quota, record the upload, and keep the file under its SHA-256 (once).

    The quota is checked and the upload reserved in one step: the citizen's row is locked (PostgreSQL;
    SQLite has one writer), the upload recorded, then counted with everything before it. Concurrent
    uploads take turns, so together they never pass the quota. Run it in a unit of work.
    """
    if len(content) > MAX_BYTES:
        raise DomainError(ApplicationErrorCode.UPLOAD_TOO_LARGE, max_mb=MAX_BYTES // (1024 * 1024))
    kind = sniff(content[:16])
    if kind is None or not content:
        raise DomainError(ApplicationErrorCode.UPLOAD_TYPE_NOT_ALLOWED)
    digest = hashlib.sha256(content).hexdigest()
    upload = Upload(id=str(uuid.uuid4()), sha256=digest, size=len(content), content_type=kind)
    await citizens.lock(session, citizen_id)  # the citizen's uploads are counted one after another
    # Written before counting: on SQLite the write takes the database's lock before the count reads.
    await session.execute(
        t.uploads.insert().values(
            id=upload.id,
            citizen_id=citizen_id,
            sha256=digest,
            size=upload.size,
            content_type=kind,
            filename=_display_name(filename),
            created_at=datetime.now(UTC),
        )
    )
    count, used = await _used(session, citizen_id)
    if count > DAILY_FILES or used > DAILY_BYTES:
        raise _quota_error()  # the unit of work rolls the reservation back
    await files.put(session, digest, content)
    return upload


# A download link lives long enough for a phone's viewer to open it, not long enough to be passed around.
LINK_SECONDS = 300


class StoredUpload(msgspec.Struct, frozen=True, kw_only=True):
    """An upload as a reader sees it: what it was called, how big, what type, whose."""

    id: str
    citizen_id: str
    sha256: str
    size: int
    content_type: str
    filename: str


async def stored(session: AsyncSession, upload_ids: Iterable[str]) -> dict[str, StoredUpload]:
    """Uploads by id (the caller checks who may see them)."""
    ids = set(upload_ids)
    if not ids:
        return {}
    columns = [t.uploads.c[name] for name in StoredUpload.__struct_fields__]
    rows = await session.execute(select(*columns).where(t.uploads.c.id.in_(ids)))
    return {row.id: StoredUpload(**row._mapping) for row in rows}


async def content_of(session: AsyncSession, files: FileStore, upload: StoredUpload) -> bytes | None:
    """An upload's content (kept under its SHA-256, once for every upload of the same file), whole: a
    file is at most MAX_BYTES."""
    return await files.get(session, upload.sha256)


def _signature(key: bytes, upload_id: str, expires: int) -> str:
    return hmac.new(key, f"upload:{upload_id}:{expires}".encode(), hashlib.sha256).hexdigest()


def download_query(key: bytes, upload_id: str, now: datetime) -> tuple[str, datetime]:
    """A signed link's query string for one upload, and when it expires. The caller decided that the
    reader may download it; the link itself needs no bearer header (a phone's viewer opens it)."""
    expires = int(now.timestamp()) + LINK_SECONDS
    return f"expires={expires}&signature={_signature(key, upload_id, expires)}", datetime.fromtimestamp(expires, UTC)


def check_download(key: bytes, upload_id: str, expires: str, signature: str, now: datetime) -> None:
    """DOWNLOAD_LINK_INVALID unless the link was signed for this upload and has not expired."""
    try:
        until = int(expires)
    except ValueError:
        until = 0
    expected = _signature(key, upload_id, until)
    if not hmac.compare_digest(expected, signature) or until < now.timestamp():
        raise DomainError(ApplicationErrorCode.DOWNLOAD_LINK_INVALID)
