"""Issue 14, walked on a running server: what the restaurant bundle's officers are asked and issue, and
what a citizen reads when the journey refuses them.

The later steps' certificates name the business and its premises as the application does (the name
from the business licence, the address the citizen gave once); their officers are not asked to type
them again. A citizen who has used up their real-name tries for the day is told when to come back in
words a person reads ("24 hours"), not as a count of seconds ("86400 seconds")."""

from __future__ import annotations

from typing import Any

import pytest
from litestar.testing import AsyncTestClient
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from backend.errors import DomainError
from backend.identity.limits import rate_limited
from tests.support import factories
from tests.support.applications import fill_required, officer_entries, upload
from tests.support.gql import run

VERIFY = "mutation($n: String!, $i: String!) { verifyRealName(name: $n, idNumber: $i) { errors { code message } } }"
FORM = """query($b: String) { applicationForm(bundleCode: $b) {
  fields { key type required value options { value } } materials { key required replaced } } }"""
SUBMIT = """mutation($i: SubmitApplicationInput!) { submitApplication(input: $i) {
  application { id items { id matter { code outputs { code } } department { code } } } errors { code message } } }"""
PROCESS = """mutation($i: ProcessApplicationInput!) { processApplication(input: $i) {
  application { status } errors { code message } } }"""
TO_ENTER = "query($id: ID!) { application(id: $id) { certificateFieldsToEnter { certificateType key } } }"
ISSUED = """query($id: ID!) { application(id: $id) { issuedCertificates { typeCode fields { key value } } } }"""
ADDRESS = "广州市天河区天河路385号"
NAME = "广州味道餐饮有限公司"
REQUEST = "mutation($p: String!) { requestLoginCode(phone: $p) { sent retryAfter errors { code message } } }"


@pytest.fixture
async def citizen(
    api: AsyncTestClient[Any], db: async_sessionmaker[AsyncSession], fresh_redis: Any
) -> factories.Citizen:
    return await factories.citizen(api, db)


async def _process(api: AsyncTestClient[Any], item: dict[str, Any]) -> None:
    officer = await factories.staff(api, f"officer.{item['department']['code'].lower()}")
    for action in ("ACCEPT", "APPROVE", "ISSUE") if item["matter"]["outputs"] else ("ACCEPT", "APPROVE"):
        more = {"certificateFields": await officer_entries(api, officer, item["id"])} if action == "ISSUE" else {}
        done = await run(api, officer, PROCESS, {"i": {"applicationId": item["id"], "action": action, **more}})
        assert done["processApplication"]["errors"] == [], (item, action, done)


async def test_the_restaurants_later_certificates_name_the_business_and_premises_it_applied_with(
    api: AsyncTestClient[Any], citizen: factories.Citizen
) -> None:
    # Given the restaurant bundle submitted once, with the business's address
    form = (await run(api, citizen.token, FORM, {"b": "LE-0001"}))["applicationForm"]
    values = fill_required(form, {"proposed_name": NAME, "business_address": ADDRESS, "sign_height": "1.2"})
    uploads = {
        m["key"]: (await upload(api, citizen.token))["id"]
        for m in form["materials"]
        if m["required"] and not m["replaced"]
    }
    submitted = await run(
        api, citizen.token, SUBMIT, {"i": {"bundleCode": "LE-0001", "values": values, "materials": uploads}}
    )
    first, *later = submitted["submitApplication"]["application"]["items"]
    # and its business licence issued by the market regulation bureau
    await _process(api, first)
    by_matter = {item["matter"]["code"]: item for item in later}
    # Then the officers of the later steps are not asked for the business's name or premises
    for code in ("GZ-SJJ-0006", "GZ-XFZD-0001", "GZ-STHJJ-0001"):
        officer = await factories.staff(api, f"officer.{by_matter[code]['department']['code'].lower()}")
        await run(api, officer, PROCESS, {"i": {"applicationId": by_matter[code]["id"], "action": "ACCEPT"}})
        await run(api, officer, PROCESS, {"i": {"applicationId": by_matter[code]["id"], "action": "APPROVE"}})
        asked = (await run(api, officer, TO_ENTER, {"id": by_matter[code]["id"]}))["application"]
        keys = {f["key"] for f in asked["certificateFieldsToEnter"]}
        assert not keys & {"operator_name", "premises_address", "venue_name", "venue_address", "production_address"}
    # And each certificate names them as the business licence and the application do
    for code in ("GZ-SJJ-0006", "GZ-XFZD-0001", "GZ-STHJJ-0001"):
        item = by_matter[code]
        officer = await factories.staff(api, f"officer.{item['department']['code'].lower()}")
        entries = await officer_entries(api, officer, item["id"])
        issued = await run(
            api,
            officer,
            PROCESS,
            {"i": {"applicationId": item["id"], "action": "ISSUE", "certificateFields": entries}},
        )
        assert issued["processApplication"]["errors"] == [], issued
    certificates = {
        c["typeCode"]: {f["key"]: f["value"] for f in c["fields"]}
        for code in ("GZ-SJJ-0006", "GZ-XFZD-0001", "GZ-STHJJ-0001")
        for c in (await run(api, citizen.token, ISSUED, {"id": by_matter[code]["id"]}))["application"][
            "issuedCertificates"
        ]
    }
    food, fire, pollution = (
        certificates["FOOD_BUSINESS_LICENSE"],
        certificates["FIRE_SAFETY_PERMIT"],
        certificates["POLLUTANT_DISCHARGE_REG"],
    )
    assert (food["operator_name"], food["premises_address"]) == (NAME, ADDRESS)
    assert (fire["venue_name"], fire["venue_address"]) == (NAME, ADDRESS)
    assert (pollution["entity_name"], pollution["production_address"]) == (NAME, ADDRESS)


