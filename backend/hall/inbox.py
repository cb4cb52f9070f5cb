"""The hall's notices in the citizen's inbox (reminders, no-show warnings, "rate it", rectification
answers): one row each, in the caller's transaction; the inbox renders it in the reader's language from
its kind and params (backend/graphql/applications/inbox.py)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from backend.db import tables as t


async def tell_citizen(
    session: AsyncSession,
    citizen_id: str,
    kind: str,
    now: datetime,
    params: dict[str, Any],
    application_id: str | None = None,
) -> None:
    """Put a notice of `kind` in the citizen's inbox."""
    await session.execute(
        t.notifications.insert().values(
            id=str(uuid.uuid4()),
            citizen_id=citizen_id,
            application_id=application_id,
            kind=kind,
            params=params,
            created_at=now,
            read_at=None,
        )
    )
