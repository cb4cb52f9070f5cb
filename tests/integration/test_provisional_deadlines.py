"""Issue 14 item 10 through the real server: a citizen submits GZ-GA-0002 (20 working days) on
2026-12-07, before the 2027 holiday arrangement is published, and reads a deadline that skips New
Year's Day 2027 and says it is provisional; `sla check` counts it on time on that day and warns that
deadlines in 2027 are provisional. Once the 2027 arrangement is loaded, deadlines there are official.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from litestar.testing import AsyncTestClient
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from backend.applications import arrangements
from backend.applications.deadlines import recount_open_deadlines
from backend.applications.workdays import DATA_FILE, SHANGHAI, WorkCalendar
from backend.cli import main as cli
from backend.db.engine import unit_of_work
from backend.settings import get_settings
from tests.integration.test_applications import FORM, SUBMIT
from tests.support import factories
from tests.support.applications import fill_required, upload
from tests.support.gql import run
from tests.unit.test_calendar import NOTICE_2027

SUBMITTED_AT = datetime(2026, 12, 7, 10, 0, tzinfo=SHANGHAI)
READ = "query($id: ID!) { application(id: $id) { reference deadline deadlineProvisional overdue promisedDays } }"


def _set_day(api: AsyncTestClient[Any], moment: datetime, calendar: WorkCalendar | None = None) -> None:
    """The server's clock (and calendar) from now on: the test does not depend on the wall clock."""
    resources = api.app.state.resources
    deps = dataclasses.replace(resources.applications, clock=lambda: moment)
    resources.applications = dataclasses.replace(deps, calendar=calendar) if calendar else deps


async def _sla_check(monkeypatch: pytest.MonkeyPatch, database: str, day: str) -> Any:
    monkeypatch.setenv("ONEWINDOW_DATABASE_URL", database)
    get_settings.cache_clear()
    try:
        # The command runs its own event loop: in a thread, beside the test's
        return await asyncio.to_thread(CliRunner().invoke, cli, ["sla", "check", "--json", "--at", day])
    finally:
        get_settings.cache_clear()


async def test_a_citizen_reads_a_provisional_deadline_that_skips_new_years_day(
    api: AsyncTestClient[Any],
    db: async_sessionmaker[AsyncSession],
    catalog_database: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Given a citizen on Monday 7 December 2026, with no 2027 arrangement loaded
    _set_day(api, SUBMITTED_AT)
    citizen = await factories.citizen(api, db)
    # When they submit the spouse-reunion hukou transfer (20 working days)
    submitted = await factories.application(api, citizen.token, "GZ-GA-0002")
    found = (await run(api, citizen.token, READ, {"id": submitted["id"]}))["application"]
    # Then the deadline skips New Year's Day 2027 (a Friday) and says it may still move
    assert found["promisedDays"] == 20
    assert found["deadline"] == "2027-01-05"
    assert found["deadlineProvisional"] is True
    assert found["overdue"] is False
    # And `sla check` on the deadline day finds it on time, and warns that 2027 deadlines are provisional
    on_time = await _sla_check(monkeypatch, catalog_database, "2027-01-05")
    report = json.loads(on_time.stdout)
    listed = [item["reference"] for items in report["overdue"].values() for item in items]
    assert found["reference"] not in listed
    assert report["provisional"]["first_year_not_loaded"] == 2027
    assert report["provisional"]["years_not_loaded"] == [2027]
    assert report["provisional"]["open_deadlines"] >= 1
    assert "deadlines in 2027 are provisional" in on_time.stderr
    # the day after, it is late
    late = await _sla_check(monkeypatch, catalog_database, "2027-01-06")
    assert late.exit_code == 1
    assert found["reference"] in [
        i["reference"] for items in json.loads(late.stdout)["overdue"].values() for i in items
    ]


def _with_2027(tmp_path: Path) -> WorkCalendar:
    """The bundled calendar with the 2027 arrangement loaded (its Spring Festival runs 5 to 13 February)."""
    (tmp_path / "notice.json").write_text(json.dumps(NOTICE_2027), encoding="utf-8")
    data = tmp_path / "cn_workdays.json"
    data.write_bytes(DATA_FILE.read_bytes())
    loaded, source = arrangements.from_file(tmp_path / "notice.json")
    return arrangements.load_into(loaded, source, data)


async def test_once_2027_is_loaded_the_deadline_is_official(
    api: AsyncTestClient[Any], db: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    # Given the 2027 arrangement loaded
    _set_day(api, SUBMITTED_AT, _with_2027(tmp_path))
    citizen = await factories.citizen(api, db)
    # When GZ-GA-0002 is submitted on the same day
    submitted = await factories.application(api, citizen.token, "GZ-GA-0002")
    found = (await run(api, citizen.token, READ, {"id": submitted["id"]}))["application"]
    # Then the same date is due, and it is official
    assert (found["deadline"], found["deadlineProvisional"]) == ("2027-01-05", False)


async def test_loading_2027_recounts_an_open_provisional_deadline(
    api: AsyncTestClient[Any], db: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    # Given a 60-working-day matter submitted on 2026-12-07 before 2027 is published
    _set_day(api, SUBMITTED_AT)
    citizen = await factories.citizen(api, db)
    form = (await run(api, citizen.token, FORM, {"m": "GZ-KJJ-0002", "b": None}))["applicationForm"]
    uploads = {
        m["key"]: (await upload(api, citizen.token))["id"]
        for m in form["materials"]
        if m["required"] and not m["replaced"]
    }
    values = fill_required(form, {})
    answer = await run(
        api, citizen.token, SUBMIT, {"i": {"matterCode": "GZ-KJJ-0002", "values": values, "materials": uploads}}
    )
    assert answer["submitApplication"]["errors"] == [], answer
    submitted = answer["submitApplication"]["application"]
    before = (await run(api, citizen.token, READ, {"id": submitted["id"]}))["application"]
    assert (before["promisedDays"], before["deadline"], before["deadlineProvisional"]) == (60, "2027-03-04", True)
    # When the 2027 arrangement is loaded and the open deadlines recounted (`onewindow sla recount`)
    official = _with_2027(tmp_path)
    async with db() as session, unit_of_work(session):
        moved = await recount_open_deadlines(session, official, date(2027, 1, 1), SUBMITTED_AT)
    # Then the deadline follows the announced Spring Festival (three more weekdays off, one Saturday worked)
    assert [(m.reference, m.before, m.after) for m in moved] == [
        (before["reference"], date(2027, 3, 4), date(2027, 3, 9))
    ]
    _set_day(api, SUBMITTED_AT, official)
    after = (await run(api, citizen.token, READ, {"id": submitted["id"]}))["application"]
    assert (after["deadline"], after["deadlineProvisional"]) == ("2027-03-09", False)
    # and recounting again moves nothing
    async with db() as session, unit_of_work(session):
        assert await recount_open_deadlines(session, official, date(2027, 1, 1), SUBMITTED_AT) == []
