"""Beijing days: what finance means by "a day", and the checks every range of days a person gives passes."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from backend.errors import DomainError
from payments.finance.errors import FinanceErrorCode

BEIJING = ZoneInfo("Asia/Shanghai")
MAX_EXPORT_DAYS = 92  # a quarter: a city's quarter of payments is still a file Excel opens


def beijing_today(now: datetime | None = None) -> date:
    """Today's date in Beijing."""
    return (now or datetime.now(UTC)).astimezone(BEIJING).date()


def day_start(day: date) -> datetime:
    """The first moment of a Beijing day, in UTC."""
    return datetime.combine(day, time.min, tzinfo=BEIJING).astimezone(UTC)


def day_bounds(day_from: date | None, day_to: date | None) -> tuple[datetime | None, datetime | None]:
    """[start, end) in UTC of the Beijing days from `day_from` to `day_to` inclusive (either may be open)."""
    start = day_start(day_from) if day_from else None
    end = day_start(day_to + timedelta(days=1)) if day_to else None
    return start, end


def in_beijing(moment: datetime | None) -> datetime | None:
    """A stored UTC moment as Beijing time (what finance reads and exports)."""
    return moment.astimezone(BEIJING) if moment is not None else None


def check_days(
    day_from: date | None,
    day_to: date | None,
    *,
    max_days: int | None = None,
    now: datetime | None = None,
    fields: tuple[str, str] = ("dayFrom", "dayTo"),
) -> None:
    """Refuse a range a finance person could not mean: reversed, longer than `max_days`, or a day to come."""
    today = beijing_today(now)
    if day_from and day_to and day_to < day_from:
        raise DomainError(
            FinanceErrorCode.FINANCE_DAYS_REVERSED,
            field=fields[1],
            day_from=day_from.isoformat(),
            day_to=day_to.isoformat(),
        )
    for day, field in ((day_from, fields[0]), (day_to, fields[1])):
        if day and day > today:
            raise DomainError(
                FinanceErrorCode.FINANCE_DAY_IN_FUTURE, field=field, day=day.isoformat(), today=today.isoformat()
            )
    if max_days is not None and day_from and day_to and (day_to - day_from).days + 1 > max_days:
        raise DomainError(
            FinanceErrorCode.FINANCE_DAYS_TOO_MANY, field=fields[1], max=max_days, days=(day_to - day_from).days + 1
        )
