"""Issue 14 item 11: a certificate past its validUntil is expired wherever it is shown or used, by the
date in China (a clock the test sets, not the wall clock's); its holder is reminded once, 30 days before.
"""

from __future__ import annotations

import dataclasses
from datetime import date, datetime, time, timedelta
from typing import Any

import pytest
from click.testing import CliRunner
from litestar.testing import AsyncTestClient
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from backend.applications.reminders import KIND, remind_expiring
from backend.applications.workdays import SHANGHAI
from backend.cli import main as cli
from backend.db import tables as t
from backend.db.engine import unit_of_work
from backend.settings import get_settings
from standins.population.generate import DEMO_PHONE
from tests.support.factories import VERIFY, Citizen
from tests.support.gql import gql, run
from tests.support.identity import citizen_token

WALLET = "{ myCertificates(first: 100) { items { id code typeCode status validUntil fields { key value } } } }"
VERIFY_CODE = "query($c: String!) { verifyCertificate(code: $c) { status validUntil number } }"
ELIGIBILITY = 'query { checkEligibility(matterCode: "GZ-GA-0018") { eligible conditions { path held } } }'
INBOX = "query { myNotifications(first: 20) { items { text applicationId } unreadCount } }"
Sessions = async_sessionmaker[AsyncSession]


@dataclasses.dataclass(frozen=True)
class Licence:
    id: str
    code: str
    valid_until: date


async def _holder(api: AsyncTestClient[Any], db: Sessions) -> tuple[Citizen, Licence]:
    """A resident (not the demo citizen) with a C1 driving licence that expires on a date, signed in."""
    c, person = t.certificates.c, t.registry_persons.c
    query = (
        select(person.phone, person.name, person.id_number, c.id, c.code, c.valid_until, c.data)
        .join(t.certificates, c.holder_id_number == person.id_number)
        .where(
            c.type_code == "DRIVING_LICENSE",
            c.status == "valid",
            c.valid_until.is_not(None),
            person.phone.is_not(None),
            person.phone != DEMO_PHONE,
            person.birth_date > date(1970, 1, 1),
        )
        .order_by(person.id_number)
    )
    async with db() as session:
        rows = (await session.execute(query)).all()
    row = next(r for r in rows if r.data.get("license_class") == "C1")
    token = await citizen_token(api, db, row.phone)
    answer = await run(api, token, VERIFY, {"n": row.name, "i": row.id_number})
    assert answer["verifyRealName"]["errors"] == [], answer
    async with db() as session:
        citizen_id = (
            await session.execute(select(t.citizens.c.id).where(t.citizens.c.phone == row.phone))
        ).scalar_one()
    return Citizen(token, citizen_id, row.phone, row.name, row.id_number), Licence(row.id, row.code, row.valid_until)


def _on(api: AsyncTestClient[Any], day: date) -> None:
    """The server's clock: 10:00 in China on `day`."""
    resources = api.app.state.resources
    moment = datetime.combine(day, time(10), SHANGHAI)
    resources.applications = dataclasses.replace(resources.applications, clock=lambda: moment)


async def _wallet_entry(api: AsyncTestClient[Any], token: str, licence: Licence) -> dict[str, Any]:
    items = (await run(api, token, WALLET))["myCertificates"]["items"]
    return next(i for i in items if i["id"] == licence.id)


async def test_a_licence_past_its_valid_until_is_expired_in_the_wallet_verification_and_rules(
    api: AsyncTestClient[Any], db: Sessions
) -> None:
    citizen, licence = await _holder(api, db)
    # On its last day it is valid everywhere
    _on(api, licence.valid_until)
    entry = await _wallet_entry(api, citizen.token, licence)
    assert entry["status"] == "valid" and entry["validUntil"] == licence.valid_until.isoformat()
    assert (await gql(api, VERIFY_CODE, {"c": licence.code}))["data"]["verifyCertificate"]["status"] == "VALID"
    conditions = (await run(api, citizen.token, ELIGIBILITY))["checkEligibility"]["conditions"]
    assert {"path": "certs.DRIVING_LICENSE.status", "held": True} in conditions
    # The day after, the wallet and a verifier read it expired (its own status field too)
    _on(api, licence.valid_until + timedelta(days=1))
    entry = await _wallet_entry(api, citizen.token, licence)
    assert entry["status"] == "expired"
    assert {"key": "status", "value": "expired"} in entry["fields"]
    verified = (await gql(api, VERIFY_CODE, {"c": licence.code}))["data"]["verifyCertificate"]
    assert verified["status"] == "EXPIRED" and verified["validUntil"] == licence.valid_until.isoformat()
    # and the renewal's instant approval, which needs a valid licence, does not hold
    eligibility = (await run(api, citizen.token, ELIGIBILITY))["checkEligibility"]
    assert eligibility["eligible"] is False
    assert {"path": "certs.DRIVING_LICENSE.status", "held": True} not in eligibility["conditions"]


async def _reminders(db: Sessions, citizen_id: str) -> int:
    async with db() as session:
        query = select(func.count()).where(t.notifications.c.citizen_id == citizen_id, t.notifications.c.kind == KIND)
        return int((await session.execute(query)).scalar_one())


async def _remind(db: Sessions, day: date) -> int:
    async with db() as session, unit_of_work(session):
        return await remind_expiring(session, day, datetime.combine(day, time(9), SHANGHAI))


async def test_the_holder_is_reminded_once_thirty_days_before(api: AsyncTestClient[Any], db: Sessions) -> None:
    citizen, licence = await _holder(api, db)
    # 31 days before: not yet
    await _remind(db, licence.valid_until - timedelta(days=31))
    assert await _reminders(db, citizen.id) == 0
    # 30 days before: one notice; the pass run again (the same day, the next) writes no second one
    assert await _remind(db, licence.valid_until - timedelta(days=30)) >= 1
    await _remind(db, licence.valid_until - timedelta(days=30))
    await _remind(db, licence.valid_until - timedelta(days=29))
    assert await _reminders(db, citizen.id) == 1
    # The citizen reads it in their inbox, in their language
    inbox = (await run(api, citizen.token, INBOX))["myNotifications"]
    texts = [n["text"] for n in inbox["items"]]
    day = licence.valid_until.isoformat()
    assert f"Your Motor Vehicle Driving Licence is valid until {day}." in texts[0], texts
    assert inbox["items"][0]["applicationId"] is None
    zh = (await run(api, citizen.token, INBOX, locale="zh-CN"))["myNotifications"]
    assert zh["items"][0]["text"].startswith(f"您的机动车驾驶证有效期至{day}")


@pytest.mark.parametrize("databases", ["sqlite"], indirect=True)
def test_cli_remind_writes_each_reminder_once(catalog_database: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ONEWINDOW_DATABASE_URL", catalog_database)
    get_settings.cache_clear()
    try:
        first = CliRunner().invoke(cli, ["certificates", "remind", "--at", "2027-01-05"])
        again = CliRunner().invoke(cli, ["certificates", "remind", "--at", "2027-01-05"])
    finally:
        get_settings.cache_clear()
    assert first.exit_code == 0 and again.exit_code == 0, first.output
    assert first.output.endswith("reminders written (certificates expiring within 30 days)\n")
    assert again.output.startswith("0 reminders written")
