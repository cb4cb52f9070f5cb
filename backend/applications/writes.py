"""Writing applications: inserting new ones under a fresh reference, and updating one only if nobody
changed it since it was read."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from datetime import date
from typing import Any

import msgspec
from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from backend.applications.errors import ApplicationErrorCode
from backend.applications.models import Application
from backend.db import tables as t
from backend.errors import DomainError


def new_reference(today: date) -> str:
    """What a citizen quotes on the phone: the date and eight random digits."""
    return f"GZ{today:%y%m%d}{secrets.randbelow(10**8):08d}"


async def insert(session: AsyncSession, applications: Sequence[Application], today: date) -> list[Application]:
    """Insert applications; a reference that happens to be taken already is drawn again. What was stored."""
    rows = list(applications)
    for attempt in range(5):
        try:
            async with session.begin_nested():
                await session.execute(t.applications.insert(), [msgspec.structs.asdict(a) for a in rows])
            return rows
        except IntegrityError:
            if attempt == 4:
                raise
            rows = [msgspec.structs.replace(a, reference=new_reference(today)) for a in rows]
    raise AssertionError("unreachable")


async def update_versioned(
    session: AsyncSession, application: Application, *, field: str, **values: Any
) -> Application:
    """Write `values` only if nobody changed the application since it was read (STALE_APPLICATION);
    the application as written, its version one higher."""
    version = application.version + 1
    result = await session.execute(
        update(t.applications)
        .where(t.applications.c.id == application.id, t.applications.c.version == application.version)
        .values(**values, version=version)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise DomainError(ApplicationErrorCode.STALE_APPLICATION, field=field)
    return msgspec.structs.replace(application, **values, version=version)
