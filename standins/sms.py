"""The SMS gateway's stand-in: every message is kept in a table instead of sent (`onewindow sms outbox`
prints them; tests read login codes from it)."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from backend.db import tables as t


class OutboxSms:
    """Keeps every message in a table instead of sending it (`onewindow sms outbox` prints them).

    Settings refuse this stand-in in production, so it can never swallow a real citizen's code.
    """

    async def send(self, session: AsyncSession, phone: str, body: str) -> None:
        """Store the message."""
        await session.execute(insert(t.sms_outbox).values(phone=phone, body=body, created_at=datetime.now(UTC)))


async def outbox(session: AsyncSession, phone: str | None = None, limit: int = 50) -> list[tuple[datetime, str, str]]:
    """The newest `limit` messages (for one phone if given), oldest first: (time, phone, body)."""
    query = select(t.sms_outbox.c.created_at, t.sms_outbox.c.phone, t.sms_outbox.c.body)
    if phone:
        query = query.where(t.sms_outbox.c.phone == phone)
    rows = list(await session.execute(query.order_by(t.sms_outbox.c.id.desc()).limit(limit)))
    return [(row.created_at, row.phone, row.body) for row in reversed(rows)]
