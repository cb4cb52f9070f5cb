"""Appointments at a hall (issue 19): slots from the hall's hours and counters, hold, confirm, cancel with
the anti-trading delay, holds that expire, moving, the booking rules, a hall's policy; through the app."""

from __future__ import annotations

import asyncio
from datetime import date, timedelta
from typing import Any

import pytest
from click.testing import CliRunner
from litestar.testing import AsyncTestClient
from sqlalchemy import func, select

from backend.applications.workdays import WorkCalendar
from backend.cli import main as cli
from backend.db import tables as t
from backend.settings import get_settings
from tests.support import factories
from tests.support.gql import as_user, gql, run
from tests.support.hall_booking import (
    BOOK,
    CANCEL,
    CONFIRM,
    HALL,
    MATTER,
    MINE,
    POLICY,
    RESCHEDULE,
    SLOTS,
    beijing,
    hall_manager,
    set_clock,
)
from tests.support.identity import staff_token
from tests.support.servers import RedisServer

MONDAY = date(2026, 12, 7)
WEDNESDAY = date(2026, 12, 9)
# The city centre has 180 windows for 15 matters, 6 of them police (GZ-GA): 180 x 6 // 15 = 72 counters;
# by the hour with 15 minutes a visit and 30% kept for walk-ins: 72 x 60 x 70 // (15 x 100) = 201 places.
PLACES = 201


async def _slots(api: AsyncTestClient[Any], day: date, locale: str = "en") -> list[dict[str, Any]]:
    body = await gql(api, SLOTS, {"h": HALL, "m": MATTER, "d": day.isoformat()}, locale=locale)
    assert "errors" not in body, body
    slots: list[dict[str, Any]] = body["data"]["appointmentSlots"]
    return slots


async def _taken(db: factories.Sessions, slot_id: str) -> int:
    async with db() as session:
        query = select(t.appointment_slots.c.taken).where(t.appointment_slots.c.id == int(slot_id))
        return int((await session.execute(query)).scalar_one())


async def test_slots_follow_the_halls_hours_working_days_and_counters(
    api: AsyncTestClient[Any], db: factories.Sessions
) -> None:
    set_clock(api, beijing(MONDAY, 10))
    # A Wednesday: 09:00-17:00 by the hour, 235 places each, anyone may look
    slots = await _slots(api, WEDNESDAY)
    assert [s["startsAt"][11:16] for s in slots] == [
        "01:00",
        "02:00",
        "03:00",
        "04:00",
        "05:00",
        "06:00",
        "07:00",
        "08:00",
    ]
    assert {(s["capacity"], s["placesLeft"], s["bookable"], s["whyNot"]) for s in slots} == {
        (PLACES, PLACES, True, None)
    }
    # The city centre is closed on Saturdays and on New Year's Day
    assert await _slots(api, date(2026, 12, 12)) == []
    assert await _slots(api, date(2027, 1, 1)) == []
    # Today's 11:00 is too soon (2 hours' notice), today's 13:00 is not; 15 days ahead is beyond the window
    today = {s["startsAt"][11:16]: s for s in await _slots(api, MONDAY, locale="zh-CN")}
    assert (today["03:00"]["bookable"], today["03:00"]["whyNot"]) == (False, "预约太近：需提前 120 分钟预约")
    assert today["05:00"]["bookable"] is True
    far = await _slots(api, MONDAY + timedelta(days=15))
    assert {s["whyNot"] for s in far} == {"Not open for booking yet: up to 14 days ahead"}
    assert [s["bookable"] for s in await _slots(api, MONDAY + timedelta(days=14))] == [True] * 8
    # Anyone may list, and listing makes a day's slots: days past or far off are refused, and none is made
    async with db() as session:
        before = (await session.execute(select(func.count()).select_from(t.appointment_slots))).scalar_one()
    for day in (MONDAY - timedelta(days=1), MONDAY + timedelta(days=14 + 32), date(2099, 1, 5)):
        body = await gql(api, SLOTS, {"h": HALL, "m": MATTER, "d": day.isoformat()}, locale="en")
        assert [e["extensions"]["code"] for e in body["errors"]] == ["OUTSIDE_BOOKING_WINDOW"], body
    async with db() as session:
        assert (await session.execute(select(func.count()).select_from(t.appointment_slots))).scalar_one() == before


