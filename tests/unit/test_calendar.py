"""Issue 14 item 10: working days across a year whose official arrangement is not published yet.

A deadline reaching into such a year is counted with the provisional rule (weekends and the statutory
holidays, lunar ones from the lunar calendar) and is marked provisional; `onewindow calendar load` writes
the official arrangement when it is out, and from then on that year's days off and 调休 count.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import msgspec
import pytest
from click.testing import CliRunner

from backend.applications import arrangements
from backend.applications.holidays import qingming, statutory_holidays
from backend.applications.workdays import DATA_FILE, Deadline, WorkCalendar
from backend.cli import main as cli

BUNDLED = WorkCalendar.default()
SUBMITTED = date(2026, 12, 7)  # a Monday; the bundled data has 2025 and 2026 only

# What the 2027 notice could say (the real one is not out as this is written): the test needs a year
# whose arrangement differs from the provisional rule, with a 调休 Saturday.
NOTICE_2027 = {
    "source": "test notice for 2027",
    "years": {
        "2027": {
            "holidays": [
                {"name": {"zh-Hans": "元旦", "zh-Hant": "元旦", "en": "New Year's Day"}, "dates": ["2027-01-01"]},
                {
                    "name": {"zh-Hans": "春节", "zh-Hant": "春節", "en": "Spring Festival"},
                    "dates": [f"2027-02-{d:02}" for d in range(5, 14)],
                },
            ],
            "adjusted_workdays": ["2027-02-20"],
        }
    },
}


def _monday_to_friday(start: date, days: int) -> date:
    while days:
        start += timedelta(days=1)
        days -= start.weekday() < 5
    return start


def _loaded_2027(tmp_path: Path) -> Path:
    notice, data = tmp_path / "notice.json", tmp_path / "cn_workdays.json"
    notice.write_text(json.dumps(NOTICE_2027), encoding="utf-8")
    data.write_bytes(DATA_FILE.read_bytes())
    return data


def test_twenty_working_days_from_december_skip_new_years_day_and_are_provisional() -> None:
    # 20 weekdays after 2026-12-07 end on 2027-01-04; 1 January 2027 (a Friday) is a statutory holiday
    assert _monday_to_friday(SUBMITTED, 20) == date(2027, 1, 4)
    assert not BUNDLED.covers(date(2027, 1, 1))
    assert not BUNDLED.is_working_day(date(2027, 1, 1))
    assert BUNDLED.holiday_name(date(2027, 1, 1)) is not None
    assert BUNDLED.deadline(SUBMITTED, 20) == Deadline(date(2027, 1, 5), provisional=True)


def test_sixty_working_days_skip_the_2027_spring_festival() -> None:
    # Lunar New Year 2027 is 6 February: its eve (Fri 5 Feb) and the first three days (to Mon 8 Feb) are off
    assert statutory_holidays(2027)["spring_festival"] == tuple(date(2027, 2, d) for d in (5, 6, 7, 8))
    assert not BUNDLED.is_working_day(date(2027, 2, 5)) and not BUNDLED.is_working_day(date(2027, 2, 8))
    # New Year's Day and the two weekdays of the festival: three days later than weekdays alone
    assert _monday_to_friday(SUBMITTED, 60) == date(2027, 3, 1)
    assert BUNDLED.deadline(SUBMITTED, 60) == Deadline(date(2027, 3, 4), provisional=True)


def test_a_deadline_inside_an_announced_year_is_official() -> None:
    assert BUNDLED.deadline(date(2026, 3, 2), 10) == Deadline(date(2026, 3, 16), provisional=False)
    # submitted in a covered year, due in one that is not: provisional
    assert BUNDLED.is_provisional(date(2026, 12, 30), date(2027, 1, 4))
    assert not BUNDLED.is_provisional(date(2025, 12, 30), date(2026, 1, 5))


def test_the_provisional_rule_lists_every_statutory_holiday() -> None:
    assert statutory_holidays(2027) == {
        "new_years_day": (date(2027, 1, 1),),
        "spring_festival": (date(2027, 2, 5), date(2027, 2, 6), date(2027, 2, 7), date(2027, 2, 8)),
        "qingming": (date(2027, 4, 5),),
        "labour_day": (date(2027, 5, 1), date(2027, 5, 2)),
        "dragon_boat": (date(2027, 6, 9),),
        "mid_autumn": (date(2027, 9, 15),),
        "national_day": (date(2027, 10, 1), date(2027, 10, 2), date(2027, 10, 3)),
    }
    # Qingming is a solar term: 4 or 5 April (the announced years agree)
    assert [qingming(y).day for y in range(2024, 2031)] == [4, 4, 5, 5, 4, 4, 5]
    with pytest.raises(ValueError, match="2100"):
        statutory_holidays(2100)


def test_the_provisional_rule_agrees_with_the_announced_years_on_the_festivals() -> None:
    # Every statutory day of 2025 and 2026 is inside the announced holiday of the same name
    for year in (2025, 2026):
        for key, days in statutory_holidays(year).items():
            for day in days:
                name = BUNDLED.holiday_name(day)
                assert name is not None, (key, day)


def test_loading_the_2027_arrangement_makes_its_deadlines_official(tmp_path: Path) -> None:
    data = _loaded_2027(tmp_path)
    loaded, source = arrangements.from_file(tmp_path / "notice.json")
    calendar = arrangements.load_into(loaded, source, data)
    assert calendar.years == {2025, 2026, 2027}
    assert WorkCalendar.load(data).years == {2025, 2026, 2027}
    assert calendar.deadline(SUBMITTED, 20) == Deadline(date(2027, 1, 5), provisional=False)
    # the announced Spring Festival (5 to 13 February) and its 调休 Saturday count, not the provisional rule
    assert not calendar.is_working_day(date(2027, 2, 10)) and calendar.is_working_day(date(2027, 2, 20))
    assert BUNDLED.is_working_day(date(2027, 2, 10)) and not BUNDLED.is_working_day(date(2027, 2, 20))


def test_a_bad_arrangement_writes_nothing(tmp_path: Path) -> None:
    data = _loaded_2027(tmp_path)
    before = data.read_bytes()
    bad = msgspec.json.decode(json.dumps(NOTICE_2027).replace("2027-02-20", "2027-02-17"))
    (tmp_path / "bad.json").write_text(json.dumps(bad), encoding="utf-8")
    loaded, source = arrangements.from_file(tmp_path / "bad.json")
    with pytest.raises(ValueError, match="not a Saturday or Sunday"):
        arrangements.load_into(loaded, source, data)
    assert data.read_bytes() == before


def test_the_package_source_gives_the_bundled_2026_arrangement() -> None:
    loaded, source = arrangements.from_package([2026])
    bundled = msgspec.json.decode(DATA_FILE.read_bytes())["years"]["2026"]
    assert msgspec.json.decode(msgspec.json.encode(loaded[2026])) == bundled
    assert source.startswith("chinesecalendar ")
    with pytest.raises(arrangements.UnknownYearError):
        arrangements.from_package([max(arrangements.package_years()) + 1])


def test_cli_add_workdays_prints_the_date_and_that_it_is_provisional() -> None:
    result = CliRunner().invoke(cli, ["calendar", "add-workdays", "2026-12-07", "20"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("2027-01-05  provisional: no official arrangement loaded for 2027")
    as_json = CliRunner().invoke(cli, ["calendar", "add-workdays", "--json", "2026-12-07", "60"])
    assert json.loads(as_json.output) == {"date": "2027-03-04", "provisional": True, "provisional_years": [2027]}
    official = CliRunner().invoke(cli, ["calendar", "add-workdays", "2026-03-02", "10"])
    assert official.output.strip() == "2026-03-16  official"


def test_cli_load_then_add_workdays_is_official(tmp_path: Path) -> None:
    data = _loaded_2027(tmp_path)
    loaded = CliRunner().invoke(
        cli, ["calendar", "load", "--from-file", str(tmp_path / "notice.json"), "--file", str(data)]
    )
    assert loaded.exit_code == 0, loaded.output
    assert "official years now: 2025 2026 2027" in loaded.output
    result = CliRunner().invoke(cli, ["calendar", "add-workdays", "2026-12-07", "20", "--file", str(data)])
    assert result.output.strip() == "2027-01-05  official"
    unknown = CliRunner().invoke(cli, ["calendar", "load", "--from-package", "--year", "2099", "--file", str(data)])
    assert unknown.exit_code == 1 and "no arrangement for 2099" in unknown.output


def test_cli_load_from_the_package_adds_only_new_years_unless_asked(tmp_path: Path) -> None:
    data = tmp_path / "cn_workdays.json"
    data.write_bytes(DATA_FILE.read_bytes())
    nothing = CliRunner().invoke(cli, ["calendar", "load", "--from-package", "--file", str(data)])
    assert nothing.exit_code == 0 and nothing.output.startswith("nothing new"), nothing.output
    assert data.read_bytes() == DATA_FILE.read_bytes()
    again = CliRunner().invoke(cli, ["calendar", "load", "--from-package", "--year", "2026", "--file", str(data)])
    assert again.exit_code == 0 and "loaded 2026" in again.output, again.output
    assert WorkCalendar.load(data).deadline(date(2026, 9, 30), 1) == Deadline(date(2026, 10, 8), provisional=False)
