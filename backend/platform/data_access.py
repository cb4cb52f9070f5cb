"""Who used a citizen's data: per app and Beijing day, the scopes whose data it read through the API and
the events about the citizen it was sent (`myDataAccess` shows them to the citizen)."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from backend.db import tables as t
from backend.db.upsert import insert_for

BEIJING = ZoneInfo("Asia/Shanghai")


class AccessKind(StrEnum):
    """What an app did with the data."""

    READ = "read"  # item: a scope whose fields the app's token resolved
    EVENT = "event"  # item: an event type delivered to the app's webhook


async def count_access(
    session: AsyncSession,
    citizen_id: str,
    client_id: str,
    kind: AccessKind,
    items: dict[str, int],
    at: datetime | None = None,
) -> None:
    """Add `items` ({scope or event type: how many}) to the citizen's record of the app's day."""
    if not items:
        return
    day = (at or datetime.now(UTC)).astimezone(BEIJING).date()
    table = t.data_access
    for item, count in sorted(items.items()):  # a fixed order: two writers never deadlock on the rows
        upsert = insert_for(session, table).values(
            citizen_id=citizen_id, client_id=client_id, day=day, kind=kind.value, item=item, count=count
        )
        await session.execute(
            upsert.on_conflict_do_update(
                index_elements=["citizen_id", "client_id", "day", "kind", "item"],
                set_={"count": table.c.count + count},
            )
        )
