"""A hall's opening hours in Beijing time: open now, and when it closes today."""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from backend.applications.workdays import WorkCalendar
from backend.catalog import models as m

BEIJING = ZoneInfo("Asia/Shanghai")


def beijing_day(now: datetime) -> date:
    """The Beijing day at an aware moment: a ticket number belongs to it."""
    return now.astimezone(BEIJING).date()


def span(hall: m.Hall, day: date) -> tuple[time, time] | None:
    """The day's opening hours, None when the hall is closed all day."""
    if WorkCalendar.default().is_working_day(day):
        text = hall.hours.get("mon-fri")  # a make-up working Saturday keeps weekday hours
    elif day.weekday() == 5:
        text = hall.hours.get("sat")  # an ordinary Saturday: the hall's Saturday morning, if any
    else:
        return None
    if not text:
        return None
    start, end = text.split("-")
    return time.fromisoformat(start), time.fromisoformat(end)


def closes_at(hall: m.Hall, now: datetime) -> datetime | None:
    """When the hall closes today, if it is open at `now` (None when closed)."""
    local = now.astimezone(BEIJING)
    span_ = span(hall, local.date())
    if span_ is None or not span_[0] <= local.time() < span_[1]:
        return None
    return datetime.combine(local.date(), span_[1], BEIJING)


def is_open(hall: m.Hall, now: datetime) -> bool:
    """Whether the hall is open at `now`."""
    return closes_at(hall, now) is not None
