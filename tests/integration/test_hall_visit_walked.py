"""A visit to the hall walked through the real app (issue 19's "done when"): a citizen books an hour at the
city centre's police counters, is reminded the evening before and an hour before, checks in with the QR
pass, is called to a window, is served, rates the visit badly, and sees the department's answer to the
rectification it opened, which the citizen then rates. One clock (backend.clock) is moved through a working
Monday and Tuesday in Beijing; nothing sleeps.
"""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any
from urllib.parse import urlsplit

import icalendar
import pytest
from litestar.testing import AsyncTestClient
from sqlalchemy import select

from backend import clock
from backend.applications.workdays import SHANGHAI
from backend.catalog.snapshot import load_snapshot
from backend.db import tables as t
from backend.db.engine import unit_of_work
from backend.hall.appointments.reminders import send_due
from tests.support import factories
from tests.support.gql import run
from tests.support.identity import staff_token

HALL, MATTER, POLICE = "HALL-GZ", "GZ-GA-0019", "GZ-GA"  # 初次申领机动车驾驶证 at the city centre
MONDAY, TUESDAY = date(2026, 12, 7), date(2026, 12, 8)

SLOTS = """query($d: Date!) { appointmentSlots(hallCode: "HALL-GZ", matterCode: "GZ-GA-0019", day: $d) {
  id startsAt placesLeft bookable } }"""
BOOK = """mutation($s: ID!) { bookAppointment(input: {slotId: $s, matterCode: "GZ-GA-0019"}) {
  appointment { id reference status } errors { code message } } }"""
CONFIRM = """mutation($id: ID!) { confirmAppointment(id: $id) { appointment { id status statusLabel hallName
  calendarLink materialsToBring { name } } errors { code message } } }"""
PASS = """query($id: ID!) { appointment(id: $id) { status checkInPass { code qrSvg validFrom validUntil } } }"""
STATUS = """query($id: ID!) { appointment(id: $id) { status statusLabel } }"""
CHECK_IN = """mutation($c: String!) { checkInTicket(code: $c, hallCode: "HALL-GZ") { ticket { id label state }
  errors { code message } } }"""
OPEN = """mutation { openCounter(hallCode: "HALL-GZ", window: "12", categories: ["GZ-GA"]) { counter { id }
  errors { code message } } }"""
QUEUE = """query($c: ID!) { counterQueue(counterId: $c) { label matterName appointmentDue } }"""
CALL = """mutation($c: ID!) { callNext(counterId: $c) { ticket { id label state holderName matterName }
  errors { code message } } }"""
SERVE = """mutation($t: ID!) { startServing(ticketId: $t) { ticket { state } errors { code } } }"""
FINISH = """mutation($t: ID!) { finishTicket(ticketId: $t) { ticket { state } errors { code } } }"""
MY_TICKETS = "{ myTickets { id label state stateLabel window hallName } }"
MY_RATINGS = """{ myRatings(first: 10) { items { id kind kindLabel pending level levelLabel comment
  rectification { id state stateLabel deadline answer fixLevel } } } }"""
RATE = """mutation($r: ID!) { rateService(rateableId: $r, level: VERY_DISSATISFIED,
  comment: "等了很久，窗口态度差，电话13912345678",
  criteria: [{criterion: SERVICE_EFFICIENCY, level: VERY_DISSATISFIED},
  {criterion: SERVICE_LEVEL, level: DISSATISFIED}, {criterion: SERVICE_ATTITUDE, level: VERY_DISSATISFIED}]) {
  rating { levelLabel rectification { id deadline state } } errors { code message } } }"""
CASES = """{ rectificationCases(first: 10) { items { id kind matterCode level comment state deadline } } }"""
ANSWER = """mutation($c: ID!) { answerRectification(caseId: $c, outcome: FIXED,
  text: "已加开两个驾驶证窗口，并对该窗口人员进行服务培训。") { case { state answer } errors { code } } }"""
RATE_FIX = """mutation($c: ID!) { rateRectification(caseId: $c, level: SATISFIED) {
  rectification { state fixLevel } errors { code } } }"""


def _beijing(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), SHANGHAI)


async def _texts(db: factories.Sessions, phone: str, reference: str) -> list[str]:
    """The SMS stand-in's messages to `phone` that name the appointment, oldest first."""
    async with db() as session:
        query = select(t.sms_outbox.c.body).where(t.sms_outbox.c.phone == phone).order_by(t.sms_outbox.c.id)
        return [body for body in (await session.execute(query)).scalars() if reference in body]


async def zh(api: AsyncTestClient[Any], token: str, query: str, variables: dict[str, Any] | None = None) -> Any:
    return await run(api, token, query, variables, locale="zh-CN")


