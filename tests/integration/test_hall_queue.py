"""A day at a hall's police queue (issue 19): walk-ins and a ticket by app, officers at two windows calling
in queue order (the elderly first), recalls up to three then missed, a transfer keeping its place, names
hidden until the call, estimates from real handling times, and the SMS a few numbers before, once."""

from __future__ import annotations

from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from backend.identity.models import Role, RoleGrant
from backend.privacy import mask_name
from tests.support import factories
from tests.support.gql import run
from tests.support.queue import (
    CALL,
    FINISH,
    ISSUE,
    MINE,
    MISSED,
    OPEN,
    QUEUE,
    RECALL,
    SERVE,
    TAKE,
    TRANSFER,
    Clock,
    Sessions,
    ok,
    staff_of,
    texts_to,
    young_citizen,
)

HALL, MATTER, POLICE = "HALL-GZ", "GZ-GA-0019", "GZ-GA"  # the police's queue is B at the city hall
ELDERLY_ID = "440103195001010011"  # born 1950: 76


async def _mine(api: AsyncTestClient[Any], token: str) -> dict[str, Any]:
    found: dict[str, Any] = (await run(api, token, MINE))["myTickets"][0]
    return found


async def test_a_morning_at_the_police_windows(
    api: AsyncTestClient[Any], db: Sessions, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = Clock(monkeypatch)
    await staff_of(db, "officer2.gz-ga", [RoleGrant(Role.OFFICER, POLICE)])
    first = await factories.staff(api, "officer.gz-ga")
    second = await factories.staff(api, "officer2.gz-ga")
    citizen = await young_citizen(api, db)
    # Given window 1 open, and three walk-ins from the kiosk, the third 76 by his ID number
    w1 = ok((await run(api, first, OPEN, {"h": HALL, "w": "01", "c": [POLICE]}))["openCounter"])["id"]
    labels = []
    for id_number in (None, None, ELDERLY_ID):
        clock.tick()
        issued = ok((await run(api, first, ISSUE, {"h": HALL, "m": MATTER, "i": id_number}))["issueTicket"])
        labels.append((issued["label"], issued["priority"]))
    assert labels == [("B001", "NONE"), ("B002", "NONE"), ("B003", "ELDERLY")]
    # When a citizen takes a ticket by app
    clock.tick()
    taken = ok((await run(api, citizen.token, TAKE, {"h": HALL, "m": MATTER}))["takeTicket"])
    # Then it is fourth: 4 x 15 minutes (the hall's default handling time) / 1 window
    assert (taken["label"], taken["position"], taken["ahead"]) == ("B004", 4, 3)
    assert (taken["estimatedWaitMinutes"], taken["countersOpen"], taken["stateLabel"]) == (60, 1, "Waiting")
    assert await _texts(db, citizen.phone) == []
    # and the officer's list shows numbers, matters and priorities in calling order, never a name
    listed = (await run(api, first, QUEUE, {"c": w1}))["counterQueue"]
    assert [(x["label"], x["priority"]) for x in listed] == [
        ("B003", "ELDERLY"),
        ("B001", "NONE"),
        ("B002", "NONE"),
        ("B004", "NONE"),
    ]
    assert listed[3]["matterName"] and listed[0]["priorityLabel"] == "Elderly (70 or older)"
    assert all(
        set(x) == {"label", "matterName", "priority", "priorityLabel", "waitedMinutes", "appointmentDue"}
        for x in listed
    )
    assert [x["waitedMinutes"] for x in listed] == [1, 3, 2, 0]
    # When a second window opens, the estimate halves
    w2 = ok((await run(api, second, OPEN, {"h": HALL, "w": "02", "c": [POLICE]}))["openCounter"])["id"]
    assert (await _mine(api, citizen.token))["estimatedWaitMinutes"] == 30
    # When window 1 calls: the elderly walk-in first; the citizen is now third and gets the SMS
    called = ok((await run(api, first, CALL, {"c": w1}))["callNext"])
    assert (called["label"], called["calls"], called["holderName"]) == ("B003", 1, None)
    assert await _texts(db, citizen.phone) == [
        "Your ticket B004 will be called soon: 2 ahead of you. Please wait near the windows."
    ]
    assert (await _mine(api, citizen.token))["estimatedWaitMinutes"] == 23  # ceil(3 x 15 / 2)
    # and nobody comes: recalled twice, the fourth call makes it missed
    assert ok((await run(api, first, RECALL, {"t": called["id"]}))["recallTicket"])["calls"] == 2
    assert ok((await run(api, first, RECALL, {"t": called["id"]}))["recallTicket"])["calls"] == 3
    assert ok((await run(api, first, RECALL, {"t": called["id"]}))["recallTicket"])["state"] == "MISSED"
    # When window 2 calls B001 and sends it to window 1, it keeps its place there (before B002)
    at_two = ok((await run(api, second, CALL, {"c": w2}))["callNext"])
    assert at_two["label"] == "B001"
    moved = ok((await run(api, second, TRANSFER, {"t": at_two["id"], "to": w1}))["transferTicket"])
    assert moved["state"] == "ISSUED"
    assert [x["label"] for x in (await run(api, first, QUEUE, {"c": w1}))["counterQueue"]] == ["B001", "B002", "B004"]
    assert [x["label"] for x in (await run(api, second, QUEUE, {"c": w2}))["counterQueue"]] == ["B002", "B004"]
    again = ok((await run(api, first, CALL, {"c": w1}))["callNext"])
    assert again["label"] == "B001"
    # and serves it in 10 minutes: today's handling time is now 10 minutes
    ok((await run(api, first, SERVE, {"t": again["id"]}))["startServing"])
    clock.tick(10)
    assert ok((await run(api, first, FINISH, {"t": again["id"]}))["finishTicket"])["state"] == "FINISHED"
    mine = await _mine(api, citizen.token)
    assert (mine["position"], mine["estimatedWaitMinutes"]) == (2, 10)  # ceil(2 x 10 / 2)
    # When both windows call, the citizen is called to window 1, and only now the officer sees the name
    assert ok((await run(api, second, CALL, {"c": w2}))["callNext"])["label"] == "B002"
    mine_called = ok((await run(api, first, CALL, {"c": w1}))["callNext"])
    assert (mine_called["label"], mine_called["holderName"]) == ("B004", mask_name(citizen.name))
    mine = await _mine(api, citizen.token)
    assert (mine["state"], mine["window"], mine["position"]) == ("CALLED", "01", None)
    # The SMS went once
    assert len(await _texts(db, citizen.phone)) == 1
    # and nobody else is waiting
    nobody = (await run(api, second, CALL, {"c": w2}))["callNext"]
    assert [e["code"] for e in nobody["errors"]] == ["NOBODY_WAITING"]
    # An officer cannot act on another window's ticket
    wrong = (await run(api, second, MISSED, {"t": mine_called["id"]}))["markTicketMissed"]
    assert [e["code"] for e in wrong["errors"]] == ["TICKET_NOT_CALLED"]


async def _texts(db: Sessions, phone: str) -> list[str]:
    return [x for x in await texts_to(db, phone) if "ticket" in x]


async def test_a_ticket_by_app_only_near_home_during_opening_hours(
    api: AsyncTestClient[Any], db: Sessions, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = Clock(monkeypatch)
    citizen = await young_citizen(api, db)
    home = citizen.id_number[:6]
    other = "HALL-440104" if home != "440104" else "HALL-440105"
    # A district hall of another district refuses a ticket by app; the matter must be handled there
    refused = (await run(api, citizen.token, TAKE, {"h": other, "m": "GZ-MZJ-0001"}))["takeTicket"]
    assert [e["code"] for e in refused["errors"]] == ["HALL_TOO_FAR"]
    refused = (await run(api, citizen.token, TAKE, {"h": HALL, "m": "GZ-MZJ-0001"}))["takeTicket"]
    assert [e["code"] for e in refused["errors"]] == ["QUEUE_MATTER_NOT_AT_HALL"]
    # At 17:30 the city hall is closed
    clock.tick(7 * 60 + 30)
    refused = (await run(api, citizen.token, TAKE, {"h": HALL, "m": MATTER}))["takeTicket"]
    assert [e["code"] for e in refused["errors"]] == ["QUEUE_HALL_CLOSED"]
    # At 16:20 with one window and three waiting (4 x 15 + 15 minutes > 40), tickets by app are closed
    clock.now = clock.now.replace(hour=8, minute=20)
    officer = await factories.staff(api, "officer.gz-ga")
    ok((await run(api, officer, OPEN, {"h": HALL, "w": "01", "c": [POLICE]}))["openCounter"])
    for _ in range(3):
        clock.tick()
        ok((await run(api, officer, ISSUE, {"h": HALL, "m": MATTER}))["issueTicket"])
    refused = (await run(api, citizen.token, TAKE, {"h": HALL, "m": MATTER}, "zh-CN"))["takeTicket"]
    assert [e["code"] for e in refused["errors"]] == ["TICKETS_CLOSED_FOR_TODAY"]
    assert refused["errors"][0]["message"] == "今日线上取号已满：排队等候的人数已排满至大厅下班。"
    # Earlier that day it was given, once per queue
    clock.now = clock.now.replace(hour=6)
    taken = ok((await run(api, citizen.token, TAKE, {"h": HALL, "m": MATTER}))["takeTicket"])
    again = (await run(api, citizen.token, TAKE, {"h": HALL, "m": MATTER}))["takeTicket"]
    assert [e["code"] for e in again["errors"]] == ["ALREADY_WAITING"]
    assert again["errors"][0]["message"] == f"You already hold ticket {taken['label']} in this queue."