async def test_hold_confirm_cancel_and_the_place_reopens_exactly_after_the_anti_trading_delay(
    api: AsyncTestClient[Any], db: factories.Sessions
) -> None:
    set_clock(api, beijing(MONDAY, 10))
    citizen = await factories.citizen(api, db)
    slot = (await _slots(api, WEDNESDAY))[1]  # 10:00
    booked = (await run(api, citizen.token, BOOK, {"i": {"slotId": slot["id"], "matterCode": MATTER}}))[
        "bookAppointment"
    ]
    assert booked["errors"] == []
    held = booked["appointment"]
    assert (held["status"], held["statusLabel"], held["heldUntil"]) == (
        "HELD",
        "Held for you: confirm it",
        "2026-12-07T02:15:00+00:00",
    )
    assert held["reference"].startswith("YY-GZGA-1209-") and len(held["reference"]) == 19
    assert (held["hallName"], held["categoryName"]) == ("Guangzhou Government Service Centre", "Public Security Bureau")
    assert await _taken(db, slot["id"]) == 1
    # The same matter again, at another time: refused while the first is live
    again = {"hallCode": HALL, "matterCode": MATTER, "startsAt": beijing(WEDNESDAY, 11).isoformat()}
    refused = (await run(api, citizen.token, BOOK, {"i": again}))["bookAppointment"]
    assert [e["code"] for e in refused["errors"]] == ["ALREADY_BOOKED_FOR_MATTER"]
    assert held["reference"] in refused["errors"][0]["message"]
    confirmed = (await run(api, citizen.token, CONFIRM, {"id": held["id"]}))["confirmAppointment"]
    assert (confirmed["errors"], confirmed["appointment"]["status"]) == ([], "CONFIRMED")
    # Cancelled at 10:05: the place stays closed 30 minutes, then reopens for whoever looks
    set_clock(api, beijing(MONDAY, 10, 5))
    cancelled = (await run(api, citizen.token, CANCEL, {"id": held["id"]}))["cancelAppointment"]
    assert (cancelled["errors"], cancelled["appointment"]["status"]) == ([], "CANCELLED")
    set_clock(api, beijing(MONDAY, 10, 34))
    assert (await _slots(api, WEDNESDAY))[1]["placesLeft"] == PLACES - 1
    set_clock(api, beijing(MONDAY, 10, 35))
    assert (await _slots(api, WEDNESDAY))[1]["placesLeft"] == PLACES
    assert await _taken(db, slot["id"]) == 0
    # A cancelled appointment cannot be cancelled again; the citizen may book the matter again
    again_cancel = (await run(api, citizen.token, CANCEL, {"id": held["id"]}))["cancelAppointment"]
    assert [e["code"] for e in again_cancel["errors"]] == ["APPOINTMENT_NOT_CHANGEABLE"]
    rebooked = (await run(api, citizen.token, BOOK, {"i": again}))["bookAppointment"]
    assert rebooked["errors"] == [] and rebooked["appointment"]["startsAt"] == "2026-12-09T03:00:00+00:00"


async def test_an_unconfirmed_hold_expires_and_its_place_reopens_at_once(
    api: AsyncTestClient[Any], db: factories.Sessions
) -> None:
    set_clock(api, beijing(MONDAY, 10))
    citizen = await factories.citizen(api, db)
    slot = (await _slots(api, WEDNESDAY))[0]
    held = (await run(api, citizen.token, BOOK, {"i": {"slotId": slot["id"], "matterCode": MATTER}}))["bookAppointment"]
    assert (await _slots(api, WEDNESDAY))[0]["placesLeft"] == PLACES - 1
    set_clock(api, beijing(MONDAY, 10, 15))
    assert (await _slots(api, WEDNESDAY))[0]["placesLeft"] == PLACES
    late = (await run(api, citizen.token, CONFIRM, {"id": held["appointment"]["id"]}))["confirmAppointment"]
    assert [e["code"] for e in late["errors"]] == ["HOLD_EXPIRED"]
    mine = (await run(api, citizen.token, MINE, {"first": 5}))["myAppointments"]["items"]
    assert [(a["status"], a["statusLabel"]) for a in mine] == [("EXPIRED", "Expired: not confirmed in time")]


async def test_moving_takes_the_new_place_first_and_the_old_one_follows_the_anti_trading_rule(
    api: AsyncTestClient[Any], db: factories.Sessions
) -> None:
    set_clock(api, beijing(MONDAY, 10))
    citizen = await factories.citizen(api, db)
    first, second = (await _slots(api, WEDNESDAY))[2:4]
    held = await run(api, citizen.token, BOOK, {"i": {"slotId": first["id"], "matterCode": MATTER}})
    old = held["bookAppointment"]["appointment"]
    await run(api, citizen.token, CONFIRM, {"id": old["id"]})
    moved = (await run(api, citizen.token, RESCHEDULE, {"id": old["id"], "s": second["id"]}))["rescheduleAppointment"]
    assert moved["errors"] == []
    new = moved["appointment"]
    assert (new["status"], new["rescheduledFrom"], new["slotId"]) == ("CONFIRMED", old["id"], second["id"])
    assert new["reference"] != old["reference"]
    assert (await _taken(db, first["id"]), await _taken(db, second["id"])) == (1, 1)
    mine = {
        a["id"]: a["status"] for a in (await run(api, citizen.token, MINE, {"first": 5}))["myAppointments"]["items"]
    }
    assert mine == {old["id"]: "CANCELLED", new["id"]: "CONFIRMED"}
    same = (await run(api, citizen.token, RESCHEDULE, {"id": new["id"], "s": second["id"]}))["rescheduleAppointment"]
    assert [e["code"] for e in same["errors"]] == ["SAME_SLOT"]
    set_clock(api, beijing(MONDAY, 10, 30))
    assert [s["placesLeft"] for s in (await _slots(api, WEDNESDAY))[2:4]] == [PLACES, PLACES - 1]


