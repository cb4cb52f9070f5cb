"""Loading a year's official holiday arrangement (放假安排) into the calendar's data file.

Where the arrangements live: data/cn_workdays.json, beside the code, not a database table. It is national
reference data, the same for every deployment and changed once a year; kept in version control it is
reviewed like code, shipped with the release to every server and command alike, and tests and CI count
the same deadlines as production. A table would need a migration and a read on every request for data
that changes yearly, and could differ between environments. So an operator runs `onewindow calendar load`
when the State Council publishes the coming year, commits the file and deploys (servers read it at start).

Two sources: the `chinesecalendar` package (chinese_calendar), which carries the published arrangements
of the years its release knows, or a JSON file shaped like data/cn_workdays.json (typed in from the
notice when the package has no release for the year yet).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from pathlib import Path

import msgspec

from backend.applications.holidays import HOLIDAY_NAMES
from backend.applications.workdays import DATA_FILE, Holiday, HolidayName, ScheduleFile, WorkCalendar, YearSchedule

PACKAGE_SOURCE = "chinesecalendar {version} (the State Council's published arrangements)"

# chinese_calendar's Holiday enum names -> our holiday keys (a one-off commemoration keeps its own name).
_PACKAGE_KEYS = {
    "new_years_day": "new_years_day",
    "spring_festival": "spring_festival",
    "tomb_sweeping_day": "qingming",
    "labour_day": "labour_day",
    "dragon_boat_festival": "dragon_boat",
    "mid_autumn_festival": "mid_autumn",
    "national_day": "national_day",
}
_ONE_OFF_NAMES = {"anti_fascist_70th_day": ("抗战胜利70周年纪念日", "抗戰勝利70周年紀念日", "Anti-Fascist 70th Day")}


class UnknownYearError(ValueError):
    """The source has no arrangement for a year asked for."""


def package_years() -> frozenset[int]:
    """The years the installed chinesecalendar release has an arrangement for."""
    from chinese_calendar import constants

    return frozenset(day.year for day in constants.holidays)


def from_package(years: Iterable[int]) -> tuple[dict[int, YearSchedule], str]:
    """The arrangements of `years` as the installed chinesecalendar knows them, and the source line."""
    from importlib.metadata import version

    from chinese_calendar import constants

    known = package_years()
    result: dict[int, YearSchedule] = {}
    for year in sorted(set(years)):
        if year not in known:
            raise UnknownYearError(year)
        by_holiday: dict[str, list[date]] = {}
        for day, holiday in sorted(constants.holidays.items()):
            if day.year == year:
                by_holiday.setdefault(constants.Holiday(holiday).name, []).append(day)
        adjusted = sorted(day for day in constants.workdays if day.year == year)
        result[year] = YearSchedule(
            holidays=[Holiday(name=_name(key), dates=dates) for key, dates in by_holiday.items()],
            adjusted_workdays=adjusted,
        )
    return result, PACKAGE_SOURCE.format(version=version("chinesecalendar"))


def _name(package_key: str) -> HolidayName:
    if package_key in _PACKAGE_KEYS:
        return HolidayName(*HOLIDAY_NAMES[_PACKAGE_KEYS[package_key]])
    zh_hans, zh_hant, en = _ONE_OFF_NAMES.get(package_key, (package_key, package_key, package_key))
    return HolidayName(zh_hans, zh_hant, en)


def from_file(path: Path) -> tuple[dict[int, YearSchedule], str]:
    """The arrangements in a JSON file shaped like data/cn_workdays.json, and its source line."""
    loaded = msgspec.json.decode(path.read_bytes(), type=ScheduleFile)
    return dict(loaded.years), loaded.source


def load_into(years: dict[int, YearSchedule], source: str, path: Path = DATA_FILE) -> WorkCalendar:
    """Write `years` into the data file (replacing those years, keeping the others), checked first.

    Returns the calendar as it now reads; nothing is written if the merged schedule does not pass its checks.
    """
    current = msgspec.json.decode(path.read_bytes(), type=ScheduleFile) if path.exists() else None
    merged = dict(current.years) if current else {}
    merged.update(years)
    sources = current.source if current else ""
    if source and source not in sources:
        sources = f"{sources}; {source}" if sources else source
    schedule = ScheduleFile(source=sources, years=dict(sorted(merged.items())))
    calendar = WorkCalendar(schedule)  # raises on a bad date before anything is written
    path.write_bytes(msgspec.json.format(msgspec.json.encode(schedule), indent=2) + b"\n")
    return calendar
