"""Uploads every instance can serve (issue 17, item 5): with ONEWINDOW_UPLOAD_STORAGE=database a file sent
to one instance downloads from another that shares only the database (and Redis), not the disk."""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
from litestar.testing import AsyncTestClient
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from backend.app import create_app
from backend.applications import uploads
from backend.db import tables as t
from tests.conftest import make_settings
from tests.integration.test_officer_materials import PDF, READ, _apply, _link
from tests.support import factories
from tests.support.applications import PNG
from tests.support.gql import run
from tests.support.identity import staff_token
from tests.support.servers import RedisServer

Sessions = async_sessionmaker[AsyncSession]


@asynccontextmanager
async def instance(database: str, redis: RedisServer, data_dir: Path) -> AsyncIterator[AsyncTestClient[Any]]:
    """One instance of the app, keeping uploads in the database; its own data folder (its own disk)."""
    settings = make_settings(database, redis.url, data_dir, upload_storage="database")
    async with AsyncTestClient(create_app(settings)) as client:
        yield client


async def _stored_files(db: Sessions) -> dict[str, int]:
    async with db() as session:
        rows = await session.execute(select(t.stored_files.c.key, t.stored_files.c.size))
    return {row.key: row.size for row in rows}


async def test_a_file_uploaded_to_one_instance_downloads_from_another(
    catalog_database: str, redis_server: RedisServer, db: Sessions, fresh_redis: Any, tmp_path: Path
) -> None:
    async with (
        instance(catalog_database, redis_server, tmp_path / "a") as a,
        instance(catalog_database, redis_server, tmp_path / "b") as b,
    ):
        citizen = await factories.citizen(a, db)
        application, _ = await _apply(a, citizen)  # the photo is uploaded to A, the application submitted on A
        officer = await staff_token(b, "officer.gz-ga")
        for reader in (citizen.token, officer):  # the owner and the handling officer, both on B
            seen = (await run(b, reader, READ, {"id": application}))["application"]
            photo = next(m for m in seen["materials"] if m["key"] == "photo")["upload"]
            path, query = _link(photo["downloadUrl"])
            response = await b.get(path, params=query)
            assert response.status_code == 200, response.text
            assert response.content == PDF and response.headers["content-type"] == "application/pdf"
        # Nothing went to either instance's disk: the database served it.
        assert not (tmp_path / "a" / "uploads").exists() and not (tmp_path / "b" / "uploads").exists()
    assert await _stored_files(db) == {hashlib.sha256(PDF).hexdigest(): len(PDF)}


async def test_the_database_store_keeps_the_type_and_quota_checks(
    catalog_database: str,
    redis_server: RedisServer,
    db: Sessions,
    fresh_redis: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(uploads, "DAILY_FILES", 2)
    async with instance(catalog_database, redis_server, tmp_path / "a") as a:
        citizen = await factories.citizen(a, db)
        headers = {"authorization": f"Bearer {citizen.token}"}

        async def send(content: bytes, kind: str = "image/png") -> int:
            response = await a.post("/uploads", files={"file": ("scan", content, kind)}, headers=headers)
            return response.status_code

        assert await send(b"just some text", "text/plain") == 415
        assert await send(PNG + b"\0" * (uploads.MAX_BYTES + 1 - len(PNG))) == 413
        assert [await send(PNG + bytes([n])) for n in range(3)] == [201, 201, 429]
    kept = await _stored_files(db)
    # The refused third file was rolled back with its upload: the table holds the two accepted only.
    assert sorted(kept) == sorted(hashlib.sha256(PNG + bytes([n])).hexdigest() for n in range(2))
    async with db() as session:
        mine = select(func.count()).where(t.uploads.c.citizen_id == citizen.id)
        assert (await session.execute(mine)).scalar_one() == 2
