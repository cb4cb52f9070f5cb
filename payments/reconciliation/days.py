"""Beijing days: the bounds of one in UTC, and which day's bill the daily job should reconcile now."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

BEIJING = ZoneInfo("Asia/Shanghai")

BILL_READY_HOUR = 10
"""Beijing hour after which the channels' bills of the day before can be downloaded (T+1, 9-10 am)."""


def bounds(day: date) -> tuple[datetime, datetime]:
    """The UTC start (inclusive) and end (exclusive) of a Beijing day."""
    start = datetime.combine(day, time(0), BEIJING).astimezone(UTC)
    return start, start + timedelta(days=1)


def beijing_day(moment: datetime) -> date:
    """The Beijing day a moment falls on."""
    return moment.astimezone(BEIJING).date()


def today(now: datetime | None = None) -> date:
    """Today in Beijing."""
    return beijing_day(now or datetime.now(UTC))


def bill_day_due(now: datetime, last_checked: date | None) -> date | None:
    """The Beijing day whose bill the daily job should reconcile now, or None (not ready, or done)."""
    local = now.astimezone(BEIJING)
    yesterday = local.date() - timedelta(days=1)
    if local.hour < BILL_READY_HOUR or (last_checked is not None and last_checked >= yesterday):
        return None
    return yesterday
