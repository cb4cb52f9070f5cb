"""When a hall takes appointments: its opening hours on a Beijing day, cut into slots (pure functions)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from backend.applications.workdays import SHANGHAI, WorkCalendar
from backend.catalog import models as m
from backend.hall.appointments.models import Policy
from backend.hall.categories import Category


def opening_hours(hall: m.Hall, day: date, calendar: WorkCalendar) -> tuple[time, time] | None:
    """The hall's hours on `day`, or None when it is closed.

    A working day (Monday to Friday, or a weekend day worked instead of a holiday: 调休) has the weekday
    hours; a Saturday that is no holiday has the Saturday hours if the hall opens then; a holiday or a
    Sunday is closed.
    """
    if calendar.is_working_day(day):
        hours = hall.hours.get("mon-fri")
    elif day.weekday() == 5 and calendar.holiday_name(day) is None:
        hours = hall.hours.get("sat")
    else:
        hours = None
    if not hours:
        return None
    opens, _, closes = hours.partition("-")
    return time.fromisoformat(opens), time.fromisoformat(closes)


def slot_times(hall: m.Hall, day: date, policy: Policy, calendar: WorkCalendar) -> list[tuple[datetime, datetime]]:
    """The day's slots as (start, end) in UTC: whole slots of `slot_minutes` from opening to closing."""
    hours = opening_hours(hall, day, calendar)
    if hours is None:
        return []
    start = datetime.combine(day, hours[0], SHANGHAI)
    closes = datetime.combine(day, hours[1], SHANGHAI)
    length = timedelta(minutes=policy.slot_minutes)
    slots = []
    while start + length <= closes:
        slots.append((start.astimezone(UTC), (start + length).astimezone(UTC)))
        start += length
    return slots


def capacity(category: Category, policy: Policy) -> int:
    """Places open to booking in one slot: the category's counters x the visits a counter handles in a slot,
    less the walk-in share, rounded down; at least 1 when the category has counters."""
    if category.counters <= 0:
        return 0
    places = category.counters * policy.slot_minutes * (100 - policy.walk_in_percent)
    return max(1, places // (policy.handling_minutes * 100))


def beijing_day(moment: datetime) -> date:
    """The Beijing calendar day of an aware moment."""
    return moment.astimezone(SHANGHAI).date()
