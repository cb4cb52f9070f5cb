"""myDataAccess (issue 17, item 3): a citizen sees, per app and Beijing day, which permissions' data each
mini-program read through the API and which events about them it was sent, in their language."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from litestar.testing import AsyncTestClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from backend.db import tables as t
from backend.db.engine import unit_of_work
from backend.platform import data_access
from backend.platform.data_access import BEIJING, AccessKind, count_access
from backend.privacy import Disclosure, Personal
from tests.integration.test_officer_materials import PASSPORT
from tests.support import factories
from tests.support.gql import as_user, run
from tests.support.identity import third_party_token

Sessions = async_sessionmaker[AsyncSession]

MY_DATA_ACCESS = """query($first: Int!, $after: String, $days: Int) {
  myDataAccess(first: $first, after: $after, days: $days) {
    edges { cursor node { day app { clientId name } reads { scope label count } events { type label count } } }
    hasNextPage endCursor } }"""
FORM = "query($m: String) { applicationForm(matterCode: $m) { fields { key value } } }"
THIRD_PARTY_READS = "{ me { id name } myApplications(first: 5) { edges { node { id status } } } }"
PROFILE = {
    "zh-Hans": "您的姓名、是否已实名认证及注册时间；以及您办件中填写的姓名、地址、出生日期和性别",
    "en": "Your name, whether your identity is verified and when you registered; and the names, addresses, "
    "dates of birth and sex written in your applications",
}
APPLICATIONS = {
    "zh-Hans": "查看您的办件及办理进度（状态、办理环节、办结时限、费用、通知）和表单中的其他内容；"
    "其中的姓名、地址、电话号码、证件号码和证照信息须另经相应授权",
    "en": "See your applications and their progress (status, steps, deadlines, fees, notices) and the other "
    "answers in their forms; names, addresses, phone and ID numbers and certificate details in them only "
    "with the permissions for those",
}


def _today() -> str:
    return datetime.now(BEIJING).date().isoformat()


async def _days(api: AsyncTestClient[Any], token: str, locale: str = "en", **variables: Any) -> dict[str, Any]:
    answer = await run(api, token, MY_DATA_ACCESS, {"first": 10} | variables, locale=locale)
    connection: dict[str, Any] = answer["myDataAccess"]
    return connection


async def _client_of(db: Sessions, client_name: str = "Some mini-program") -> str:
    async with db() as session:
        found = await session.execute(select(t.oauth_clients.c.client_id).where(t.oauth_clients.c.name == client_name))
    return str(found.scalar_one())


async def test_a_citizen_sees_what_a_mini_program_read_today_in_their_language(
    api: AsyncTestClient[Any], db: Sessions, fresh_redis: Any
) -> None:
    citizen = await factories.citizen(api, db)
    app_token, _ = await third_party_token(
        api, db, fresh_redis, citizen.phone, ["openid", "profile", "applications:read"]
    )
    client_id = await _client_of(db)
    read = await run(api, app_token, THIRD_PARTY_READS)
    assert read["me"]["name"] == citizen.name and read["myApplications"]["edges"] == []
    await run(api, app_token, "{ me { name } }")  # a second request: profile read twice, applications once
    # The citizen's own app reads the same fields: that is the citizen, not an app using their data.
    await run(api, citizen.token, THIRD_PARTY_READS)
    for locale in ("zh-Hans", "en"):
        page = await _days(api, citizen.token, locale)
        assert page["hasNextPage"] is False and len(page["edges"]) == 1, page
        day = page["edges"][0]["node"]
        assert day["day"] == _today()
        assert day["app"] == {"clientId": client_id, "name": "Some mini-program"}
        assert day["reads"] == [
            {"scope": "applications:read", "label": APPLICATIONS[locale], "count": 1},
            {"scope": "profile", "label": PROFILE[locale], "count": 2},
        ]
        assert day["events"] == []
        assert not any(code in r["label"] for r in day["reads"] for code in ("profile", "applications:read"))
    # Another citizen sees nothing of it.
    other = await factories.citizen(api, db, skip=1)
    assert (await _days(api, other.token))["edges"] == []


async def test_events_sent_about_the_citizen_show_with_their_labels_newest_day_first(
    api: AsyncTestClient[Any], db: Sessions, fresh_redis: Any
) -> None:
    citizen = await factories.citizen(api, db)
    app_token, _ = await third_party_token(api, db, fresh_redis, citizen.phone, ["openid", "applications:read"])
    client_id = await _client_of(db)
    # What the webhook delivery engine writes on each 2xx: today two progress events, yesterday one
    # submission and a consent event.
    yesterday = datetime.now(UTC) - timedelta(days=1)
    async with db() as session, unit_of_work(session):
        today = {"application.status_changed": 2, "application.issued": 1}
        await count_access(session, citizen.id, client_id, AccessKind.EVENT, today)
        earlier = {"application.submitted": 1, "consent.granted": 1}
        await count_access(session, citizen.id, client_id, AccessKind.EVENT, earlier, at=yesterday)
    first = await _days(api, citizen.token, "zh-Hans", first=1)
    assert first["hasNextPage"] is True and len(first["edges"]) == 1
    newest = first["edges"][0]["node"]
    assert newest["day"] == _today() and newest["reads"] == []
    assert newest["events"] == [
        {"type": "application.issued", "label": "您的申请已通过并出具结果", "count": 1},
        {"type": "application.status_changed", "label": "您的申请办理进度", "count": 2},
    ]
    rest = await _days(api, citizen.token, "en", first=5, after=first["endCursor"])
    assert rest["hasNextPage"] is False and [e["node"]["day"] for e in rest["edges"]] == [
        yesterday.astimezone(BEIJING).date().isoformat()
    ]
    assert rest["edges"][0]["node"]["events"] == [
        {"type": "application.submitted", "label": "An application of yours was submitted", "count": 1},
        {"type": "consent.granted", "label": "You allowed the app to use your data", "count": 1},
    ]
    # Only today: the last one day.
    assert len((await _days(api, citizen.token, days=1))["edges"]) == 1
    # The list is the citizen's own app's: a mini-program cannot read which other apps were used.
    status, body = await as_user(api, app_token, MY_DATA_ACCESS, {"first": 5})
    assert status == 200 and body["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_personal_data_is_recorded_by_the_scope_that_let_it_through(
    api: AsyncTestClient[Any], db: Sessions, fresh_redis: Any
) -> None:
    # The passport form is prefilled with the citizen's name, ID number and phone: an app holding
    # id_number (not profile, not phone) is shown the ID number only, and that is what it read.
    citizen = await factories.citizen(api, db)
    scopes = ["openid", "applications:read", "id_number"]
    app_token, _ = await third_party_token(api, db, fresh_redis, citizen.phone, scopes)
    form = (await run(api, app_token, FORM, {"m": PASSPORT}))["applicationForm"]["fields"]
    values = {f["key"]: f["value"] for f in form}
    assert values["id_number"] == citizen.id_number and values["name"] is None and values["phone"] is None
    day = (await _days(api, citizen.token))["edges"][0]["node"]
    assert [(r["scope"], r["count"]) for r in day["reads"]] == [("applications:read", 1), ("id_number", 1)]


async def test_userinfo_is_recorded_by_the_scopes_of_its_claims(
    api: AsyncTestClient[Any], db: Sessions, fresh_redis: Any
) -> None:
    citizen = await factories.citizen(api, db)
    app_token, _ = await third_party_token(api, db, fresh_redis, citizen.phone, ["openid", "phone"])
    response = await api.get("/oauth/userinfo", headers={"authorization": f"Bearer {app_token}"})
    assert response.status_code == 200 and response.json()["phone_number"].startswith("+86")
    day = (await _days(api, citizen.token))["edges"][0]["node"]
    assert [(r["scope"], r["count"]) for r in day["reads"]] == [("openid", 1), ("phone", 1)]


async def test_a_failed_record_never_fails_the_request(
    api: AsyncTestClient[Any], db: Sessions, fresh_redis: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    citizen = await factories.citizen(api, db)
    app_token, _ = await third_party_token(api, db, fresh_redis, citizen.phone, ["openid", "profile"])

    async def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("the database went away")

    monkeypatch.setattr("backend.platform.citizen_access.count_access", broken)
    assert (await run(api, app_token, "{ me { name } }"))["me"]["name"] == citizen.name
    monkeypatch.setattr("backend.platform.citizen_access.count_access", data_access.count_access)
    assert (await _days(api, citizen.token))["edges"] == []
    await run(api, app_token, "{ me { name } }")  # recorded again once the database is back
    day = (await _days(api, citizen.token))["edges"][0]["node"]
    assert [(r["scope"], r["count"]) for r in day["reads"]] == [("profile", 1)]


def test_a_mini_programs_disclosure_notes_the_kinds_it_let_through() -> None:
    # A value of a kind the token covers, and a number found in text, are reads of that scope; a
    # withheld value is not; the platform's own app is not noted at all.
    disclosure = Disclosure(frozenset({Personal.PHONE, Personal.PROFILE}), noting=True)
    assert disclosure.show("李四", Personal.ID_NUMBER) is None
    assert disclosure.show(None, Personal.PROFILE) is None
    assert disclosure.opened == set()
    assert disclosure.show("请致电 13800138000") == "请致电 13800138000"
    assert disclosure.show({"name": "李四", "kind": "x"}, {"name": Personal.PROFILE}) == {"name": "李四", "kind": "x"}
    assert disclosure.opened == {Personal.PHONE, Personal.PROFILE}
    assert Disclosure(frozenset(Personal)).opened is None
