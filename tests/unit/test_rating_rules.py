"""好差评's rules without a database: a channel's criteria, the 差评 levels, a rectification's deadline in
working days across a holiday and its 调休 Saturday."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from backend.applications.workdays import WorkCalendar
from backend.hall.ratings.errors import RatingError, RatingErrorCode
from backend.hall.ratings.levels import BAD, SATISFIED, Level
from backend.hall.ratings.opening import RatedKind
from backend.hall.ratings.rating import check_criteria
from backend.hall.ratings.rectification import deadline

ONLINE = {"efficiency": "satisfied", "guide_accuracy": "basic", "convenience": "satisfied", "operability": "basic"}
HALL = {"service_efficiency": "satisfied", "service_level": "satisfied", "service_attitude": "very_dissatisfied"}


def test_the_bottom_two_levels_are_poor_and_the_top_three_count_as_satisfied() -> None:
    assert {Level.DISSATISFIED, Level.VERY_DISSATISFIED} == BAD
    assert {Level.VERY_SATISFIED, Level.SATISFIED, Level.BASIC} == SATISFIED


def test_each_channel_is_rated_on_its_own_national_criteria() -> None:
    assert check_criteria(RatedKind.ONLINE_CASE, ONLINE) == ONLINE
    assert check_criteria(RatedKind.HALL_VISIT, HALL) == HALL
    assert check_criteria(RatedKind.APPOINTMENT, HALL) == HALL
    for kind, criteria in (
        (RatedKind.ONLINE_CASE, HALL),  # the hall's criteria for an online case
        (RatedKind.HALL_VISIT, ONLINE),
        (RatedKind.HALL_VISIT, {k: v for k, v in HALL.items() if k != "service_attitude"}),  # one missing
        (RatedKind.HALL_VISIT, HALL | {"service_level": "great"}),  # not a level
    ):
        with pytest.raises(RatingError) as refused:
            check_criteria(kind, criteria)
        assert refused.value.code == RatingErrorCode.RATING_CRITERIA_MISMATCH


def test_a_rectification_is_due_five_working_days_later_across_national_day() -> None:
    calendar = WorkCalendar.default()
    # 01:00 on Wednesday 30 September 2026 in Beijing (17:00 UTC the day before): Oct 1-7 are off, Saturday
    # Oct 10 is worked (调休): Oct 8, 9, 10, 12, 13.
    assert deadline(datetime(2026, 9, 29, 17, 0, tzinfo=UTC), calendar, 5) == date(2026, 10, 13)
    # A Friday's: the weekend does not count
    assert deadline(datetime(2026, 12, 4, 2, 0, tzinfo=UTC), calendar, 5) == date(2026, 12, 11)
