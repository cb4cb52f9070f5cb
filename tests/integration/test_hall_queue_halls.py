"""Queues under concurrency (numbers and calls), an appointment's check-in, which hall now, and the hall
manager's day with the Erlang C staffing hint (issue 19)."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from backend.catalog.snapshot import load_snapshot
from backend.db.engine import unit_of_work
from backend.hall.appointments.checkin import CheckedIn
from backend.hall.queue import calls, counters, manager, tickets
from backend.hall.queue.hours import beijing_day
from backend.hall.queue.models import Priority
from backend.hall.queue.numbering import next_number
from backend.hall.ratings.opening import Rateable, RatedKind
from tests.support import factories
from tests.support.gql import gql, run, send
from tests.support.queue import (
    CALL,
    FINISH,
    ISSUE,
    MISSED,
    OPEN,
    TUESDAY_10AM,
    Clock,
    Sessions,
    hall_manager,
    ok,
)

HALL, MATTER, POLICE = "HALL-GZ", "GZ-GA-0019", "GZ-GA"


async def test_numbers_are_never_given_twice_even_at_once(db: Sessions) -> None:
    day = beijing_day(TUESDAY_10AM)

    async def take(category: str, on: Any = day) -> int:
        async with db() as session, unit_of_work(session):
            return await next_number(session, HALL, category, on)

    # Twelve kiosks at once in one category: 1 ... 12, each once
    numbers = await asyncio.gather(*(take(POLICE) for _ in range(12)))
    assert sorted(numbers) == list(range(1, 13))
    # Another category, and the next day, start again at 1
    assert await take("GZ-MZJ") == 1
    assert await take(POLICE, day + timedelta(days=1)) == 1
    assert await take(POLICE) == 13


async def test_two_counters_calling_at_once_never_call_the_same_ticket(db: Sessions) -> None:
    now = TUESDAY_10AM
    async with db() as session, unit_of_work(session):
        snapshot = await load_snapshot(session)
        for i in range(10):
            await tickets.issue_ticket(
                session,
                snapshot,
                hall_code=HALL,
                matter_code=MATTER,
                priority=Priority.NONE,
                id_number=None,
                locale="zh-Hans",
                now=now + timedelta(seconds=i),
            )
        windows = [
            await counters.open_counter(
                session,
                snapshot,
                hall_code=HALL,
                window=w,
                categories=[POLICE],
                officer_id=f"officer-{w}",
                departments=None,
                now=now,
            )
            for w in ("01", "02")
        ]

    async def call(counter_id: int) -> str:
        async with db() as session, unit_of_work(session):
            return (await calls.call_next(session, counter_id, None, now + timedelta(minutes=1))).label

    called = await asyncio.gather(*(call(windows[i % 2].id) for i in range(10)))
    assert sorted(called) == [f"B{n:03d}" for n in range(1, 11)]


async def test_an_appointments_ticket_is_called_at_its_time_and_its_outcome_recorded(
    api: AsyncTestClient[Any], db: Sessions, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = Clock(monkeypatch)
    slot = TUESDAY_10AM + timedelta(minutes=30)
    arrived = CheckedIn("appt-1", "YY20261208001", "citizen-1", HALL, POLICE, MATTER, slot, slot + timedelta(hours=1))

    async def check_in(session: Any, code: str, hall_code: str, now: Any, *, secret: bytes) -> CheckedIn:
        assert (code, hall_code) == ("signed-qr", HALL)
        return arrived

    outcomes: list[tuple[str, bool]] = []
    rated: list[Rateable] = []

    async def record_outcome(session: Any, appointment_id: str, *, served: bool, now: Any) -> None:
        outcomes.append((appointment_id, served))

    async def open_rating(session: Any, rateable: Rateable) -> None:
        rated.append(rateable)

    monkeypatch.setattr(tickets, "check_in", check_in)
    monkeypatch.setattr(calls, "record_outcome", record_outcome)
    monkeypatch.setattr(calls, "open_rating", open_rating)
    officer = await factories.staff(api, "officer.gz-ga")
    window = ok((await run(api, officer, OPEN, {"h": HALL, "w": "07", "c": [POLICE]}))["openCounter"])["id"]
    # Given a walk-in, then the appointment's citizen checking in early (twice: the same ticket)
    ok((await run(api, officer, ISSUE, {"h": HALL, "m": MATTER}))["issueTicket"])
    clock.tick()
    check = """mutation($c: String!, $h: String!) { checkInTicket(code: $c, hallCode: $h) {
      ticket { id label position } errors { code } } }"""
    first = ok((await run(api, officer, check, {"c": "signed-qr", "h": HALL}))["checkInTicket"])
    again = ok((await run(api, officer, check, {"c": "signed-qr", "h": HALL}))["checkInTicket"])
    assert (first["label"], again["id"]) == ("B002", first["id"])
    # Before its slot it waits behind the walk-in; at 10:30 it is called first
    assert first["position"] == 2
    clock.tick(30)
    ok((await run(api, officer, ISSUE, {"h": HALL, "m": MATTER}))["issueTicket"])
    called = ok((await run(api, officer, CALL, {"c": window}))["callNext"])
    assert called["label"] == "B002"
    ok((await run(api, officer, FINISH, {"t": called["id"]}))["finishTicket"])
    assert outcomes == [("appt-1", True)]
    assert [(r.kind, r.subject_id, r.department_code, r.hall_code) for r in rated] == [
        (RatedKind.APPOINTMENT, "appt-1", POLICE, HALL)
    ]
    # A walk-in's visit is rateable only with an account; a missed one is not
    walk_in = ok((await run(api, officer, CALL, {"c": window}))["callNext"])
    ok((await run(api, officer, MISSED, {"t": walk_in["id"]}))["markTicketMissed"])
    assert outcomes == [("appt-1", True)] and len(rated) == 1


WHICH = """query($m: String!, $r: String) { whichHallNow(matterCode: $m, regionCode: $r) {
  recommendedHallCode why halls { hallCode nearness nearnessLabel openNow countersOpen waiting
  estimatedWaitMinutes } } }"""


async def test_which_hall_now_recommends_the_shorter_wait_near_you(
    api: AsyncTestClient[Any], db: Sessions, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = Clock(monkeypatch)
    officer = await factories.staff(api, "officer.gz-mzj")
    # Given marriage registration (民政) open at one window in Haizhu and in Yuexiu, three waiting in Yuexiu
    for hall in ("HALL-440104", "HALL-440105"):
        ok((await run(api, officer, OPEN, {"h": hall, "w": "01", "c": ["GZ-MZJ"]}))["openCounter"])
    for _ in range(3):
        clock.tick()
        ok((await run(api, officer, ISSUE, {"h": "HALL-440104", "m": "GZ-MZJ-0001"}))["issueTicket"])
    # When anyone asks where to go now: Haizhu, 15 minutes (Yuexiu would be 4 x 15 = 60)
    answer = (await gql(api, WHICH, {"m": "GZ-MZJ-0001"}, locale="en"))["data"]["whichHallNow"]
    by_hall = {h["hallCode"]: h for h in answer["halls"]}
    assert (by_hall["HALL-440104"]["waiting"], by_hall["HALL-440104"]["estimatedWaitMinutes"]) == (3, 60)
    assert (by_hall["HALL-440105"]["waiting"], by_hall["HALL-440105"]["estimatedWaitMinutes"]) == (0, 15)
    assert answer["recommendedHallCode"] == "HALL-440105"
    assert answer["why"] == (
        "Haizhu District Government Service Centre: about 15 minutes of waiting, the shortest among the halls near you."
    )
    # A hall without an open window has no estimate
    assert all(h["estimatedWaitMinutes"] is None for h in answer["halls"] if h["countersOpen"] == 0)
    # From Yuexiu, its own hall comes first and is the one near: recommended, in Chinese
    answer = (await gql(api, WHICH, {"m": "GZ-MZJ-0001", "r": "440104"}))["data"]["whichHallNow"]
    assert answer["halls"][0]["hallCode"] == "HALL-440104"
    assert (answer["halls"][0]["nearness"], answer["halls"][0]["nearnessLabel"]) == ("same_district", "本区")
    assert {h["nearness"] for h in answer["halls"][1:]} == {"other_district"}
    assert answer["recommendedHallCode"] == "HALL-440104"
    assert answer["why"] == "越秀区政务服务中心：约需等候 60 分钟，是您附近大厅中最短的。"
    # After hours no hall is recommended
    clock.tick(8 * 60)
    answer = (await gql(api, WHICH, {"m": "GZ-MZJ-0001"}, locale="en"))["data"]["whichHallNow"]
    assert answer["recommendedHallCode"] is None and not any(h["openNow"] for h in answer["halls"])


TODAY = """query($h: String!) { hallToday(hallCode: $h) { hallCode noShows queues { categoryCode prefix waiting
  called served missed averageWaitMinutes longestWaitMinutes countersOpen } } }"""
HINT = """query($h: String!, $t: Int!) { staffingHint(hallCode: $h, targetWaitMinutes: $t) { categoryCode
  walkInsPerHour bookedPerHour handlingMinutes servedPerCounterHour loadErlangs countersNeeded countersOpen
  expectedWaitMinutes } }"""


async def test_the_hall_manager_sees_todays_queues_and_how_many_counters_the_next_hour_needs(
    api: AsyncTestClient[Any], db: Sessions, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = Clock(monkeypatch)
    days: list[Any] = []

    async def no_shows(session: Any, hall_code: str, day: Any) -> int:
        days.append(day)
        return 2

    async def booked(session: Any, hall_code: str, day: Any) -> dict[str, int]:
        return {POLICE: 16}

    monkeypatch.setattr(manager.stats, "no_shows", no_shows)
    monkeypatch.setattr(manager.stats, "booked", booked)
    officer = await factories.staff(api, "officer.gz-ga")
    window = ok((await run(api, officer, OPEN, {"h": HALL, "w": "01", "c": [POLICE]}))["openCounter"])["id"]
    # Given four walk-ins from 10:00; the first served 10:05-10:17, the second called at 10:17 and missed
    for _ in range(4):
        ok((await run(api, officer, ISSUE, {"h": HALL, "m": MATTER}))["issueTicket"])
        clock.tick()
    clock.now = TUESDAY_10AM + timedelta(minutes=5)
    served = ok((await run(api, officer, CALL, {"c": window}))["callNext"])
    clock.tick(12)
    ok((await run(api, officer, FINISH, {"t": served["id"]}))["finishTicket"])
    missed = ok((await run(api, officer, CALL, {"c": window}))["callNext"])
    ok((await run(api, officer, MISSED, {"t": missed["id"]}))["markTicketMissed"])
    clock.now = TUESDAY_10AM + timedelta(minutes=20)
    username = await hall_manager(db, HALL)
    boss = await factories.staff(api, username)
    today = (await run(api, boss, TODAY, {"h": HALL}))["hallToday"]
    police = next(q for q in today["queues"] if q["categoryCode"] == POLICE)
    # waits to the call: 5 and 16 minutes; the longest, B003 waiting since 10:02, 18 minutes
    assert police == {
        "categoryCode": POLICE,
        "prefix": "B",
        "waiting": 2,
        "called": 0,
        "served": 1,
        "missed": 1,
        "averageWaitMinutes": 10.5,
        "longestWaitMinutes": 18.0,
        "countersOpen": 1,
    }
    assert today["noShows"] == 2 and days == [TUESDAY_10AM.date()]
    # The next hour: 4 walk-ins over 1h20 (3/h) + 16 booked over 8 hours (2/h); 12 minutes each (5/h):
    # 1 Erlang, and 2 counters keep the mean wait at 60 x (1/3) / (10 - 5) = 4 minutes
    hint = next(
        x for x in (await run(api, boss, HINT, {"h": HALL, "t": 10}))["staffingHint"] if x["categoryCode"] == POLICE
    )
    assert hint == {
        "categoryCode": POLICE,
        "walkInsPerHour": 3.0,
        "bookedPerHour": 2.0,
        "handlingMinutes": 12.0,
        "servedPerCounterHour": 5.0,
        "loadErlangs": 1.0,
        "countersNeeded": 2,
        "countersOpen": 1,
        "expectedWaitMinutes": 4.0,
    }
    # Another hall's manager and an officer may not look
    other = await factories.staff(api, await hall_manager(db, "HALL-440104"))
    _, body = await send(api, TODAY, {"h": HALL}, token=other)
    assert body["errors"][0]["extensions"]["code"] == "QUEUE_NOT_YOUR_HALL"
    _, body = await send(api, TODAY, {"h": HALL}, token=officer)
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
