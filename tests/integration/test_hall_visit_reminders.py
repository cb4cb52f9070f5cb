"""Appointment reminders (issue 19): an SMS and an inbox notice from 18:00 Beijing the evening before and
one an hour before, each once, in the appointment's language, never for a cancelled appointment, and no
"day before" message for a booking made within the hour. The clock is moved, never waited for."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from litestar.testing import AsyncTestClient
from sqlalchemy import func, select

from backend.catalog.snapshot import load_snapshot
from backend.db import tables as t
from backend.db.engine import unit_of_work
from backend.hall.appointments.reminders import send_due
from backend.hall.appointments.visit_texts import NOTICE_KIND
from backend.i18n import catalogs
from backend.settings import PROJECT_ROOT
from standins.sms import OutboxSms, outbox
from tests.support import factories
from tests.support.gql import run
from tests.support.hall import Sessions, appointment, set_status

SLOT = datetime(2026, 12, 15, 1, 0, tzinfo=UTC)  # Tuesday 09:00 Beijing
EVENING = datetime(2026, 12, 14, 10, 0, tzinfo=UTC)  # Monday 18:00 Beijing
MESSAGES = catalogs(str(PROJECT_ROOT / "locales"))
INBOX = "query { myNotifications(first: 20) { items { text } } }"


async def _remind(db: Sessions, now: datetime) -> dict[str, int]:
    """One pass of the reminders' job at `now` (on the test's own sessions: the app's engine lives on the
    test client's loop)."""
    async with db() as session, unit_of_work(session):
        return await send_due(session, await load_snapshot(session), OutboxSms(), MESSAGES, now)


async def _texts(db: Sessions, phone: str) -> list[str]:
    async with db() as session:
        return [body for _, _, body in await outbox(session, phone) if "HA" in body]


async def test_each_reminder_is_sent_once_at_its_time_in_its_language(api: AsyncTestClient[Any], db: Sessions) -> None:
    person = await factories.citizen(api, db)
    chinese = await appointment(db, person.id, SLOT, locale="zh-Hans")
    await appointment(db, person.id, SLOT + timedelta(hours=2), locale="en")
    cancelled = await appointment(db, person.id, SLOT + timedelta(hours=3))
    await set_status(db, cancelled, "cancelled")

    assert await _remind(db, EVENING - timedelta(minutes=1)) == {"day_before": 0, "hour_before": 0}
    assert await _remind(db, EVENING) == {"day_before": 2, "hour_before": 0}
    assert await _remind(db, EVENING + timedelta(minutes=5)) == {"day_before": 0, "hour_before": 0}
    texts = await _texts(db, person.phone)
    assert len(texts) == 2
    chinese_text = next(x for x in texts if x.startswith("【一网通办】"))
    assert "明天 2026-12-15 09:00" in chinese_text and "广州市政务服务中心" in chinese_text
    assert "广州市天河区华利路61号" in chinese_text
    english = next(x for x in texts if x.startswith("[onewindow]"))
    assert "tomorrow at 2026-12-15 11:00 at Guangzhou Government Service Centre" in english
    assert all(person.id_number not in x for x in texts)

    # An hour before the first: its hour-before reminder alone, once
    assert await _remind(db, SLOT - timedelta(minutes=61)) == {"day_before": 0, "hour_before": 0}
    assert await _remind(db, SLOT - timedelta(minutes=60)) == {"day_before": 0, "hour_before": 1}
    assert await _remind(db, SLOT - timedelta(minutes=55)) == {"day_before": 0, "hour_before": 0}
    latest = (await _texts(db, person.phone))[-1]
    assert "约一小时后" in latest and "09:00" in latest
    # The second's hour, and never anything for the cancelled one
    assert await _remind(db, SLOT + timedelta(minutes=65)) == {"day_before": 0, "hour_before": 1}
    assert await _remind(db, SLOT + timedelta(minutes=125)) == {"day_before": 0, "hour_before": 0}
    assert len(await _texts(db, person.phone)) == 4

    async with db() as session:
        notices = (
            await session.execute(
                select(func.count()).where(
                    t.notifications.c.citizen_id == person.id, t.notifications.c.kind == NOTICE_KIND
                )
            )
        ).scalar_one()
        reminded = (
            await session.execute(
                select(t.appointments.c.reminded_hour_before_at).where(t.appointments.c.id == chinese)
            )
        ).scalar_one()
    assert notices == 4 and reminded == SLOT - timedelta(minutes=60)
    # The inbox renders them in the reader's language
    items = (await run(api, person.token, INBOX, locale="en"))["myNotifications"]["items"]
    assert any(i["text"].startswith("Your appointment HA") and "in about an hour" in i["text"] for i in items)


async def test_a_late_booking_gets_the_day_before_at_once_and_one_within_the_hour_only_the_hour(
    api: AsyncTestClient[Any], db: Sessions
) -> None:
    person = await factories.citizen(api, db)
    # Booked at 20:00 the evening before: the evening reminder goes out on the next pass
    await appointment(db, person.id, SLOT, created_at=EVENING + timedelta(hours=2))
    assert await _remind(db, EVENING + timedelta(hours=2, minutes=5)) == {"day_before": 1, "hour_before": 0}
    # Booked 40 minutes before its slot (another day): no "day before", the hour-before one
    later = SLOT + timedelta(days=1, hours=4)
    await appointment(db, person.id, later, created_at=later - timedelta(minutes=40))
    assert await _remind(db, later - timedelta(minutes=35)) == {"day_before": 0, "hour_before": 1}
    texts = await _texts(db, person.phone)
    assert len(texts) == 2 and "明天" in texts[0] and "约一小时后" in texts[1]
