"""Issue 14: the journey holds across domains. Within a bundle, later steps take what earlier steps
issue (the restaurant's business licence: its name and credit code) instead of asking the citizen;
a registration's licence has the entity type of what was applied for; measurements take decimals."""

from __future__ import annotations

from typing import Any

import pytest
from litestar.testing import AsyncTestClient
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from backend.certificates.credit_codes import normalize_credit_code
from tests.support import factories
from tests.support.applications import fill_required, officer_entries, upload
from tests.support.gql import run

FORM = """query($m: String, $b: String) { applicationForm(matterCode: $m, bundleCode: $b) {
  matterCodes fieldsTotal fieldsAsked fields { key type required value decimals options { value } }
  filledLater { key value source sourceLabel matters }
  materials { key required replaced certificateType } } }"""
SUBMIT = """mutation($i: SubmitApplicationInput!) { submitApplication(input: $i) {
  application { id status form items { id status matter { code outputs { code } } department { code } } }
  errors { code field message } } }"""
ITEM = """query($id: ID!) { application(id: $id) { id status version form sources
  dataUses { certificateId fields } issuedCertificates { id typeCode status fields { key value } } } }"""
PROCESS = """mutation($i: ProcessApplicationInput!) { processApplication(input: $i) {
  application { id status version } errors { code field message } } }"""
SUPPLEMENT = """mutation($id: ID!, $v: JSON!) { supplementApplication(id: $id, values: $v) {
  application { id status } errors { code field message } } }"""
BUNDLE = "query($id: ID!) { application(id: $id) { status items { status } } }"

RESTAURANT = "LE-0001"
REGISTRATION = "GZ-SJJ-0001"  # 有限责任公司设立登记: issues the business licence
SIGNBOARD = "GZ-CGJ-0001"
# A credit code the citizen made up: its check character is valid, but it is not their business's.
MADE_UP = "91350100M000100Y43"
# The same with a wrong check character.
BAD_CHECK = "91350100M000100Y44"


@pytest.fixture
async def citizen(
    api: AsyncTestClient[Any], db: async_sessionmaker[AsyncSession], fresh_redis: Any
) -> factories.Citizen:
    return await factories.citizen(api, db)


async def _item(api: AsyncTestClient[Any], token: str, item_id: str) -> dict[str, Any]:
    found: dict[str, Any] = (await run(api, token, ITEM, {"id": item_id}))["application"]
    return found


async def _act(api: AsyncTestClient[Any], token: str, item_id: str, action: str, **more: Any) -> dict[str, Any]:
    if action == "ISSUE":  # the officer enters what only the issuing system knows
        more["certificateFields"] = await officer_entries(api, token, item_id)
    payload: dict[str, Any] = (
        await run(api, token, PROCESS, {"i": {"applicationId": item_id, "action": action, **more}})
    )["processApplication"]
    return payload


async def _uploads(api: AsyncTestClient[Any], token: str, form: dict[str, Any]) -> dict[str, str]:
    """A scan for every required material no certificate supplies."""
    return {
        m["key"]: (await upload(api, token))["id"] for m in form["materials"] if m["required"] and not m["replaced"]
    }


async def _submit_restaurant(api: AsyncTestClient[Any], citizen: factories.Citizen) -> dict[str, Any]:
    form = (await run(api, citizen.token, FORM, {"b": RESTAURANT}))["applicationForm"]
    asked = {f["key"] for f in form["fields"]}
    # The citizen is not asked for what the first step issues: the new business's name and credit code
    assert "entity_name" not in asked and "credit_code" not in asked
    assert form["fieldsAsked"] == len(asked) < form["fieldsTotal"]
    # and is shown where they will come from instead
    later = {f["key"]: f for f in form["filledLater"]}
    assert set(later) == {"entity_name", "credit_code"}
    assert later["credit_code"]["source"] == "cert:BUSINESS_LICENSE.credit_code"
    assert later["credit_code"]["sourceLabel"] == "Business Licence" and later["credit_code"]["value"] is None
    assert REGISTRATION not in later["credit_code"]["matters"] and len(later["credit_code"]["matters"]) == 6
    # A measurement is offered with decimals, a count is not
    by_key = {f["key"]: f for f in form["fields"]}
    assert by_key["sign_height"]["decimals"] is True and by_key["employee_count"]["decimals"] is False
    values = fill_required(
        form,
        {
            "proposed_name": "广州味道餐饮有限公司",
            "business_address": "广州市天河区天河路385号",
            "sign_height": "1.2",  # a measurement: decimals are fine
            "sign_width": 2.5,
            # Sent anyway (an old client): not a field of this form, so never used
            "entity_name": "随便写的名字",
            "credit_code": MADE_UP,
        },
    )
    uploads = await _uploads(api, citizen.token, form)
    data = await run(
        api, citizen.token, SUBMIT, {"i": {"bundleCode": RESTAURANT, "values": values, "materials": uploads}}
    )
    payload = data["submitApplication"]
    assert payload["errors"] == [], payload
    bundle: dict[str, Any] = payload["application"]
    return bundle


