"""好差评 over time (issue 19): hall visits opened through the queue's seam; one left unrated past its 7 days
counts as 基本满意 (defaulted); a 差评 left open past its 5 working days goes to the 12345 stand-in with
notices; the hall's published figures count all of it exactly. Time moves by `now`, never by sleeping."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from litestar.testing import AsyncTestClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from backend.applications.workdays import WorkCalendar, shanghai_date
from backend.db import tables as t
from backend.db.engine import unit_of_work
from backend.hall.ratings import escalation, rating
from backend.hall.ratings.figures import Scope, figures
from backend.hall.ratings.levels import Level
from backend.hall.ratings.opening import Rateable, RatedKind, open_rating
from backend.hall.ratings.runtime import hotline
from backend.settings import get_settings
from tests.support import factories
from tests.support.gql import run
from tests.support.identity import staff_token

Sessions = async_sessionmaker[AsyncSession]
HALL = {"service_efficiency": "satisfied", "service_level": "satisfied", "service_attitude": "satisfied"}


async def test_unrated_visits_default_and_an_overdue_rectification_escalates_to_12345(
    api: AsyncTestClient[Any], db: Sessions, fresh_redis: Any
) -> None:
    citizen = await factories.citizen(api, db)
    now = datetime.now(UTC)
    async with db() as session:
        hall = (await session.execute(select(t.halls.c.code).limit(1))).scalar_one()
        where = t.matters.c.code == "GZ-GA-0017"  # the police's, as officer.gz-ga
        matter, department = (
            await session.execute(select(t.matters.c.code, t.matters.c.department_code).where(where))
        ).one()

    def visit(ticket: str, days_ago: int) -> Rateable:
        return Rateable(
            kind=RatedKind.HALL_VISIT,
            subject_id=ticket,
            citizen_id=citizen.id,
            department_code=department,
            matter_code=matter,
            finished_at=now - timedelta(days=days_ago),
            hall_code=hall,
            officer_id="officer-1",
        )

    calendar = WorkCalendar.default()
    async with db() as session, unit_of_work(session):
        unrated = await open_rating(session, visit("ticket-a", 8))
        assert await open_rating(session, visit("ticket-a", 8)) == unrated  # once per ticket
        liked = await open_rating(session, visit("ticket-b", 2))
        disliked = await open_rating(session, visit("ticket-c", 20))
        await rating.rate(
            session, citizen.id, liked, Level.SATISFIED, HALL, None, now=now, calendar=calendar, rectification_days=5
        )
        # Rated 20 days ago, its 5 working days are long past
        await rating.rate(
            session,
            citizen.id,
            disliked,
            Level.DISSATISFIED,
            HALL | {"service_attitude": "very_dissatisfied"},
            "窗口人员态度差",
            now=now - timedelta(days=20),
            calendar=calendar,
            rectification_days=5,
        )

    # A day before its due date nothing defaults; at the 7th day the unrated visit counts as 基本满意
    async with db() as session, unit_of_work(session):
        assert await rating.default_unrated(session, now - timedelta(days=2)) == 0
        assert await rating.default_unrated(session, now) == 1
        assert await rating.default_unrated(session, now) == 0
        defaulted = await rating.rated(session, unrated)
    assert defaulted is not None and (defaulted.level, defaulted.defaulted) == ("basic", True)

    # The overdue case escalates once: a work order at the hotline, the case marked, both told
    async with db() as session, unit_of_work(session):
        assert await escalation.escalate_overdue(session, hotline(get_settings()), now) == 1
        assert await escalation.escalate_overdue(session, hotline(get_settings()), now) == 0
    async with db() as session:
        case = (await session.execute(select(t.rectification_cases))).one()
        [order] = (await session.execute(select(t.hotline_work_orders))).all()
        staff_notice = (await session.execute(select(t.rating_staff_notices))).one()
    assert case.escalated_at is not None and case.work_order == order.number and order.case_id == case.id
    assert order.department_code == department and citizen.id not in order.summary
    assert (staff_notice.department_code, staff_notice.kind, staff_notice.params["work_order"]) == (
        department,
        "staff.escalated",
        order.number,
    )
    inbox = await run(api, citizen.token, "{ myNotifications(first: 20) { items { text } } }", locale="zh-CN")
    assert any(f"已转12345热线（工单号 {order.number}）" in x["text"] for x in inbox["myNotifications"]["items"])
    officer = await staff_token(api, "officer.gz-ga")
    told = await run(api, officer, "{ rectificationNotices(first: 5) { caseId text } }", locale="zh-CN")
    assert [x["caseId"] for x in told["rectificationNotices"]] == [case.id]
    assert f"已转12345热线（工单号 {order.number}）" in told["rectificationNotices"][0]["text"]
    mine = await run(
        api, citizen.token, "{ myRatings(first: 5) { items { defaulted rectification { escalated workOrder } } } }"
    )
    assert [(x["defaulted"], x["rectification"]) for x in mine["myRatings"]["items"]] == [
        (False, None),  # two days ago, satisfied
        (True, None),  # eight days ago, defaulted
        (False, {"escalated": True, "workOrder": order.number}),
    ]

    # The hall's figures: three ratings (the defaulted one counted as 基本满意), one 差评 not rectified in time
    async with db() as session:
        found = await figures(
            session, Scope(hall_code=hall), shanghai_date(now - timedelta(days=30)), shanghai_date(now), now
        )
    assert (found.ratings, found.defaulted, found.bad, found.excluded) == (3, 1, 1, 0)
    assert found.satisfaction_rate == 2 / 3
    assert (found.cases_due, found.rectified_on_time, found.rectified_on_time_rate, found.escalated) == (1, 0, 0.0, 1)
    assert {k.value: v for k, v in found.per_level.items() if v} == {"satisfied": 1, "basic": 1, "dissatisfied": 1}