async def test_the_booking_rules_refuse_with_their_codes(api: AsyncTestClient[Any], db: factories.Sessions) -> None:
    set_clock(api, beijing(MONDAY, 10))
    citizen = await factories.citizen(api, db)

    async def book(hall: str, matter: str, day: date, hour: int) -> list[str]:
        wanted = {"hallCode": hall, "matterCode": matter, "startsAt": beijing(day, hour).isoformat()}
        payload = (await run(api, citizen.token, BOOK, {"i": wanted}))["bookAppointment"]
        return [e["code"] for e in payload["errors"]]

    assert await book(HALL, MATTER, MONDAY, 11) == ["TOO_LITTLE_NOTICE"]
    assert await book(HALL, MATTER, MONDAY + timedelta(days=15), 10) == ["OUTSIDE_BOOKING_WINDOW"]
    assert await book(HALL, "GZ-WJW-0001", WEDNESDAY, 10) == ["HALL_DOES_NOT_HANDLE_MATTER"]
    assert await book(HALL, MATTER, WEDNESDAY, 8) == ["SLOT_NOT_FOUND"]  # before opening
    # At most three live appointments
    assert await book(HALL, "GZ-GA-0019", WEDNESDAY, 10) == []
    assert await book(HALL, "GZ-GA-0020", WEDNESDAY, 10) == []
    assert await book(HALL, "GZ-GA-0021", WEDNESDAY, 11) == []
    assert await book(HALL, "GZ-GA-0022", WEDNESDAY, 11) == ["TOO_MANY_APPOINTMENTS"]


async def test_a_hall_manager_or_an_admin_sets_the_policy_and_new_days_use_it(
    api: AsyncTestClient[Any], db: factories.Sessions
) -> None:
    set_clock(api, beijing(MONDAY, 10))
    officer = await staff_token(api, "officer.gz-ga")
    refused = await gql(api, POLICY, {"i": {"hallCode": HALL, "walkInPercent": 50}})
    assert refused["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    _, forbidden = await as_user(api, officer, POLICY, {"i": {"hallCode": HALL}})
    assert forbidden["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    manager = await hall_manager(api, db, "HALL-440103")
    other = (await run(api, manager, POLICY, {"i": {"hallCode": HALL, "walkInPercent": 50}}))["setHallPolicy"]
    assert [e["code"] for e in other["errors"]] == ["NOT_YOUR_HALL"]
    admin = await staff_token(api, "admin")
    bad = (await run(api, admin, POLICY, {"i": {"hallCode": HALL, "walkInPercent": 95}}))["setHallPolicy"]
    assert [e["code"] for e in bad["errors"]] == ["INVALID_POLICY"]
    done = await run(api, admin, POLICY, {"i": {"hallCode": HALL, "walkInPercent": 50, "bookingWindowDays": 7}})
    assert done["setHallPolicy"] == {
        "policy": {"hallCode": HALL, "walkInPercent": 50, "bookingWindowDays": 7},
        "errors": [],
    }
    # A day not opened before uses it: 72 x 4 x 50% = 144 places; 8 days ahead is now beyond the window
    assert {s["capacity"] for s in await _slots(api, date(2026, 12, 11))} == {144}
    assert {s["bookable"] for s in await _slots(api, date(2026, 12, 15))} == {False}


async def test_the_hall_commands_print_a_days_slots_and_its_missed_appointments(
    catalog_database: str, redis_server: RedisServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ONEWINDOW_DATABASE_URL", catalog_database)
    monkeypatch.setenv("ONEWINDOW_REDIS_URL", redis_server.url)
    monkeypatch.setenv("LANG", "en_US.UTF-8")
    get_settings.cache_clear()
    day = WorkCalendar.default().next_working_day(date.today() + timedelta(days=3))
    try:
        slots = await asyncio.to_thread(
            CliRunner().invoke, cli, ["hall", "slots", "--hall", HALL, "--matter", MATTER, "--day", day.isoformat()]
        )
        missed = await asyncio.to_thread(
            CliRunner().invoke, cli, ["hall", "no-shows", "--hall", HALL, "--day", day.isoformat()]
        )
    finally:
        get_settings.cache_clear()
    assert slots.exit_code == 0, slots.output
    assert slots.output.count(f" {PLACES} ") >= 16 and "09:00-10:00" in slots.output and "16:00-17:00" in slots.output
    assert missed.exit_code == 0, missed.output
    assert f"{HALL} {day.isoformat()}: Confirmed 0" in missed.output
    assert f"{HALL} {day.isoformat()}: Missed 0" in missed.output
