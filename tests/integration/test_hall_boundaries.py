"""The hall's edges an independent review found: a booking may only name the citizen's own application; a
ticket left waiting yesterday is never called today; a calendar link with a strange expiry is refused, not
a crash; published figures take a sane period only; one rectification case is answered once."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from tests.support import factories
from tests.support.applications import upload
from tests.support.gql import gql, run
from tests.support.hall_booking import BOOK, SLOTS, beijing, set_clock
from tests.support.queue import CALL, ISSUE, OPEN, Clock, ok

HALL, MATTER, POLICE = "HALL-GZ", "GZ-GA-0019", "GZ-GA"
FIGURES = """query($f: Date!, $t: Date!) { ratingFigures(departmentCode: "GZ-GA", from: $f, to: $t) { ratings } }"""


async def test_a_booking_names_only_the_citizens_own_application(api: AsyncTestClient[Any], db: Any) -> None:
    set_clock(api, beijing(date(2026, 12, 7), 10))
    owner = await factories.citizen(api, db)
    other = await factories.citizen(api, db, skip=1)
    scans = {key: (await upload(api, owner.token))["id"] for key in ("medical_cert", "photo")}
    application = await factories.application(api, owner.token, MATTER, materials=scans)
    slots = (await gql(api, SLOTS, {"h": HALL, "m": MATTER, "d": "2026-12-09"}))["data"]["appointmentSlots"]
    wanted = {"slotId": slots[1]["id"], "matterCode": MATTER, "applicationId": application["id"]}
    refused = (await run(api, other.token, BOOK, {"i": wanted}))["bookAppointment"]
    assert [(e["code"], e["field"]) for e in refused["errors"]] == [("NOT_FOUND", "applicationId")]
    assert refused["appointment"] is None
    booked = (await run(api, owner.token, BOOK, {"i": wanted}))["bookAppointment"]
    assert booked["errors"] == [] and booked["appointment"]["status"] == "HELD"


async def test_yesterdays_waiting_ticket_is_not_called_today(
    api: AsyncTestClient[Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = Clock(monkeypatch)
    officer = await factories.staff(api, "officer.gz-ga")
    left = ok((await run(api, officer, ISSUE, {"h": HALL, "m": MATTER}))["issueTicket"])
    clock.tick(24 * 60)
    today = ok((await run(api, officer, ISSUE, {"h": HALL, "m": MATTER}))["issueTicket"])
    assert (left["label"], today["label"]) == ("B001", "B001")
    assert (today["position"], today["ahead"]) == (1, 0)
    counter = ok((await run(api, officer, OPEN, {"h": HALL, "w": "03", "c": [POLICE]}))["openCounter"])["id"]
    called = ok((await run(api, officer, CALL, {"c": counter}))["callNext"])
    assert called["id"] == today["id"]
    for window in ("", "  ", "9" * 17):
        refused = (await run(api, officer, OPEN, {"h": HALL, "w": window, "c": [POLICE]}))["openCounter"]
        assert [e["code"] for e in refused["errors"]] == ["INVALID_VALUE"]


async def test_odd_calendar_links_and_figure_periods_are_refused_not_crashes(api: AsyncTestClient[Any]) -> None:
    for expires in ("²", "9" * 5000, "-1", ""):
        response = await api.get(f"/hall/appointments/x/calendar.ics?expires={expires}&signature=a")
        assert response.status_code == 403, (expires, response.status_code)
    for period in (("0001-01-01", "2026-12-01"), ("2026-12-01", "9999-12-31"), ("2026-12-05", "2026-12-01")):
        body = await gql(api, FIGURES, {"f": period[0], "t": period[1]}, locale="en")
        assert [e["extensions"]["code"] for e in body["errors"]] == ["INVALID_VALUE"], (period, body)
    fine = await gql(api, FIGURES, {"f": "2026-01-01", "t": "2026-12-01"}, locale="en")
    assert fine["data"]["ratingFigures"]["ratings"] == 0