@pytest.fixture
async def unverified(
    api: AsyncTestClient[Any], db: async_sessionmaker[AsyncSession], fresh_redis: Any
) -> factories.Citizen:
    return await factories.citizen(api, db, verified=False)


async def test_a_citizen_out_of_real_name_tries_is_told_to_come_back_in_hours_not_seconds(
    api: AsyncTestClient[Any], unverified: factories.Citizen
) -> None:
    # Given a citizen who keeps mistyping their name until the day's tries are used up
    refusals: list[dict[str, Any]] = []
    for _ in range(6):
        answer = await run(api, unverified.token, VERIFY, {"n": "王某某", "i": unverified.id_number})
        refusals.extend(answer["verifyRealName"]["errors"])
    assert refusals[0]["code"] == "REAL_NAME_MISMATCH"
    assert refusals[-1]["code"] == "RATE_LIMITED"
    # Then they read when to come back in hours, in each language, never a count of seconds
    said = {
        locale: (await run(api, unverified.token, VERIFY, {"n": "王某某", "i": unverified.id_number}, locale))[
            "verifyRealName"
        ]["errors"][0]["message"]
        for locale in ("zh-CN", "zh-TW", "en")
    }
    assert said == {
        "zh-CN": "尝试次数过多，请 24 小时后再试。",
        "zh-TW": "嘗試次數過多，請 24 小時後再試。",
        "en": "Too many attempts. Please try again in 24 hours.",
    }


async def test_a_login_code_asked_again_within_the_cooldown_says_the_seconds_to_wait(
    api: AsyncTestClient[Any], db: async_sessionmaker[AsyncSession], fresh_redis: Any
) -> None:
    person = await factories.resident(db)
    sent = (await api.post("/graphql", json={"query": REQUEST, "variables": {"p": person.phone}})).json()
    assert sent["data"]["requestLoginCode"]["sent"] is True
    again = (
        await api.post(
            "/graphql", json={"query": REQUEST, "variables": {"p": person.phone}}, headers={"accept-language": "en"}
        )
    ).json()["data"]["requestLoginCode"]
    assert again["sent"] is False and 0 < again["retryAfter"] <= 60
    (error,) = again["errors"]
    assert error["message"] == f"Too many attempts. Please try again in {again['retryAfter']} seconds."


@pytest.mark.parametrize(
    ("seconds", "en", "zh_hans"),
    [
        (1, "1 second", "1 秒"),
        (60, "60 seconds", "60 秒"),
        (119, "119 seconds", "119 秒"),
        (120, "2 minutes", "2 分钟"),
        (899, "15 minutes", "15 分钟"),
        (3600, "60 minutes", "60 分钟"),
        (7200, "2 hours", "2 小时"),
        (86400, "24 hours", "24 小时"),
        (86399, "24 hours", "24 小时"),
    ],
)
def test_a_wait_is_said_in_the_largest_unit_that_reads_naturally_rounded_up(
    seconds: int, en: str, zh_hans: str
) -> None:
    error: DomainError = rate_limited(seconds)
    assert error.params["seconds"] == seconds
    assert error.params["wait"]["en"] == en and error.params["wait"]["zh-Hans"] == zh_hans


SOURCES = "query($id: ID!) { application(id: $id) { status sources supplementChanges { key before after } } }"
ANSWER = """mutation($id: ID!, $v: JSON!) { supplementApplication(id: $id, values: $v) {
  application { status } errors { code message } } }"""


async def test_an_answered_supplement_keeps_where_each_value_came_from(
    api: AsyncTestClient[Any], db: async_sessionmaker[AsyncSession], fresh_redis: Any
) -> None:
    # Given a settlement application whose name the registry pre-filled and whose spouse the
    # marriage certificate did, sent back by the officer for a supplement
    applicant = await factories.citizen(api, db, holding="MARRIAGE_CERT")
    submitted = await factories.application(api, applicant.token, "GZ-GA-0002")
    officer = await factories.staff(api, "officer.gz-ga")
    for action, more in (("ACCEPT", {}), ("REQUEST_SUPPLEMENT", {"reason": "请核对姓名"})):
        done = await run(api, officer, PROCESS, {"i": {"applicationId": submitted["id"], "action": action, **more}})
        assert done["processApplication"]["errors"] == [], done
    before = (await run(api, officer, SOURCES, {"id": submitted["id"]}))["application"]["sources"]
    assert before["name"] == "profile.name" and before["spouse_name"].startswith("cert:")
    # When the citizen answers with another name and sends the spouse's name back unchanged
    form = (await run(api, applicant.token, SOURCES, {"id": submitted["id"]}))["application"]
    spouse = (await run(api, officer, "query($id: ID!) { application(id: $id) { form } }", {"id": submitted["id"]}))[
        "application"
    ]["form"]["spouse_name"]
    assert form["status"] == "SUPPLEMENT_REQUESTED"
    answer = await run(
        api, applicant.token, ANSWER, {"id": submitted["id"], "v": {"name": "改过的名字", "spouse_name": spouse}}
    )
    assert answer["supplementApplication"]["errors"] == [], answer
    # Then the officer reads the name as the citizen's correction of the registry's, and the
    # unchanged spouse's name still as the certificate's
    after = (await run(api, officer, SOURCES, {"id": submitted["id"]}))["application"]
    assert after["sources"]["name"] == "corrected:profile.name"
    assert after["sources"]["spouse_name"] == before["spouse_name"]
    assert [c["key"] for c in after["supplementChanges"]] == ["name"]
