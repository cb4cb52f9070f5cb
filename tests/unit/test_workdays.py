"""Chinese working days: the State Council schedules of 2025 and 2026, deadlines and the China date."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from backend.applications.workdays import DATA_FILE, WorkCalendar, deadline_for, is_overdue, shanghai_date

CAL = WorkCalendar.default()


def utc(year: int, month: int, day: int, hour: int, minute: int) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def test_default_is_loaded_once() -> None:
    assert WorkCalendar.default() is CAL
    assert CAL.years == {2025, 2026}


def test_the_file_matches_the_announcements() -> None:
    data = json.loads(DATA_FILE.read_text(encoding="utf-8"))
    days_off = {year: sum(len(h["dates"]) for h in y["holidays"]) for year, y in data["years"].items()}
    # 2025: 1 + 8 + 3 + 5 + 3 + 8; 2026: 3 + 9 + 3 + 5 + 3 + 3 + 7.
    assert days_off == {"2025": 28, "2026": 33}
    for y in data["years"].values():
        for holiday in y["holidays"]:
            assert set(holiday["name"]) == {"zh-Hans", "zh-Hant", "en"}
    assert data["years"]["2025"]["adjusted_workdays"] == [
        "2025-01-26",
        "2025-02-08",
        "2025-04-27",
        "2025-09-28",
        "2025-10-11",
    ]
    assert data["years"]["2026"]["adjusted_workdays"] == [
        "2026-01-04",
        "2026-02-14",
        "2026-02-28",
        "2026-05-09",
        "2026-09-20",
        "2026-10-10",
    ]


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (date(2025, 1, 1), False),  # 元旦, a Wednesday
        (date(2025, 1, 26), True),  # Sunday worked for the Spring Festival
        (date(2025, 2, 4), False),  # last day of the 2025 Spring Festival, a Tuesday
        (date(2025, 2, 8), True),  # Saturday worked
        (date(2025, 5, 5), False),  # Labour Day, a Monday
        (date(2025, 10, 8), False),  # National Day and Mid-Autumn, a Wednesday
        (date(2025, 10, 11), True),  # Saturday worked
        (date(2026, 1, 2), False),  # 元旦 2026, a Friday
        (date(2026, 1, 4), True),  # Sunday worked
        (date(2026, 2, 14), True),  # Saturday worked before the Spring Festival
        (date(2026, 2, 23), False),  # last day of the 2026 Spring Festival, a Monday
        (date(2026, 2, 28), True),  # Saturday worked after it
        (date(2026, 5, 9), True),
        (date(2026, 6, 19), False),  # 端午, a Friday
        (date(2026, 9, 25), False),  # 中秋, a Friday
        (date(2026, 9, 20), True),
        (date(2026, 10, 7), False),
        (date(2026, 10, 10), True),
        (date(2026, 3, 7), False),  # an ordinary Saturday
        (date(2026, 3, 9), True),  # an ordinary Monday
    ],
)
def test_is_working_day(day: date, working: bool) -> None:
    assert CAL.is_working_day(day) is working


def test_holiday_names() -> None:
    name = CAL.holiday_name(date(2026, 2, 17))
    assert name is not None and (name.zh_hans, name.zh_hant, name.en) == ("春节", "春節", "Spring Festival")
    assert CAL.holiday_name(date(2026, 2, 14)) is None


def test_spring_festival_2026() -> None:
    # Friday Feb 13 + 3: Sat Feb 14 (worked), then Feb 15-23 off, then Tue Feb 24 and Wed Feb 25.
    assert CAL.add_working_days(date(2026, 2, 13), 3) == date(2026, 2, 25)
    assert CAL.working_days_between(date(2026, 2, 13), date(2026, 2, 25)) == 3
    # Nine days off and the weekend in between: nothing counts from Feb 14 to Feb 23.
    assert CAL.working_days_between(date(2026, 2, 14), date(2026, 2, 23)) == 0


def test_adjusted_saturday_counts() -> None:
    assert CAL.add_working_days(date(2026, 2, 13), 1) == date(2026, 2, 14)
    assert CAL.add_working_days(date(2026, 2, 14), 0) == date(2026, 2, 14)
    assert CAL.add_working_days(date(2026, 2, 27), 1) == date(2026, 2, 28)


def test_national_day_2025() -> None:
    assert CAL.add_working_days(date(2025, 9, 30), 1) == date(2025, 10, 9)
    assert CAL.add_working_days(date(2025, 9, 26), 2) == date(2025, 9, 29)  # via Sunday Sep 28, worked
    assert CAL.add_working_days(date(2025, 9, 30), 3) == date(2025, 10, 11)  # Saturday Oct 11 is worked
    assert CAL.working_days_between(date(2025, 9, 30), date(2025, 10, 12)) == 3


def test_deadline_crossing_new_year_2026() -> None:
    # Wed Dec 31 2025 + 2: Jan 1-3 off, Sunday Jan 4 worked, Monday Jan 5.
    assert CAL.add_working_days(date(2025, 12, 31), 2) == date(2026, 1, 5)
    assert CAL.add_working_days(date(2025, 12, 26), 4) == date(2026, 1, 4)


def test_deadline_crossing_into_a_covered_year() -> None:
    # 2024 is not covered (Monday to Friday), but 2025's New Year's Day is known.
    assert not CAL.covers(date(2024, 12, 31))
    assert CAL.add_working_days(date(2024, 12, 31), 1) == date(2025, 1, 2)


def test_zero_days_on_a_holiday_is_due_the_next_working_day() -> None:
    assert CAL.add_working_days(date(2025, 10, 3), 0) == date(2025, 10, 9)
    assert CAL.add_working_days(date(2026, 2, 15), 0) == date(2026, 2, 24)
    assert CAL.add_working_days(date(2026, 3, 7), 0) == date(2026, 3, 9)  # an ordinary Saturday
    assert CAL.add_working_days(date(2026, 3, 6), 0) == date(2026, 3, 6)


def test_working_days_between_edges() -> None:
    assert CAL.working_days_between(date(2026, 3, 9), date(2026, 3, 9)) == 0
    assert CAL.working_days_between(date(2026, 3, 10), date(2026, 3, 9)) == 0
    assert CAL.working_days_between(date(2026, 3, 6), date(2026, 3, 9)) == 1


def test_between_undoes_add() -> None:
    start = date(2024, 12, 1)
    while start < date(2027, 1, 31):
        for days in (1, 2, 5, 20):
            assert CAL.working_days_between(start, CAL.add_working_days(start, days)) == days
        start += timedelta(days=3)


def test_outside_covered_years_counts_weekends_and_statutory_holidays() -> None:
    assert not CAL.covers(date(2027, 1, 1)) and CAL.covers(date(2026, 12, 31))
    assert not CAL.is_working_day(date(2027, 1, 1))  # a Friday, but New Year's Day by the provisional rule
    assert not CAL.is_working_day(date(2030, 10, 5))  # a Saturday
    # National Day 2030 (1-3 October, Tuesday to Thursday) is off; no 调休 can be foreseen
    assert CAL.add_working_days(date(2030, 9, 27), 5) == date(2030, 10, 9)
    assert CAL.working_days_between(date(2030, 9, 27), date(2030, 10, 9)) == 5


def test_negative_or_absurd_days_are_refused() -> None:
    with pytest.raises(ValueError, match="days"):
        CAL.add_working_days(date(2026, 3, 9), -1)
    with pytest.raises(ValueError, match="days"):
        CAL.add_working_days(date(2026, 3, 9), 100_000)


def test_timezone_boundary() -> None:
    # Thursday Mar 5 2026, 23:30 in Shanghai is 15:30 UTC: counted from Thursday, due Friday.
    assert deadline_for(utc(2026, 3, 5, 15, 30), 1) == date(2026, 3, 6)
    # Half an hour later it is Friday in Shanghai: due Monday.
    assert deadline_for(utc(2026, 3, 5, 16, 0), 1) == date(2026, 3, 9)
    # Friday 23:30 in Shanghai counts from that Friday: a same-day matter is due that Friday.
    assert deadline_for(utc(2026, 3, 6, 15, 30), 0) == date(2026, 3, 6)
    assert deadline_for(utc(2026, 3, 6, 16, 0), 0) == date(2026, 3, 9)
    # 01:00 on Friday in Shanghai is still Thursday in UTC.
    assert shanghai_date(utc(2026, 3, 5, 17, 0)) == date(2026, 3, 6)


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        deadline_for(datetime(2026, 3, 5, 12, 0), 1)
    with pytest.raises(ValueError, match="timezone-aware"):
        is_overdue(date(2026, 3, 9), datetime(2026, 3, 10, 12, 0))


def test_is_overdue_by_the_china_date() -> None:
    deadline = date(2026, 3, 9)
    assert not is_overdue(deadline, utc(2026, 3, 9, 15, 59))  # 23:59 on the deadline in Shanghai
    assert is_overdue(deadline, utc(2026, 3, 9, 16, 0))  # midnight: the 10th in Shanghai
    assert not is_overdue(deadline, utc(2026, 3, 1, 0, 0))


def test_a_bad_schedule_is_refused(tmp_path: Path) -> None:
    data = json.loads(DATA_FILE.read_text(encoding="utf-8"))
    data["years"]["2026"]["adjusted_workdays"].append("2026-03-04")  # a Wednesday
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(ValueError, match="not a Saturday or Sunday"):
        WorkCalendar.load(bad)
    data = json.loads(DATA_FILE.read_text(encoding="utf-8"))
    data["years"]["2025"]["adjusted_workdays"].append("2026-03-07")
    bad.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(ValueError, match="listed under 2025"):
        WorkCalendar.load(bad)
