"""How an item reads after an officer or a citizen moves it (issue 14, item 7): an answered supplement
returns to where the department asked from, approving a matter with nothing to issue ends it, and a
bundle's current step follows its items."""

from __future__ import annotations

from typing import Any

import pytest
from litestar.testing import AsyncTestClient
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tests.support import factories
from tests.support.applications import fill_required, upload
from tests.support.gql import run
from tests.support.identity import staff_token

FORM = """query($m: String, $b: String) { applicationForm(matterCode: $m, bundleCode: $b) {
  fields { key type value required options { value } } materials { key required replaced } } }"""
SUBMIT = """mutation($i: SubmitApplicationInput!) { submitApplication(input: $i) {
  application { id status items { id status department { code } matter { name } } } errors { code field message } } }"""
PROCESS = """mutation($i: ProcessApplicationInput!) { processApplication(input: $i) {
  application { id status statusLabel timeline { action fromStatus toStatus } } errors { code } } }"""
SUPPLEMENT = """mutation($id: ID!, $v: JSON!) { supplementApplication(id: $id, values: $v) {
  application { status timeline { action fromStatus toStatus } } errors { code } } }"""
CURRENT = """query($id: ID!) { application(id: $id) { status currentStep { action actionLabel itemName } } }"""
QUEUE = "{ departmentQueue(first: 100) { items { id } } }"
# 在职人员人才引进入户: decided by an officer of 人社局, issues no certificate.
TALENT = {
    "employer_name": "广州某某科技有限公司",
    "employer_credit_code": "91350100M000100Y43",
    "gz_social_insurance": False,
    "settle_mode": "talent_collective",
    "settle_address": "广州市天河区",
}


@pytest.fixture
async def citizen(api: AsyncTestClient[Any], db: async_sessionmaker[AsyncSession], fresh_redis: Any) -> str:
    return (await factories.citizen(api, db)).token


async def _talent_intake(api: AsyncTestClient[Any], citizen: str) -> str:
    scan = await upload(api, citizen)
    i = {"matterCode": "GZ-RSJ-0008", "values": TALENT, "materials": {"labour_contract": scan["id"]}}
    application = (await run(api, citizen, SUBMIT, {"i": i}))["submitApplication"]["application"]
    assert application["status"] == "SUBMITTED"
    return str(application["id"])


async def test_an_answered_supplement_returns_to_accepted_and_approval_without_outputs_completes(
    api: AsyncTestClient[Any], citizen: str
) -> None:
    # Given an item the officer accepted, then asked to supplement
    application = await _talent_intake(api, citizen)
    officer = await staff_token(api, "officer.gz-rsj")
    step = {"applicationId": application}
    await run(api, officer, PROCESS, {"i": {**step, "action": "ACCEPT"}})
    ask = {**step, "action": "REQUEST_SUPPLEMENT", "reason": "请确认社保", "fields": ["gz_social_insurance"]}
    await run(api, officer, PROCESS, {"i": ask})
    # When the citizen answers
    answered = await run(api, citizen, SUPPLEMENT, {"id": application, "v": {"gz_social_insurance": True}})
    # Then it is accepted again, as it was when the department asked (not back to "submitted")
    payload = answered["supplementApplication"]
    assert payload["errors"] == [] and payload["application"]["status"] == "ACCEPTED"
    assert payload["application"]["timeline"][-1] == {
        "action": "SUPPLEMENT",
        "fromStatus": "SUPPLEMENT_REQUESTED",
        "toStatus": "ACCEPTED",
    }
    # And the officer approves it straight away; with no certificate to issue, approving ends it
    approved = (await run(api, officer, PROCESS, {"i": {**step, "action": "APPROVE"}}, locale="zh-CN"))[
        "processApplication"
    ]
    assert approved["errors"] == []
    assert approved["application"]["status"] == "COMPLETED"
    assert approved["application"]["statusLabel"] == "已办结"
    assert approved["application"]["timeline"][-1] == {
        "action": "APPROVE",
        "fromStatus": "ACCEPTED",
        "toStatus": "COMPLETED",
    }
    # It leaves the department's queue, and there is nothing left to issue
    queue = (await run(api, officer, QUEUE))["departmentQueue"]["items"]
    assert application not in [x["id"] for x in queue]
    issue = (await run(api, officer, PROCESS, {"i": {**step, "action": "ISSUE"}}))["processApplication"]
    assert issue["errors"] == [{"code": "INVALID_TRANSITION"}]


async def test_a_supplement_asked_before_acceptance_returns_to_submitted(
    api: AsyncTestClient[Any], citizen: str
) -> None:
    application = await _talent_intake(api, citizen)
    officer = await staff_token(api, "officer.gz-rsj")
    ask = {"applicationId": application, "action": "REQUEST_SUPPLEMENT", "reason": "请确认社保"}
    await run(api, officer, PROCESS, {"i": ask})
    answered = await run(api, citizen, SUPPLEMENT, {"id": application, "v": {"gz_social_insurance": True}})
    assert answered["supplementApplication"]["application"]["status"] == "SUBMITTED"


async def test_an_instant_approval_without_outputs_is_completed(api: AsyncTestClient[Any], citizen: str) -> None:
    # 生育登记 is approved by rule and issues no certificate: the citizen sees it done, no officer waits on it
    form = (await run(api, citizen, FORM, {"m": "GZ-WJW-0001"}))["applicationForm"]
    values = fill_required(form, {f["key"]: f["value"] for f in form["fields"] if f["value"] is not None})
    i = {"matterCode": "GZ-WJW-0001", "values": values | {"child_order": "2"}}
    application = (await run(api, citizen, SUBMIT, {"i": i}))["submitApplication"]["application"]
    assert application["status"] == "COMPLETED", application


async def test_a_bundles_current_step_follows_its_items(api: AsyncTestClient[Any], citizen: str) -> None:
    # Given a submitted bundle with an item waiting for 人社局
    form = (await run(api, citizen, FORM, {"b": "LE-0008"}))["applicationForm"]
    values = fill_required(form, {f["key"]: f["value"] for f in form["fields"] if f["value"] is not None})
    uploads = {
        m["key"]: (await upload(api, citizen))["id"] for m in form["materials"] if m["required"] and not m["replaced"]
    }
    i = {"bundleCode": "LE-0008", "values": values, "materials": uploads}
    bundle = (await run(api, citizen, SUBMIT, {"i": i}, locale="zh-CN"))["submitApplication"]["application"]
    item = next(x for x in bundle["items"] if x["department"]["code"] == "GZ-RSJ" and x["status"] == "SUBMITTED")
    # When the officer accepts it
    officer = await staff_token(api, "officer.gz-rsj")
    await run(api, officer, PROCESS, {"i": {"applicationId": item["id"], "action": "ACCEPT"}})
    # Then the bundle's current step is that acceptance, naming the item, not "you submitted"
    step = "query($id: ID!) { application(id: $id) { currentStep { action } } }"
    assert (await run(api, citizen, step, {"id": bundle["id"]}))["application"]["currentStep"]["action"] == "ACCEPT"
    seen = (await run(api, citizen, CURRENT, {"id": bundle["id"]}, locale="zh-CN"))["application"]
    assert seen["currentStep"]["action"] == "ACCEPT"
    assert seen["currentStep"]["itemName"] == item["matter"]["name"]