async def test_book_remind_check_in_call_serve_rate_badly_and_see_the_fix(
    api: AsyncTestClient[Any], db: factories.Sessions, monkeypatch: pytest.MonkeyPatch
) -> None:
    now = [_beijing(MONDAY, 10)]
    monkeypatch.setattr(clock, "now", lambda: now[0])
    citizen = await factories.citizen(api, db)
    officer = await staff_token(api, "officer.gz-ga")
    resources = api.app.state.resources

    async def remind() -> None:
        """The reminders job at this moment (its SMS through the app's sender: the stand-in's outbox)."""
        async with db() as session, unit_of_work(session):
            snapshot = await load_snapshot(session)
            await send_due(session, snapshot, resources.identity.sms, resources.messages, now[0])

    # Monday 10:00: the citizen books Tuesday 10:00 and confirms it
    slots = (await zh(api, citizen.token, SLOTS, {"d": TUESDAY.isoformat()}))["appointmentSlots"]
    ten = next(s for s in slots if datetime.fromisoformat(s["startsAt"]) == _beijing(TUESDAY, 10))
    assert ten["bookable"] and ten["placesLeft"] > 0
    held = (await zh(api, citizen.token, BOOK, {"s": ten["id"]}))["bookAppointment"]
    assert held["errors"] == [] and held["appointment"]["status"] == "HELD", held
    appointment_id, reference = held["appointment"]["id"], held["appointment"]["reference"]
    confirmed = (await zh(api, citizen.token, CONFIRM, {"id": appointment_id}))["confirmAppointment"]
    assert confirmed["errors"] == [], confirmed
    assert confirmed["appointment"]["statusLabel"] == "已确认"
    assert confirmed["appointment"]["hallName"] == "广州市政务服务中心"
    # The phone's calendar takes the file from the link, with the hour, the hall and an alarm
    link = urlsplit(confirmed["appointment"]["calendarLink"])
    response = await api.get(f"{link.path}?{link.query}")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/calendar")
    event = next(iter(icalendar.Calendar.from_ical(response.content).walk("VEVENT")))
    assert event.decoded("dtstart") == _beijing(TUESDAY, 10)
    assert "华利路61号" in str(event["location"]) and reference in str(event["description"])
    assert event.walk("VALARM"), "the calendar entry rings an hour before"

    # Monday 18:05 and Tuesday 09:05: reminded the evening before and an hour before, once each
    for moment in (_beijing(MONDAY, 18, 5), _beijing(TUESDAY, 9, 5), _beijing(TUESDAY, 9, 10)):
        now[0] = moment
        await remind()
    reminders = await _texts(db, citizen.phone, reference)
    assert len(reminders) == 2, reminders
    assert all("广州市政务服务中心" in text and "10:00" in text for text in reminders)
    assert citizen.id_number not in "".join(reminders)

    # Tuesday 09:40: the QR pass at the entrance gives the citizen a ticket in the police queue
    now[0] = _beijing(TUESDAY, 9, 40)
    shown = (await zh(api, citizen.token, PASS, {"id": appointment_id}))["appointment"]
    assert shown["status"] == "CONFIRMED" and shown["checkInPass"]["qrSvg"].lstrip().startswith("<")
    ticket = (await zh(api, officer, CHECK_IN, {"c": shown["checkInPass"]["code"]}))["checkInTicket"]
    assert ticket["errors"] == [], ticket
    label = ticket["ticket"]["label"]
    assert (await zh(api, citizen.token, STATUS, {"id": appointment_id}))["appointment"]["status"] == "CHECKED_IN"

    # 10:00: the officer at window 12 sees the matter, not the name, then calls the citizen
    now[0] = _beijing(TUESDAY, 10)
    counter = (await zh(api, officer, OPEN))["openCounter"]["counter"]["id"]
    waiting = (await zh(api, officer, QUEUE, {"c": counter}))["counterQueue"]
    assert [w["label"] for w in waiting] == [label] and waiting[0]["matterName"] == "初次申领机动车驾驶证"
    assert citizen.name not in str(waiting)
    called = (await zh(api, officer, CALL, {"c": counter}))["callNext"]
    assert called["errors"] == [] and called["ticket"]["label"] == label, called
    assert called["ticket"]["holderName"] != citizen.name and called["ticket"]["holderName"][0] == citizen.name[0]
    mine = (await zh(api, citizen.token, MY_TICKETS))["myTickets"]
    assert [(x["label"], x["state"], x["window"]) for x in mine] == [(label, "CALLED", "12")]

    # Served
    now[0] = _beijing(TUESDAY, 10, 5)
    assert (await zh(api, officer, SERVE, {"t": called["ticket"]["id"]}))["startServing"]["errors"] == []
    now[0] = _beijing(TUESDAY, 10, 20)
    assert (await zh(api, officer, FINISH, {"t": called["ticket"]["id"]}))["finishTicket"]["errors"] == []
    assert (await zh(api, citizen.token, STATUS, {"id": appointment_id}))["appointment"]["status"] == "SERVED"

    # The citizen rates the visit badly: a rectification case for the police, due in 5 working days
    pending = (await zh(api, citizen.token, MY_RATINGS))["myRatings"]["items"]
    assert [(r["kind"], r["pending"]) for r in pending] == [("APPOINTMENT", True)]
    rated = (await zh(api, citizen.token, RATE, {"r": pending[0]["id"]}))["rateService"]
    assert rated["errors"] == [] and rated["rating"]["levelLabel"] == "非常不满意", rated
    case = rated["rating"]["rectification"]
    assert case["deadline"] == "2026-12-15"  # Tuesday + 5 working days (the weekend skipped)

    # The department sees the case without the rater (the phone in the comment masked) and answers it
    cases = (await zh(api, officer, CASES))["rectificationCases"]["items"]
    assert [c["id"] for c in cases] == [case["id"]] and cases[0]["matterCode"] == MATTER
    seen = str(cases)
    assert citizen.name not in seen and citizen.phone[-8:] not in seen and "13912345678" not in seen
    answered = (await zh(api, officer, ANSWER, {"c": case["id"]}))["answerRectification"]
    assert answered["errors"] == [] and answered["case"]["state"] == "FIXED"

    # The citizen sees the answer, and rates the fix
    shown_case = (await zh(api, citizen.token, MY_RATINGS))["myRatings"]["items"][0]["rectification"]
    assert shown_case["answer"] == "已加开两个驾驶证窗口，并对该窗口人员进行服务培训。"
    assert shown_case["state"] == "FIXED" and shown_case["stateLabel"]
    fixed = (await zh(api, citizen.token, RATE_FIX, {"c": case["id"]}))["rateRectification"]
    assert fixed["errors"] == [] and fixed["rectification"]["fixLevel"] == "SATISFIED"
