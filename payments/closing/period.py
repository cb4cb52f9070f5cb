"""Which journal entries belong to a Beijing day: the day's period, cut by the ledger's insertion order.

A day is closed at a cut (the last journal entry id it holds). An entry belongs to the first day, from
its own timestamp's day on, that was still open when it was written, so a closed day never gains or
loses an entry: an entry written after the cut belongs to the next open day even if its timestamp is
the closed day (Formance's rule; Fineract's closed period). In practice: an entry dated day T belongs
to the smallest day d >= T that is open, or that is closed with the entry at or before its cut.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, and_, false, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from payments import tables as t

BEIJING = ZoneInfo("Asia/Shanghai")


def day_start(day: date) -> datetime:
    """The UTC moment a Beijing day begins."""
    return datetime.combine(day, time(0), BEIJING).astimezone(UTC)


def beijing_today(now: datetime | None = None) -> date:
    """Today in Beijing."""
    return (now or datetime.now(UTC)).astimezone(BEIJING).date()


def day_of(moment: datetime) -> date:
    """The Beijing day of a moment."""
    return moment.astimezone(BEIJING).date()


async def cuts(session: AsyncSession) -> dict[date, int]:
    """Every closed day's cut (the table is one row per closed day: small)."""
    rows = await session.execute(select(t.closed_days.c.day, t.closed_days.c.last_entry_id))
    return {row.day: int(row.last_entry_id) for row in rows}


def period(day: date, closed: dict[date, int]) -> ColumnElement[bool]:
    """A condition on journal_entries: the entry belongs to `day`'s period (see the module)."""
    entries = t.journal_entries.c
    upper = closed.get(day)
    conditions: list[ColumnElement[bool]] = [entries.at < day_start(day + timedelta(days=1))]
    if upper is not None:
        conditions.append(entries.id <= upper)
    # Entries dated on the closed days just before `day` that were written after those days closed
    # come here; an entry dated before the latest open day belongs to that open day (or before it).
    ranges: list[ColumnElement[bool]] = []
    later_cut = 0  # the highest cut of the closed days between an earlier day and `day`
    current = day
    while True:
        ranges.append(
            and_(
                entries.at >= day_start(current),
                entries.at < day_start(current + timedelta(days=1)),
                entries.id > later_cut,
            )
            if later_cut
            else and_(entries.at >= day_start(current), entries.at < day_start(current + timedelta(days=1)))
        )
        current -= timedelta(days=1)
        if current not in closed:
            break
        later_cut = max(later_cut, closed[current])
    conditions.append(or_(false(), *ranges))
    return and_(*conditions)


async def closing_times(session: AsyncSession) -> dict[date, datetime]:
    """When each closed day was closed."""
    rows = await session.execute(select(t.closed_days.c.day, t.closed_days.c.closed_at))
    return {row.day: row.closed_at for row in rows}


def moment_period(moment: ColumnElement[datetime], day: date, closed: dict[date, datetime]) -> ColumnElement[bool]:
    """The same rule for what is not in the ledger but has a time (a receipt): issued after its day
    closed, it is the next open day's (the moment plays the part of the entry's id, the closing time
    the cut's)."""
    conditions: list[ColumnElement[bool]] = [moment < day_start(day + timedelta(days=1))]
    if day in closed:
        conditions.append(moment <= closed[day])
    ranges: list[ColumnElement[bool]] = []
    later: datetime | None = None
    current = day
    while True:
        within = and_(moment >= day_start(current), moment < day_start(current + timedelta(days=1)))
        ranges.append(and_(within, moment > later) if later is not None else within)
        current -= timedelta(days=1)
        if current not in closed:
            break
        later = max(later, closed[current]) if later is not None else closed[current]
    conditions.append(or_(false(), *ranges))
    return and_(*conditions)
