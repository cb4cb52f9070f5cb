"""Issue 14, item 6: an instant approval (秒批) whose certificate has fields only the issuing department
knows is approved at once and issued by the department's officer, with those fields; the wallet's
certificate has none empty."""

from __future__ import annotations

from typing import Any

import pytest
from litestar.testing import AsyncTestClient
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tests.support import factories
from tests.support.applications import fill_required, upload
from tests.support.gql import run
from tests.support.identity import staff_token

Sessions = async_sessionmaker[AsyncSession]
LICENCE = "GZ-SJJ-0002"  # 个体工商户设立登记: approved by rule, issues a business licence
FORM = """query($m: String) { applicationForm(matterCode: $m) {
  fields { key type value required options { value } } materials { key required replaced } } }"""
SUBMIT = """mutation($i: SubmitApplicationInput!) { submitApplication(input: $i) {
  application { id status timeline { action toStatus } } errors { code field } } }"""
TO_ENTER = (
    """query($id: ID!) { application(id: $id) { status certificateFieldsToEnter { certificateType key type } } }"""
)
PROCESS = """mutation($i: ProcessApplicationInput!) { processApplication(input: $i) {
  application { status } errors { code field } } }"""
ISSUED = """query($id: ID!) { application(id: $id) { issuedCertificates { typeCode fields { key value } } } }"""


@pytest.fixture
async def citizen(api: AsyncTestClient[Any], db: Sessions, fresh_redis: Any) -> factories.Citizen:
    return await factories.citizen(api, db)


async def test_an_instant_licence_waits_for_the_departments_fields_then_is_complete(
    api: AsyncTestClient[Any], citizen: factories.Citizen
) -> None:
    form = (await run(api, citizen.token, FORM, {"m": LICENCE}))["applicationForm"]
    prefilled = {f["key"]: f["value"] for f in form["fields"] if f["value"] is not None}
    values = fill_required(form, prefilled | {"proposed_name": "天河区陈记小吃店"})
    scans = {x["key"]: (await upload(api, citizen.token))["id"] for x in form["materials"] if not x["replaced"]}
    i = {"matterCode": LICENCE, "values": values, "materials": scans}
    application = (await run(api, citizen.token, SUBMIT, {"i": i}))["submitApplication"]["application"]
    # Approved by rule at once; the licence waits for what only the registration authority knows
    assert application["status"] == "APPROVED"
    assert application["timeline"][-1] == {"action": "AUTO_APPROVE", "toStatus": "APPROVED"}
    officer = await staff_token(api, "officer.gz-sjj")
    seen = (await run(api, officer, TO_ENTER, {"id": application["id"]}))["application"]
    assert [(f["certificateType"], f["key"], f["type"]) for f in seen["certificateFieldsToEnter"]] == [
        ("BUSINESS_LICENSE", "registered_capital", "money"),
        ("BUSINESS_LICENSE", "registration_authority", "text"),
    ]
    entered = {
        "BUSINESS_LICENSE": {"registered_capital": "30000", "registration_authority": "广州市天河区市场监督管理局"}
    }
    step = {"applicationId": application["id"], "action": "ISSUE", "certificateFields": entered}
    issued = (await run(api, officer, PROCESS, {"i": step}))["processApplication"]
    assert issued == {"application": {"status": "COMPLETED"}, "errors": []}
    # The licence in the citizen's wallet, as the application issued it
    licences = (await run(api, citizen.token, ISSUED, {"id": application["id"]}))["application"]["issuedCertificates"]
    assert [c["typeCode"] for c in licences] == ["BUSINESS_LICENSE"]
    fields = {f["key"]: f["value"] for f in licences[0]["fields"]}
    assert all(v not in (None, "") for v in fields.values()), fields
    assert fields["entity_name"] == "天河区陈记小吃店" and fields["registered_capital"] == "30000.00"
    assert fields["registration_authority"] == "广州市天河区市场监督管理局"