async def test_the_restaurant_bundle_fills_later_steps_from_the_licence_its_first_step_issues(
    api: AsyncTestClient[Any], citizen: factories.Citizen
) -> None:
    # Given the restaurant bundle submitted through the one form
    bundle = await _submit_restaurant(api, citizen)
    first, *later = bundle["items"]
    assert first["matter"]["code"] == REGISTRATION and len(later) == 6
    # The later steps do not hold a made-up name or credit code: they wait for the licence
    for item in later:
        waiting = await _item(api, citizen.token, item["id"])
        assert "credit_code" not in waiting["form"] and "entity_name" not in waiting["form"], waiting["form"]
    signboard = next(i for i in later if i["matter"]["code"] == SIGNBOARD)
    assert (await _item(api, citizen.token, signboard["id"]))["form"]["sign_height"] == 1.2
    # and their departments cannot take them on before it is issued
    tax = await factories.staff(api, f"officer.{later[0]['department']['code'].lower()}")
    early = await _act(api, tax, later[0]["id"], "ACCEPT")
    assert early["application"] is None
    assert [e["code"] for e in early["errors"]] == ["AWAITING_EARLIER_STEP"]

    # When the market regulation bureau registers the company and issues its licence
    registry = await factories.staff(api, "officer.gz-sjj")
    for action in ("ACCEPT", "APPROVE", "ISSUE"):
        assert (await _act(api, registry, first["id"], action))["errors"] == [], action
    registered = await _item(api, citizen.token, first["id"])
    (licence,) = [c for c in registered["issuedCertificates"] if c["typeCode"] == "BUSINESS_LICENSE"]
    fields = {f["key"]: f["value"] for f in licence["fields"]}
    # Then the licence is a limited company's, as applied for (a company's credit code: category 1)
    assert fields["entity_type"] == "limited_company"
    assert fields["entity_name"] == "广州味道餐饮有限公司"
    code = fields["credit_code"]
    assert normalize_credit_code(code) == code != MADE_UP and code.startswith("91")

    # And every later step now carries the licence's name and credit code, read from the licence
    for item in later:
        filled = await _item(api, citizen.token, item["id"])
        assert filled["form"]["credit_code"] == code and filled["form"]["entity_name"] == fields["entity_name"]
        assert filled["sources"]["credit_code"] == "cert:BUSINESS_LICENSE.credit_code"
        assert licence["id"] in {u["certificateId"] for u in filled["dataUses"]}
        if "legal_rep_name" in filled["form"]:
            assert filled["form"]["legal_rep_name"] == fields["legal_representative"] == citizen.name

    # A supplement cannot put another credit code in place of the licence's
    sign_officer = await factories.staff(api, f"officer.{signboard['department']['code'].lower()}")
    asked = await _act(api, sign_officer, signboard["id"], "REQUEST_SUPPLEMENT", reason="招牌高度请核实")
    assert asked["errors"] == [], asked
    answer = await run(
        api, citizen.token, SUPPLEMENT, {"id": signboard["id"], "v": {"sign_height": "1.25", "credit_code": MADE_UP}}
    )
    assert answer["supplementApplication"]["errors"] == [], answer
    corrected = await _item(api, citizen.token, signboard["id"])
    assert corrected["form"]["sign_height"] == 1.25 and corrected["form"]["credit_code"] == code

    # And the other departments process their steps to the last one
    for item in later:
        officer = await factories.staff(api, f"officer.{item['department']['code'].lower()}")
        steps = ("ACCEPT", "APPROVE", "ISSUE") if item["matter"]["outputs"] else ("ACCEPT", "APPROVE")
        for action in steps:
            assert (await _act(api, officer, item["id"], action))["errors"] == [], (item, action)
    done = (await run(api, citizen.token, BUNDLE, {"id": bundle["id"]}))["application"]
    assert done["status"] == "COMPLETED", done
    food = await _item(api, citizen.token, next(i["id"] for i in later if i["matter"]["code"] == "GZ-SJJ-0006"))
    (food_licence,) = food["issuedCertificates"]
    assert {f["key"]: f["value"] for f in food_licence["fields"]}["credit_code"] == code


