"""Where uploaded files' content is kept (ONEWINDOW_UPLOAD_STORAGE): a folder of this machine, or the
database, which every instance behind a load balancer reads.

Files are at most uploads.MAX_BYTES (10 MB): each is written and read whole, not streamed. The database
store writes in the caller's transaction, so a file exists if and only if its upload committed; the
folder cannot take part in a transaction, and a rolled-back upload leaves its file behind (harmless:
content is kept under its SHA-256, and nothing links to it).
"""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal, Protocol

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from backend.db import tables as t
from backend.db.upsert import insert_for


class FileStore(Protocol):
    """Bytes under a key: the uploads keep each file under its SHA-256, once for every upload of it."""

    async def put(self, session: AsyncSession, key: str, content: bytes) -> None:
        """Keep `content` under `key` (a key already kept is left as it is: same key, same bytes)."""

    async def get(self, session: AsyncSession, key: str) -> bytes | None:
        """The content under `key`, or None."""

    async def exists(self, session: AsyncSession, key: str) -> bool:
        """Whether something is kept under `key`."""

    async def delete(self, session: AsyncSession, key: str) -> None:
        """Forget `key` (nothing happens if it is not kept)."""


class FolderStore:
    """Files in a folder of this machine (the development default: one instance only). The disk is read
    and written off the event loop."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def _path(self, key: str) -> Path:
        return self.folder / key[:2] / key

    async def put(self, session: AsyncSession, key: str, content: bytes) -> None:
        """See FileStore.put."""
        await asyncio.to_thread(self._write, self._path(key), content)

    @staticmethod
    def _write(target: Path, content: bytes) -> None:
        if target.exists():
            return
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.parent / f".{target.name}.{uuid.uuid4().hex}"
        partial.write_bytes(content)
        partial.replace(target)  # atomic: a crash never leaves a half-written file under the key

    async def get(self, session: AsyncSession, key: str) -> bytes | None:
        """See FileStore.get."""
        return await asyncio.to_thread(self._read, self._path(key))

    @staticmethod
    def _read(path: Path) -> bytes | None:
        try:
            return path.read_bytes()
        except FileNotFoundError:
            return None

    async def exists(self, session: AsyncSession, key: str) -> bool:
        """See FileStore.exists."""
        return await asyncio.to_thread(self._path(key).exists)

    async def delete(self, session: AsyncSession, key: str) -> None:
        """See FileStore.delete."""
        await asyncio.to_thread(self._path(key).unlink, missing_ok=True)


class DatabaseStore:
    """Files in the `stored_files` table, in the caller's session: any instance serves them."""

    async def put(self, session: AsyncSession, key: str, content: bytes) -> None:
        """See FileStore.put."""
        row = {"key": key, "content": content, "size": len(content), "created_at": datetime.now(UTC)}
        # Two uploads of the same file at once: the second waits for the first and keeps its row.
        await session.execute(insert_for(session, t.stored_files).values(**row).on_conflict_do_nothing())

    async def get(self, session: AsyncSession, key: str) -> bytes | None:
        """See FileStore.get."""
        found = await session.execute(select(t.stored_files.c.content).where(t.stored_files.c.key == key))
        content = found.scalar_one_or_none()
        return bytes(content) if content is not None else None

    async def exists(self, session: AsyncSession, key: str) -> bool:
        """See FileStore.exists."""
        found = await session.execute(select(t.stored_files.c.key).where(t.stored_files.c.key == key))
        return found.first() is not None

    async def delete(self, session: AsyncSession, key: str) -> None:
        """See FileStore.delete."""
        await session.execute(delete(t.stored_files).where(t.stored_files.c.key == key))


def file_store(storage: Literal["local", "database"], data_dir: Path) -> FileStore:
    """The store the settings choose: `local` keeps files under data_dir/uploads."""
    return DatabaseStore() if storage == "database" else FolderStore(data_dir / "uploads")
