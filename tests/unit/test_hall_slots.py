"""Slots from a hall's hours (issue 19): working days, 调休, Saturdays, holidays; places from counters."""

from __future__ import annotations

from datetime import date

import pytest

from backend.applications.workdays import SHANGHAI, WorkCalendar
from backend.catalog import models as m
from backend.hall.appointments.calendar import capacity, slot_times
from backend.hall.appointments.models import Policy
from backend.hall.categories import Category

NAME = {"zh-Hans": "x", "zh-Hant": "x", "en": "x"}
HALL = m.Hall("HALL-T", "440104", NAME, NAME, {"mon-fri": "09:00-17:00", "sat": "09:00-12:00"}, 10, True)
CALENDAR = WorkCalendar.default()


def _hours(day: date, policy: Policy | None = None) -> list[str]:
    return [
        s.astimezone(SHANGHAI).strftime("%H:%M")
        for s, _ in slot_times(HALL, day, policy or Policy(hall_code="H"), CALENDAR)
    ]


def test_a_weekday_is_cut_into_whole_slots_from_opening_to_closing() -> None:
    assert _hours(date(2026, 12, 9)) == ["09:00", "10:00", "11:00", "12:00", "13:00", "14:00", "15:00", "16:00"]
    assert _hours(date(2026, 12, 9), Policy(hall_code="H", slot_minutes=90)) == [
        "09:00",
        "10:30",
        "12:00",
        "13:30",
        "15:00",
    ]


def test_saturday_hours_sundays_and_holidays_closed() -> None:
    assert _hours(date(2026, 12, 12)) == ["09:00", "10:00", "11:00"]
    assert _hours(date(2026, 12, 13)) == []
    assert _hours(date(2027, 1, 1)) == []  # New Year's Day


def test_a_weekend_day_worked_instead_of_a_holiday_has_the_weekday_hours() -> None:
    assert len(_hours(date(2026, 2, 14))) == 8  # a Saturday worked for the Spring Festival


@pytest.mark.parametrize(
    ("counters", "walk_in", "handling", "expected"),
    [(72, 30, 15, 201), (72, 50, 15, 144), (1, 90, 60, 1), (0, 30, 15, 0), (3, 0, 20, 9)],
)
def test_places_are_counters_times_visits_less_the_walk_in_share_rounded_down(
    counters: int, walk_in: int, handling: int, expected: int
) -> None:
    policy = Policy(hall_code="H", walk_in_percent=walk_in, handling_minutes=handling)
    assert capacity(Category("H", "C", "A", NAME, counters), policy) == expected