async def test_a_credit_code_that_is_asked_must_pass_its_check_character(
    api: AsyncTestClient[Any], citizen: factories.Citizen
) -> None:
    # The tax set-up on its own asks for the business's credit code
    form = (await run(api, citizen.token, FORM, {"m": "GZ-SWJ-0002"}))["applicationForm"]
    assert "credit_code" in {f["key"] for f in form["fields"]}
    values = fill_required(form, {"credit_code": BAD_CHECK})
    uploads = await _uploads(api, citizen.token, form)
    submitted = {"matterCode": "GZ-SWJ-0002", "values": values, "materials": uploads}
    refused = (await run(api, citizen.token, SUBMIT, {"i": submitted}))["submitApplication"]
    assert refused["application"] is None
    assert [(e["code"], e["field"]) for e in refused["errors"] if e["field"]] == [
        ("INVALID_CREDIT_CODE", "credit_code")
    ]


async def test_measurements_take_decimals_and_counts_stay_whole(
    api: AsyncTestClient[Any], citizen: factories.Citizen
) -> None:
    form = (await run(api, citizen.token, FORM, {"m": SIGNBOARD}))["applicationForm"]
    uploads = await _uploads(api, citizen.token, form)

    async def submit(values: dict[str, Any]) -> dict[str, Any]:
        filled = fill_required(form, {"credit_code": MADE_UP} | values)
        submitted = {"matterCode": SIGNBOARD, "values": filled, "materials": uploads}
        data = await run(api, citizen.token, SUBMIT, {"i": submitted})
        payload: dict[str, Any] = data["submitApplication"]
        return payload

    # A sign 1.2 m high (typed on a phone, full-width) and 2.5 m wide is accepted as numbers
    accepted = await submit({"sign_height": "１.２", "sign_width": 2.5})
    assert accepted["errors"] == [], accepted
    assert accepted["application"]["form"]["sign_height"] == 1.2
    assert accepted["application"]["form"]["sign_width"] == 2.5
    # More decimals than a measurement has, or a negative one, is refused with a message that says so
    refused = await submit({"sign_height": "1.2345", "sign_width": "-2"})
    problems = {e["field"]: e for e in refused["errors"] if e["field"]}
    assert {k: e["code"] for k, e in problems.items()} == {
        "sign_height": "INVALID_MEASUREMENT",
        "sign_width": "INVALID_MEASUREMENT",
    }
    assert problems["sign_height"]["message"] == "Enter a number with at most 3 decimals, like 1.2."
    # A count is still a whole number
    food = (await run(api, citizen.token, FORM, {"m": "GZ-SJJ-0006"}))["applicationForm"]
    staff = fill_required(food, {"credit_code": MADE_UP, "employee_count": "1.5", "floor_area": "85.5"})
    submitted = {"matterCode": "GZ-SJJ-0006", "values": staff, "materials": await _uploads(api, citizen.token, food)}
    counted = (await run(api, citizen.token, SUBMIT, {"i": submitted}))["submitApplication"]
    assert [(e["code"], e["field"]) for e in counted["errors"] if e["field"]] == [("INVALID_NUMBER", "employee_count")]


async def test_a_step_with_a_rule_is_decided_once_the_certificate_it_waits_for_is_issued(
    api: AsyncTestClient[Any], citizen: factories.Citizen
) -> None:
    # Given the marriage bundle: the birth registration (秒批 on the marriage certificate) waits for
    # the certificate the marriage registration issues, so it is not decided at submission
    form = (await run(api, citizen.token, FORM, {"b": "LE-0003"}))["applicationForm"]
    assert {f["key"] for f in form["filledLater"]} >= {"spouse_id_number", "marriage_date"}
    values = fill_required(form, {"partner_name": "李四"})
    submitted = {"bundleCode": "LE-0003", "values": values, "materials": await _uploads(api, citizen.token, form)}
    payload = (await run(api, citizen.token, SUBMIT, {"i": submitted}))["submitApplication"]
    assert payload["errors"] == [], payload
    items = {i["matter"]["code"]: i for i in payload["application"]["items"]}
    timeline = "query($id: ID!) { application(id: $id) { status form sources timeline { action } } }"
    birth = (await run(api, citizen.token, timeline, {"id": items["GZ-WJW-0001"]["id"]}))["application"]
    assert [s["action"] for s in birth["timeline"]] == ["SUBMIT"] and birth["status"] == "SUBMITTED"
    # When the civil affairs bureau registers the marriage and issues the certificate
    officer = await factories.staff(api, "officer.gz-mzj")
    for action in ("ACCEPT", "APPROVE", "ISSUE"):
        assert (await _act(api, officer, items["GZ-MZJ-0001"]["id"], action))["errors"] == [], action
    # Then the birth registration is filled from it and its rule decides it at once
    birth = (await run(api, citizen.token, timeline, {"id": items["GZ-WJW-0001"]["id"]}))["application"]
    assert birth["sources"]["spouse_id_number"] == "cert:MARRIAGE_CERT.spouse_id_number"
    assert [s["action"] for s in birth["timeline"]][1:2] in (["AUTO_APPROVE"], ["AUTO_REFER"])
