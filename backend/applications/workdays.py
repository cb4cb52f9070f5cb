"""Chinese working days (工作日): promised processing times, deadlines and overdue checks.

A matter promises a number of working days. Working days are Monday to Friday, minus the public holidays
the State Council announces each year, plus the weekend days it turns into working days (调休上班).
The announcements for the covered years live in data/cn_workdays.json (`onewindow calendar load` adds a
year when it is published, around November for the following year). A year without one is counted with the
provisional rule of holidays.py (weekends and the statutory holidays, no 调休), and every deadline that
reaches into such a year is provisional: `is_provisional` and `deadline` tell the caller, who shows it.

Dates are calendar dates in China (Asia/Shanghai): a matter submitted at 23:30 on a Friday in Guangzhou is
submitted on that Friday, whatever the UTC date is.
"""

from __future__ import annotations

import functools
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import msgspec

from backend.applications.holidays import HOLIDAY_NAMES, statutory_holidays

SHANGHAI = ZoneInfo("Asia/Shanghai")
DATA_FILE = Path(__file__).resolve().parent / "data" / "cn_workdays.json"
# A promise longer than this is a data error; refusing it keeps a typo from looping for years.
MAX_DAYS = 3650


class HolidayName(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """A holiday's name in the three locales."""

    zh_hans: str = msgspec.field(name="zh-Hans")
    zh_hant: str = msgspec.field(name="zh-Hant")
    en: str


class Holiday(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """One announced holiday and its days off."""

    name: HolidayName
    dates: list[date]


class YearSchedule(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """One year's announcement: the days off and the weekend days worked instead."""

    holidays: list[Holiday]
    adjusted_workdays: list[date]


class ScheduleFile(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """The shape of data/cn_workdays.json."""

    source: str
    years: dict[int, YearSchedule]


class Deadline(msgspec.Struct, frozen=True):
    """A promised date, and whether it was counted (in part) with the provisional rule."""

    due: date
    provisional: bool


class WorkCalendar:
    """Which days are working days in mainland China, from the State Council's announcements."""

    def __init__(self, schedule: ScheduleFile) -> None:
        self._years = frozenset(schedule.years)
        self._holidays: dict[date, HolidayName] = {}
        adjusted: set[date] = set()
        for year, announced in schedule.years.items():
            for holiday in announced.holidays:
                for day in holiday.dates:
                    if day.year != year:
                        raise ValueError(f"holiday {day} is listed under {year}")
                    self._holidays[day] = holiday.name
            for day in announced.adjusted_workdays:
                if day.year != year:
                    raise ValueError(f"adjusted working day {day} is listed under {year}")
                # 调休 only ever moves work onto a weekend; a weekday here means a typo in the file.
                if day.weekday() < 5:
                    raise ValueError(f"adjusted working day {day} is not a Saturday or Sunday")
                if day in self._holidays:
                    raise ValueError(f"{day} is both a holiday and an adjusted working day")
                adjusted.add(day)
        self._adjusted: frozenset[date] = frozenset(adjusted)
        self._provisional: dict[int, dict[date, HolidayName]] = {}
        self.source = schedule.source

    @classmethod
    def load(cls, path: Path = DATA_FILE) -> WorkCalendar:
        """Read and check a schedule file shaped like data/cn_workdays.json."""
        return cls(msgspec.json.decode(path.read_bytes(), type=ScheduleFile))

    @classmethod
    def default(cls) -> WorkCalendar:
        """The bundled calendar, read once per process."""
        return _default()

    @property
    def years(self) -> frozenset[int]:
        """The years whose official schedule is known."""
        return self._years

    def covers(self, d: date) -> bool:
        """Whether the official schedule of d's year is known (otherwise the provisional rule counts)."""
        return d.year in self._years

    def is_provisional(self, start: date, end: date) -> bool:
        """Whether a count from start to end passes through a year counted with the provisional rule."""
        return any(year not in self._years for year in range(start.year, end.year + 1))

    def _provisional_days_off(self, year: int) -> dict[date, HolidayName]:
        if year not in self._provisional:
            self._provisional[year] = {
                day: HolidayName(*HOLIDAY_NAMES[key]) for key, days in statutory_holidays(year).items() for day in days
            }
        return self._provisional[year]

    def holiday_name(self, d: date) -> HolidayName | None:
        """The public holiday d belongs to: an announced day off, or a statutory one in a provisional year."""
        if self.covers(d):
            return self._holidays.get(d)
        return self._provisional_days_off(d.year).get(d)

    def is_working_day(self, d: date) -> bool:
        """Whether d is a working day: Monday to Friday, minus days off, plus adjusted weekend days."""
        if not self.covers(d):
            return d.weekday() < 5 and d not in self._provisional_days_off(d.year)
        if d in self._adjusted:
            return True
        if d in self._holidays:
            return False
        return d.weekday() < 5

    def next_working_day(self, d: date) -> date:
        """d itself if it is a working day, otherwise the first working day after it."""
        while not self.is_working_day(d):
            d += timedelta(days=1)
        return d

    def add_working_days(self, start: date, days: int) -> date:
        """The deadline of a promise of `days` working days counted from the day after `start`.

        days=0 (即办) is due the same day if that is a working day, otherwise on the next working day.
        """
        if not 0 <= days <= MAX_DAYS:
            raise ValueError(f"days must be between 0 and {MAX_DAYS}, not {days}")
        if days == 0:
            return self.next_working_day(start)
        d = start
        while days > 0:
            d += timedelta(days=1)
            if self.is_working_day(d):
                days -= 1
        return d

    def deadline(self, start: date, days: int) -> Deadline:
        """add_working_days, and whether the date is provisional (a year on the way has no announcement)."""
        due = self.add_working_days(start, days)
        return Deadline(due, self.is_provisional(start, due))

    def working_days_between(self, start: date, end: date) -> int:
        """How many working days come after start, up to and including end (0 if end <= start)."""
        count = 0
        d = start + timedelta(days=1)
        while d <= end:
            if self.is_working_day(d):
                count += 1
            d += timedelta(days=1)
        return count

    def deadline_for(self, submitted_at: datetime, days: int) -> date:
        """The deadline of a promise of `days` working days for a matter submitted at an aware datetime."""
        return self.add_working_days(shanghai_date(submitted_at), days)


@functools.cache
def _default() -> WorkCalendar:
    return WorkCalendar.load()


def shanghai_date(moment: datetime) -> date:
    """The calendar date in China at an aware datetime (naive datetimes are refused: their zone is unknown)."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("a timezone-aware datetime is required")
    return moment.astimezone(SHANGHAI).date()


def deadline_for(submitted_at: datetime, days: int, *, calendar: WorkCalendar | None = None) -> date:
    """The deadline of `days` working days for a submission at an aware (UTC) datetime, by the China date."""
    return (calendar or WorkCalendar.default()).deadline_for(submitted_at, days)


def is_overdue(deadline: date, now: datetime) -> bool:
    """Whether the deadline has passed: the date in China at `now` is after it (the whole day counts)."""
    return shanghai_date(now) > deadline
