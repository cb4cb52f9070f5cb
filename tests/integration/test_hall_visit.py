"""At the hall (issue 19), the visit: the QR pass checks in once, at its hall, in its window, and never
after a reschedule; the calendar file from its signed link; an application that needs a visit, its halls,
and the materials its certificates do not provide."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import icalendar
import pytest
from litestar.testing import AsyncTestClient

from backend.db.engine import unit_of_work
from backend.errors import DomainError
from backend.hall.appointments import ics, visit_reads
from backend.hall.appointments.checkin import CheckedIn, check_in
from backend.hall.appointments.materials import to_bring
from backend.hall.appointments.passes import code_of
from backend.hall.appointments.visit_errors import VisitErrorCode
from backend.i18n import Locale
from tests.support import factories
from tests.support.applications import upload
from tests.support.gql import run
from tests.support.hall import HALL, MATTER, Sessions, appointment, row, set_status

SLOT = datetime(2026, 12, 15, 1, 0, tzinfo=UTC)  # Tuesday 09:00 Beijing
PAPERS = ["hkm_travel_permit", "hk_identity_card", "notarised_declaration", "couple_photo"]
VISIT = """query($a: ID!) { visitNeeded(applicationId: $a) { applicationId reference matterCode
  halls { code name address openingHoursWeekdays } materialsToBring { name note } } }"""


def _secret(api: AsyncTestClient[Any]) -> bytes:
    secret: bytes = api.app.state.resources.identity.master_secret
    return secret


async def _code(db: Sessions, secret: bytes, appointment_id: str) -> str:
    async with db() as session:
        found = await visit_reads.get(session, appointment_id)
    assert found is not None
    return code_of(secret, found)


async def _check_in(db: Sessions, secret: bytes, code: str, now: datetime, hall: str = HALL) -> CheckedIn:
    async with db() as session, unit_of_work(session):
        return await check_in(session, code, hall, now, secret=secret)


async def _refused(db: Sessions, secret: bytes, code: str, now: datetime, hall: str = HALL) -> DomainError:
    with pytest.raises(DomainError) as refused:
        await _check_in(db, secret, code, now, hall)
    return refused.value


async def test_the_pass_checks_in_once_at_its_hall_in_its_window(api: AsyncTestClient[Any], db: Sessions) -> None:
    person = await factories.citizen(api, db)
    secret = _secret(api)
    first = await appointment(db, person.id, SLOT)
    code = await _code(db, secret, first)

    forged = code[:-1] + ("0" if code[-1] != "0" else "1")
    assert (await _refused(db, secret, forged, SLOT)).code is VisitErrorCode.CHECK_IN_CODE_INVALID
    assert (await _refused(db, secret, "not-a-pass", SLOT)).code is VisitErrorCode.CHECK_IN_CODE_INVALID
    assert (await _refused(db, secret, code, SLOT, "HALL-TH")).code is VisitErrorCode.CHECK_IN_OTHER_HALL
    early = await _refused(db, secret, code, SLOT - timedelta(minutes=61))
    assert early.code is VisitErrorCode.CHECK_IN_TOO_EARLY and early.params == {"opens": "2026-12-15 08:00"}
    late = await _refused(db, secret, code, SLOT + timedelta(hours=1))
    assert late.code is VisitErrorCode.CHECK_IN_TOO_LATE and late.params == {"ended": "2026-12-15 10:00"}
    assert (await row(db, first))["status"] == "confirmed"

    arrived = await _check_in(db, secret, code, SLOT - timedelta(minutes=20))
    assert (arrived.appointment_id, arrived.hall_code, arrived.category_code) == (first, HALL, "GZ-MZJ")
    assert arrived.citizen_id == person.id and arrived.starts_at == SLOT
    stored = await row(db, first)
    assert stored["status"] == "checked_in" and stored["checked_in_at"] == SLOT - timedelta(minutes=20)
    # A second scan (the entrance, then the window) is the same check-in
    assert await _check_in(db, secret, code, SLOT - timedelta(minutes=5)) == arrived
    assert (await row(db, first))["checked_in_at"] == SLOT - timedelta(minutes=20)


async def test_a_rescheduled_or_cancelled_appointments_pass_is_refused(api: AsyncTestClient[Any], db: Sessions) -> None:
    person = await factories.citizen(api, db)
    secret = _secret(api)
    # Moved to a new row: the old one is no longer confirmed, the new one has its own pass
    old = await appointment(db, person.id, SLOT)
    old_code = await _code(db, secret, old)
    new = await appointment(db, person.id, SLOT + timedelta(days=1), rescheduled_from=old)
    await set_status(db, old, "cancelled")
    refused = await _refused(db, secret, old_code, SLOT)
    assert refused.code is VisitErrorCode.APPOINTMENT_NOT_CONFIRMED
    assert (await _check_in(db, secret, await _code(db, secret, new), SLOT + timedelta(days=1))).appointment_id == new
    # Moved in place (a new nonce): the photographed old pass is worthless
    moved = await appointment(db, person.id, SLOT + timedelta(days=2))
    moved_code = await _code(db, secret, moved)
    async with db() as session, unit_of_work(session):
        await session.execute(
            visit_reads.t.appointments.update()
            .where(visit_reads.t.appointments.c.id == moved)
            .values(check_in_nonce="f" * 32)
        )
    refused = await _refused(db, secret, moved_code, SLOT + timedelta(days=2))
    assert refused.code is VisitErrorCode.CHECK_IN_CODE_INVALID


def _event(body: bytes) -> tuple[icalendar.Calendar, Any]:
    parsed = icalendar.Calendar.from_ical(body)
    return parsed, next(c for c in parsed.walk() if c.name == "VEVENT")


async def test_the_calendar_file_from_its_link_follows_a_reschedule_and_a_cancellation(
    api: AsyncTestClient[Any], db: Sessions
) -> None:
    person = await factories.citizen(api, db, holding="ID_CARD")
    secret, now = _secret(api), datetime.now(UTC)
    first = await appointment(db, person.id, SLOT, locale="en")
    url = ics.signed_url("http://testserver.local", secret, first, now, Locale.EN)
    path = url.removeprefix("http://testserver.local")

    response = await api.get(path)
    assert response.status_code == 200 and response.headers["content-type"] == "text/calendar; charset=utf-8"
    parsed, event = _event(response.content)
    assert event.decoded("DTSTART") == SLOT and event.decoded("DTEND") == SLOT + timedelta(hours=1)
    assert str(event["LOCATION"]) == "Guangzhou Government Service Centre, 61 Huali Road, Tianhe District, Guangzhou"
    assert str(event["UID"]) == f"{first}@onewindow" and int(event["SEQUENCE"]) == 0
    description = str(event["DESCRIPTION"])
    assert (await row(db, first))["reference"] in description and "Bring:" in description
    assert "ID card" not in description  # the citizen's electronic ID card provides it
    alarm = next(c for c in event.walk() if c.name == "VALARM")
    assert alarm.decoded("TRIGGER") == -timedelta(hours=1)

    # Changed or expired links open nothing
    assert (await api.get(path.replace("signature=", "signature=0"))).status_code == 403
    stale = ics.signed_url("http://x", secret, first, now - timedelta(seconds=ics.LINK_SECONDS + 5), Locale.EN)
    assert (await api.get(stale.removeprefix("http://x"))).status_code == 403

    # Rescheduled: the old link gives the new time under the same UID, a higher SEQUENCE
    second = await appointment(db, person.id, SLOT + timedelta(days=1), rescheduled_from=first, locale="en")
    await set_status(db, first, "cancelled")
    _, event = _event((await api.get(path)).content)
    assert str(event["UID"]) == f"{first}@onewindow" and int(event["SEQUENCE"]) == 1
    assert event.decoded("DTSTART") == SLOT + timedelta(days=1) and str(event["STATUS"]) == "CONFIRMED"
    # Cancelled: the file removes the event
    await set_status(db, second, "cancelled")
    parsed, event = _event((await api.get(path)).content)
    assert str(parsed["METHOD"]) == "CANCEL" and str(event["STATUS"]) == "CANCELLED"


async def test_an_application_needing_a_visit_its_halls_and_what_to_bring(
    api: AsyncTestClient[Any], db: Sessions
) -> None:
    holder = await factories.citizen(api, db, holding="ID_CARD")
    scans = {key: (await upload(api, holder.token))["id"] for key in PAPERS}
    submitted = await factories.application(api, holder.token, MATTER, materials=scans)
    visit = (await run(api, holder.token, VISIT, {"a": submitted["id"]}, locale="en"))["visitNeeded"]
    assert visit["applicationId"] == submitted["id"] and visit["matterCode"] == MATTER
    assert "HALL-GZ" in [h["code"] for h in visit["halls"]]
    hall = next(h for h in visit["halls"] if h["code"] == "HALL-GZ")
    assert (
        hall["address"] == "61 Huali Road, Tianhe District, Guangzhou" and hall["openingHoursWeekdays"] == "09:00-17:00"
    )
    names = [m["name"] for m in visit["materialsToBring"]]
    assert len(names) == len(PAPERS) and not any("ID card" in n for n in names)
    chinese = (await run(api, holder.token, VISIT, {"a": submitted["id"]}, locale="zh-CN"))["visitNeeded"]
    assert len(chinese["materialsToBring"]) == len(PAPERS)
    assert "广州市政务服务中心" in [h["name"] for h in chinese["halls"]]

    # Someone else's application is nobody's visit
    other = await factories.citizen(api, db, skip=1, verified=False)
    assert (await run(api, other.token, VISIT, {"a": submitted["id"]}))["visitNeeded"] is None
    # Without a verified identity no certificate is held: the ID card is on the list
    async with db() as session:
        unverified = await to_bring(session, other.id, MATTER, None, SLOT.date())
        verified = await to_bring(session, holder.id, MATTER, None, SLOT.date())
    assert [m.key for m in unverified] == ["id_card", *PAPERS]
    assert [m.key for m in verified] == PAPERS
