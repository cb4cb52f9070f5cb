"""The daily upload quota holds under concurrency (issue 12, finding 4).

Before: the quota was checked before storing, not atomically; 40 concurrent 9.5 MiB uploads stored
380 MiB, and 150 small ones stored 108 files.
"""

from __future__ import annotations

import asyncio
from typing import Any

from litestar.testing import AsyncTestClient
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from backend.applications.uploads import DAILY_BYTES, DAILY_FILES
from backend.db import tables as t
from tests.support.applications import PNG
from tests.support.identity import citizen_token

Sessions = async_sessionmaker[AsyncSession]


async def _send(api: AsyncTestClient[Any], token: str, content: bytes) -> int:
    response = await api.post(
        "/uploads", files={"file": ("scan.png", content, "image/png")}, headers={"authorization": f"Bearer {token}"}
    )
    return response.status_code


async def _stored(db: Sessions, phone: str) -> tuple[int, int]:
    async with db() as session:
        citizen = (await session.execute(select(t.citizens.c.id).where(t.citizens.c.phone == phone))).scalar_one()
        count, size = (
            await session.execute(
                select(func.count(), func.coalesce(func.sum(t.uploads.c.size), 0)).where(
                    t.uploads.c.citizen_id == citizen
                )
            )
        ).one()
    return int(count), int(size)


async def test_concurrent_large_uploads_never_pass_the_daily_bytes(
    api: AsyncTestClient[Any], db: Sessions, fresh_redis: Any
) -> None:
    phone = "13600136101"
    token = await citizen_token(api, db, phone)
    big = PNG + b"\0" * (int(9.5 * 1024 * 1024) - len(PNG))
    statuses = await asyncio.gather(*(_send(api, token, big) for _ in range(40)))
    accepted = DAILY_BYTES // len(big)  # 21 of them fit in 200 MiB
    assert sorted(statuses) == [201] * accepted + [429] * (40 - accepted)
    count, size = await _stored(db, phone)
    assert count == accepted and size <= DAILY_BYTES


async def test_concurrent_small_uploads_never_pass_the_daily_files(
    api: AsyncTestClient[Any], db: Sessions, fresh_redis: Any
) -> None:
    phone = "13600136102"
    token = await citizen_token(api, db, phone)
    statuses = await asyncio.gather(*(_send(api, token, PNG + bytes([n % 256, n // 256])) for n in range(150)))
    assert statuses.count(201) == DAILY_FILES and statuses.count(429) == 50
    assert await _stored(db, phone) == (DAILY_FILES, DAILY_FILES * (len(PNG) + 2))
