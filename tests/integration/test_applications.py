"""One form, instant approval, certificates and progress, through the real API on both databases."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest
from litestar.testing import AsyncTestClient
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from backend.certificates import trustlog
from backend.certificates.service import Certificate, document
from backend.db import tables as t
from standins.population.generate import DEMO_PHONE
from standins.sms import outbox
from tests.conftest import TEST_SECRET
from tests.support import factories
from tests.support.applications import DEMO_ID, fill_required, upload
from tests.support.gql import as_user, run
from tests.support.identity import citizen_token, staff_token, third_party_token

FORM = """query($m: String, $b: String) { applicationForm(matterCode: $m, bundleCode: $b) {
  matterCodes fieldsTotal fieldsAsked fieldsPrefilled materialsReplaced draftVersion
  fields { key label type required value source sourceLabel certificateId options { value label } matters }
  materials { key name required certificateType replaced certificateId matters } } }"""
SUBMIT = """mutation($i: SubmitApplicationInput!) { submitApplication(input: $i) {
  application { id reference kind status statusLabel deadline overdue fieldsPrefilled materialsReplaced tripsSaved
    feesDue form sources
    decision { eligible policy conditions { text held path } }
    timeline { action actionLabel fromStatus toStatus actorType reason }
    items { id status department { code } matter { code } }
    issuedCertificates { id code typeName: name status source fields { key value } }
    dataUses { certificateId fields } }
  errors { code field message } } }"""
SUBMITTED = """query($id: ID!) { application(id: $id) { id reference kind status statusLabel deadline overdue
    fieldsPrefilled materialsReplaced tripsSaved feesDue form sources
    decision { eligible policy conditions { text held path } }
    timeline { action actionLabel fromStatus toStatus actorType reason }
    items { id status department { code } matter { code } }
    issuedCertificates { id code typeName: name status source fields { key value } }
    dataUses { certificateId fields } } }"""
ELIGIBILITY = """query($m: String!) { checkEligibility(matterCode: $m) {
  eligible policy conditions { text held path } } }"""
PROCESS = """mutation($i: ProcessApplicationInput!) { processApplication(input: $i) {
  application { id status version timeline { action toStatus reason actorType } } errors { code field message } } }"""
KEY = trustlog.log_key(TEST_SECRET.encode())


def document_of(row: Any) -> dict[str, Any]:
    """What the trust log vouches for, from a certificates row."""
    return document(Certificate(**{k: getattr(row, k) for k in Certificate.__struct_fields__}))


APPLICATION = """query($id: ID!) { application(id: $id) { id status reference
  timeline { action toStatus reason reasonFields } currentStep { action } } }"""


@pytest.fixture
async def citizen(api: AsyncTestClient[Any], db: async_sessionmaker[AsyncSession], fresh_redis: Any) -> str:
    return await citizen_token(api, db)


async def test_the_restaurant_bundle_is_one_merged_prefilled_form(api: AsyncTestClient[Any], citizen: str) -> None:
    # Given the demo citizen, who holds an ID card, a household register and a business licence
    # When they open the restaurant bundle's form
    data = await run(api, citizen, FORM, {"b": "LE-0001"}, locale="zh-CN")
    form = data["applicationForm"]
    # Then the 7 matters' fields are merged, each asked once, and many are pre-filled with their source
    assert len(form["matterCodes"]) == 7
    # (the new business's name and credit code are not asked: the first step's licence fills them in)
    assert form["fieldsTotal"] == 65 and form["fieldsAsked"] == 34
    keys = [f["key"] for f in form["fields"]]
    assert len(keys) == len(set(keys))
    by_key = {f["key"]: f for f in form["fields"]}
    phone = by_key["contact_phone"]
    assert (
        phone["value"] == "+86" + DEMO_PHONE
        and phone["source"] == "profile.phone"
        and phone["sourceLabel"] == "个人资料"
    )
    assert len(phone["matters"]) == 7
    # The bundle issues the new business licence itself: the citizen's old shop's licence pre-fills nothing
    assert "entity_name" not in by_key and "credit_code" not in by_key
    prefilled = [f for f in form["fields"] if f["source"]]
    assert form["fieldsPrefilled"] == len(prefilled) == 3  # legal representative, contact name, phone
    # Selects offer only the catalog's options
    select_fields = [f for f in form["fields"] if f["type"] == "select"]
    assert select_fields and all(f["options"] for f in select_fields)
    # And materials a certificate supplies are not asked for: the ID card from the wallet, the new
    # business licence from the bundle's first step
    replaced = {m["certificateType"]: m for m in form["materials"] if m["replaced"]}
    assert form["materialsReplaced"] == len(replaced) >= 2
    assert replaced["ID_CARD"]["certificateId"] and replaced["BUSINESS_LICENSE"]["certificateId"] is None


async def test_eligibility_explains_each_condition_in_the_callers_language(
    api: AsyncTestClient[Any], citizen: str
) -> None:
    # The demo citizen (38, married, C1 licence) qualifies for the birth registration...
    ok = (await run(api, citizen, ELIGIBILITY, {"m": "GZ-WJW-0001"}, locale="zh-CN"))["checkEligibility"]
    assert ok["eligible"] is True
    assert all(c["held"] for c in ok["conditions"]) and len(ok["conditions"]) == 3
    assert "结婚证" in ok["conditions"][0]["text"]
    # ...but not for the senior card, and is told why, in Traditional Chinese and in English
    no = (await run(api, citizen, ELIGIBILITY, {"m": "GZ-MZJ-0008"}, locale="zh-HK"))["checkEligibility"]
    assert no["eligible"] is False
    failed = [c for c in no["conditions"] if not c["held"]]
    assert failed[0]["path"] == "age" and "38" in failed[0]["text"] and "60" in failed[0]["text"]
    assert "不滿足" in failed[0]["text"]
    english = (await run(api, citizen, ELIGIBILITY, {"m": "GZ-MZJ-0008"}, locale="en"))["checkEligibility"]
    assert english["conditions"][0]["text"] == "Age at least 60 (yours: 38): not met"


async def test_instant_approval_issues_the_renewed_licence_into_the_wallet(
    api: AsyncTestClient[Any], citizen: str, db: async_sessionmaker[AsyncSession]
) -> None:
    # Given the renewal of a C1 driving licence: the medical certificate is the only upload
    scan = await upload(api, citizen)
    # and the one valid C1 licence the population stand-in gave the demo citizen
    (old,) = await _licences(db)
    assert old.status == "valid"
    # When the citizen submits with the pre-filled values and their two answers
    values = {"medical_exam_done": True, "receive_method": "mail"}
    data = await run(
        api,
        citizen,
        SUBMIT,
        {"i": {"matterCode": "GZ-GA-0018", "values": values, "materials": {"medical_cert": scan["id"]}}},
    )
    payload = data["submitApplication"]
    assert payload["errors"] == [], payload["errors"]
    decided = payload["application"]
    # Then it is decided at once (秒批); the licence waits for its 10.00 fee
    assert decided["status"] == "APPROVED" and decided["issuedCertificates"] == []
    # and once the fee is paid, the new licence is in the wallet, replacing the old one
    await factories.pay_fees(api, db, decided["id"])
    application = (await run(api, citizen, SUBMITTED, {"id": decided["id"]}))["application"]
    assert application["status"] == "COMPLETED"
    assert application["decision"]["eligible"] is True
    assert [s["action"] for s in application["timeline"]] == ["SUBMIT", "AUTO_APPROVE", "ISSUE"]
    assert {s["actorType"] for s in application["timeline"][1:]} == {"system"}
    issued = application["issuedCertificates"]
    assert len(issued) == 1 and issued[0]["status"] == "valid" and issued[0]["source"] == "platform"
    fields = {f["key"]: f["value"] for f in issued[0]["fields"]}
    assert fields["license_class"] == "C1" and fields["status"] == "valid" and fields["id_number"] == DEMO_ID
    assert {r.id: r.status for r in await _licences(db)} == {old.id: "revoked", issued[0]["id"]: "valid"}
    # A revoked licence edited back to valid in the database still verifies as revoked (the log says so)
    async with db() as session:
        await session.execute(update(t.certificates).where(t.certificates.c.id == old.id).values(status="valid"))
        await session.commit()
    revived = "query($c: String!) { verifyCertificate(code: $c) { status } }"
    assert (await run(api, citizen, revived, {"c": old.code}))["verifyCertificate"]["status"] == "REVOKED"
    assert application["sources"]["license_class"] == "cert:DRIVING_LICENSE.license_class"
    assert application["fieldsPrefilled"] >= 5 and application["materialsReplaced"] == 1
    assert application["tripsSaved"] == 0  # a 零跑动 matter (max_trips 0): nothing to save, nothing needed
    # And the data use is recorded: which licence fields this application read
    uses = application["dataUses"]
    assert any("license_class" in u["fields"] for u in uses)
    # And the certificate verifies against the trust log
    verified = await run(
        api,
        citizen,
        "query($c: String!) { verifyCertificate(code: $c) { status holderIdNumber logEntry } }",
        {"c": issued[0]["code"]},
    )
    assert verified["verifyCertificate"]["status"] == "VALID"
    assert verified["verifyCertificate"]["holderIdNumber"] == "440106********011X"
    # And the citizen got an inbox notice and an SMS
    inbox = await run(api, citizen, "{ myNotifications(first: 5) { unreadCount items { text applicationId } } }")
    assert any(n["applicationId"] == application["id"] for n in inbox["myNotifications"]["items"])
    async with db() as session:
        messages = await outbox(session, DEMO_PHONE)
    assert any(application["reference"] in body for _, _, body in messages)


async def test_a_value_corrected_over_a_certificate_goes_to_an_officer(
    api: AsyncTestClient[Any], citizen: str, db: async_sessionmaker[AsyncSession]
) -> None:
    # The citizen holds a C1 licence and types A1 (a bus licence) over the pre-filled class
    scan = await upload(api, citizen)
    values = {"medical_exam_done": True, "receive_method": "mail", "license_class": "A1"}
    held = [(r.id, r.status) for r in await _licences(db)]
    assert [status for _, status in held] == ["valid"]
    data = await run(
        api,
        citizen,
        SUBMIT,
        {"i": {"matterCode": "GZ-GA-0018", "values": values, "materials": {"medical_cert": scan["id"]}}},
        locale="zh-CN",
    )
    application = data["submitApplication"]["application"]
    # Then nothing is issued at once: an officer checks the corrected value
    assert application["status"] == "SUBMITTED"
    assert application["sources"]["license_class"] == "corrected:cert:DRIVING_LICENSE.license_class"
    assert application["timeline"][-1]["action"] == "AUTO_REFER"
    assert "工作人员审核" in application["timeline"][-1]["reason"]
    assert application["issuedCertificates"] == []
    assert [(r.id, r.status) for r in await _licences(db)] == held


async def _licences(db: async_sessionmaker[AsyncSession]) -> list[Any]:
    async with db() as session:
        rows = await session.execute(
            select(t.certificates.c.id, t.certificates.c.code, t.certificates.c.status)
            .where(t.certificates.c.holder_id_number == DEMO_ID, t.certificates.c.type_code == "DRIVING_LICENSE")
            .order_by(t.certificates.c.created_at)
        )
        return list(rows)


async def test_a_refused_rule_goes_to_an_officer_with_the_reason_shown(api: AsyncTestClient[Any], citizen: str) -> None:
    # The unemployment benefit needs 12 months of contributions: 6 fails the rule
    values = {
        "contribution_months": 6,
        "leave_reason": "contract_expired",
        "job_seeking": True,
        "last_employer": "广州某某有限公司",
    }
    form = (await run(api, citizen, FORM, {"m": "GZ-RSJ-0001"}))["applicationForm"]
    values = fill_required(form, values)
    data = await run(api, citizen, SUBMIT, {"i": {"matterCode": "GZ-RSJ-0001", "values": values}}, locale="zh-CN")
    payload = data["submitApplication"]
    assert payload["errors"] == [], payload
    application = payload["application"]
    assert application["status"] == "SUBMITTED"
    assert [s["action"] for s in application["timeline"]] == ["SUBMIT", "AUTO_REFER"]
    failed = [c for c in application["decision"]["conditions"] if not c["held"]]
    assert [c["path"] for c in failed] == ["form.contribution_months"]
    assert "12" in failed[0]["text"] and "6" in failed[0]["text"]


async def test_a_bad_value_is_refused_in_the_callers_language_and_kept_in_the_draft(
    api: AsyncTestClient[Any], citizen: str
) -> None:
    # When the citizen submits the talent intake with a wrong employer credit code
    values = {
        "employer_name": "广州某某科技有限公司",
        "employer_credit_code": "91350100M000100Y44",
        "gz_social_insurance": True,
        "settle_mode": "talent_collective",
        "settle_address": "广州市天河区",
    }
    data = await run(api, citizen, SUBMIT, {"i": {"matterCode": "GZ-RSJ-0008", "values": values}}, locale="zh-TW")
    errors = data["submitApplication"]["errors"]
    assert data["submitApplication"]["application"] is None
    # Then the error names the field, in Traditional Chinese
    assert errors[0]["code"] == "FORM_INVALID"
    assert {"code": "INVALID_CREDIT_CODE", "field": "employer_credit_code"} in [
        {"code": e["code"], "field": e["field"]} for e in errors
    ]
    assert "統一社會信用代碼" in next(e["message"] for e in errors if e["field"] == "employer_credit_code")
    # And nothing typed is lost: the form comes back with the draft's values, marked as the citizen's
    form = (await run(api, citizen, FORM, {"m": "GZ-RSJ-0008"}))["applicationForm"]
    by_key = {f["key"]: f for f in form["fields"]}
    assert by_key["employer_credit_code"]["value"] == "91350100M000100Y44"
    assert by_key["employer_credit_code"]["source"] == "draft"
    assert form["draftVersion"] >= 1


async def test_drafts_resume_on_another_device_and_refuse_stale_overwrites(
    api: AsyncTestClient[Any], db: async_sessionmaker[AsyncSession], citizen: str, fresh_redis: Any
) -> None:
    save = """mutation($i: SaveDraftInput!) { saveDraft(input: $i) { draft { version values } errors { code } } }"""
    first = await run(api, citizen, save, {"i": {"matterCode": "GZ-WJW-0001", "values": {"child_order": "2"}}})
    version = first["saveDraft"]["draft"]["version"]
    # Another device (a second sign-in, past the one-code-a-minute limit) sees the draft and continues it
    await fresh_redis.flushdb()
    other = await citizen_token(api, db)
    form = (await run(api, other, FORM, {"m": "GZ-WJW-0001"}))["applicationForm"]
    assert {f["key"]: f["value"] for f in form["fields"]}["child_order"] == "2"
    second = await run(
        api,
        other,
        save,
        {
            "i": {
                "matterCode": "GZ-WJW-0001",
                "values": {"expected_due_date": "2027-01-10"},
                "version": form["draftVersion"],
            }
        },
    )
    assert second["saveDraft"]["draft"]["values"] == {"child_order": "2", "expected_due_date": "2027-01-10"}
    # The first device, still at the old version, is told to reload rather than overwrite
    stale = await run(
        api, citizen, save, {"i": {"matterCode": "GZ-WJW-0001", "values": {"child_order": "1"}, "version": version}}
    )
    assert stale["saveDraft"]["errors"] == [{"code": "DRAFT_CONFLICT"}]


async def test_officers_process_their_departments_items_and_the_citizen_follows(
    api: AsyncTestClient[Any], citizen: str
) -> None:
    # Given a talent intake submitted by the citizen (decided by an officer: the rule needs the form)
    values = {
        "employer_name": "广州某某科技有限公司",
        "employer_credit_code": "91350100M000100Y43",
        "gz_social_insurance": False,
        "settle_mode": "talent_collective",
        "settle_address": "广州市天河区",
    }
    scan = await upload(api, citizen)
    submitted = await run(
        api,
        citizen,
        SUBMIT,
        {"i": {"matterCode": "GZ-RSJ-0008", "values": values, "materials": {"labour_contract": scan["id"]}}},
    )
    application = submitted["submitApplication"]["application"]
    assert application["status"] == "SUBMITTED", submitted
    officer = await staff_token(api, "officer.gz-rsj")
    outsider = await staff_token(api, "officer.gz-ga")
    step = {"applicationId": application["id"]}
    # An officer of another department cannot act on it, and cannot see it
    refused = await run(api, outsider, PROCESS, {"i": {**step, "action": "ACCEPT"}})
    assert refused["processApplication"]["errors"][0]["code"] == "NOT_YOUR_DEPARTMENT"
    assert (await run(api, outsider, APPLICATION, {"id": application["id"]}))["application"] is None
    # Approving before accepting is an invalid transition, explained
    early = await run(api, officer, PROCESS, {"i": {**step, "action": "APPROVE"}}, locale="zh-CN")
    assert early["processApplication"]["errors"][0]["code"] == "INVALID_TRANSITION"
    # A supplement request needs a reason, which the citizen then sees
    no_reason = await run(api, officer, PROCESS, {"i": {**step, "action": "REQUEST_SUPPLEMENT"}})
    assert no_reason["processApplication"]["errors"][0]["code"] == "REASON_REQUIRED"
    asked = await run(
        api,
        officer,
        PROCESS,
        {
            "i": {
                **step,
                "action": "REQUEST_SUPPLEMENT",
                "reason": "请确认是否在广州缴纳社保",
                "fields": ["gz_social_insurance"],
            }
        },
    )
    assert asked["processApplication"]["application"]["status"] == "SUPPLEMENT_REQUESTED"
    seen = (await run(api, citizen, APPLICATION, {"id": application["id"]}))["application"]
    assert seen["currentStep"]["action"] == "REQUEST_SUPPLEMENT"
    assert seen["timeline"][-1]["reason"] == "请确认是否在广州缴纳社保"
    assert seen["timeline"][-1]["reasonFields"] == ["gz_social_insurance"]
    # The citizen supplements; the officer accepts and approves
    supplement = (
        "mutation($id: ID!, $v: JSON!) { supplementApplication(id: $id, values: $v) "
        "{ application { status } errors { code field } } }"
    )
    done = await run(api, citizen, supplement, {"id": application["id"], "v": {"gz_social_insurance": True}})
    assert done["supplementApplication"] == {"application": {"status": "SUBMITTED"}, "errors": []}
    queue = await run(api, officer, "{ departmentQueue(first: 50) { totalCount items { id status } } }")
    assert application["id"] in [i["id"] for i in queue["departmentQueue"]["items"]]
    await run(api, officer, PROCESS, {"i": {**step, "action": "ACCEPT"}})
    approved = await run(api, officer, PROCESS, {"i": {**step, "action": "APPROVE"}})
    final = approved["processApplication"]["application"]
    assert final["status"] == "COMPLETED"  # nothing to issue: approving it ends it
    assert [s["action"] for s in final["timeline"]] == [
        "SUBMIT",
        "AUTO_REFER",
        "REQUEST_SUPPLEMENT",
        "SUPPLEMENT",
        "ACCEPT",
        "APPROVE",
    ]
    assert final["timeline"][-1]["actorType"] == "staff"
    # Issuing is refused for a matter that issues no certificate
    issue = await run(api, officer, PROCESS, {"i": {**step, "action": "ISSUE"}})
    assert issue["processApplication"]["errors"][0]["code"] == "INVALID_TRANSITION"


async def test_one_citizen_never_sees_anothers_applications_or_certificates(
    api: AsyncTestClient[Any], db: async_sessionmaker[AsyncSession], citizen: str
) -> None:
    # Given the demo citizen's application and their wallet of certificates
    mine = await factories.application(
        api,
        citizen,
        "GZ-RSJ-0001",
        {"contribution_months": 6, "leave_reason": "contract_expired", "job_seeking": True, "last_employer": "某公司"},
    )
    wallet = await run(api, citizen, "{ myCertificates(first: 1) { items { id } totalCount } }")
    assert wallet["myCertificates"]["totalCount"] >= 10
    # When another resident signs in and verifies their real name
    someone = await factories.citizen(api, db)
    other, person = someone.token, someone
    # Then the demo citizen's application and certificates do not exist for them
    assert (await run(api, citizen, APPLICATION, {"id": mine["id"]}))["application"]["id"] == mine["id"]
    assert (await run(api, other, APPLICATION, {"id": mine["id"]}))["application"] is None
    cert_id = wallet["myCertificates"]["items"][0]["id"]
    assert (await run(api, other, "query($id: ID!) { certificate(id: $id) { id } }", {"id": cert_id}))[
        "certificate"
    ] is None
    theirs = await run(api, other, "{ myCertificates(first: 50) { items { holderName } } }")
    assert {c["holderName"] for c in theirs["myCertificates"]["items"]} <= {person.name}


async def test_a_mini_program_reaches_applications_only_with_the_consented_scopes(
    api: AsyncTestClient[Any], db: async_sessionmaker[AsyncSession], citizen: str, fresh_redis: Any
) -> None:
    # Given the demo citizen's application for unemployment benefit, its form holding their ID number and phone
    mine = await factories.application(
        api,
        citizen,
        "GZ-RSJ-0001",
        {"contribution_months": 6, "leave_reason": "contract_expired", "job_seeking": True, "last_employer": "某公司"},
    )
    query = "{ myApplications(first: 1) { edges { node { id } } } }"
    profile_only, _ = await third_party_token(api, db, fresh_redis, DEMO_PHONE, ["openid", "profile"])
    status, body = await as_user(api, profile_only, query)
    assert status == 200 and body["errors"][0]["extensions"]["code"] == "INSUFFICIENT_SCOPE"
    wallet = await as_user(api, profile_only, "{ myCertificates(first: 1) { totalCount } }")
    assert wallet[1]["errors"][0]["extensions"]["code"] == "INSUFFICIENT_SCOPE"
    submit = {"i": {"matterCode": "GZ-WJW-0001", "values": {}}}
    refused = await as_user(api, profile_only, SUBMIT, submit)
    assert refused[1]["errors"][0]["extensions"]["code"] == "INSUFFICIENT_SCOPE"
    reader, _ = await third_party_token(api, db, fresh_redis, DEMO_PHONE, ["openid", "applications:read"])
    status, body = await as_user(api, reader, query)
    assert status == 200 and "errors" not in body
    assert (await as_user(api, reader, SUBMIT, submit))[1]["errors"][0]["extensions"]["code"] == "INSUFFICIENT_SCOPE"
    # Applications, yes; but the ID number in a form is masked, and certificates need their own scope
    detail = "query($id: ID!) { application(id: $id) { form } }"
    some_id = body["data"]["myApplications"]["edges"][0]["node"]["id"]
    assert some_id == mine["id"]
    first_party = (await as_user(api, citizen, detail, {"id": some_id}))[1]["data"]["application"]["form"]
    form = (await as_user(api, reader, detail, {"id": some_id}))[1]["data"]["application"]["form"]
    assert DEMO_ID not in str(form) and DEMO_PHONE not in str(form)
    assert DEMO_ID in str(first_party) or DEMO_PHONE in str(first_party)
    issued = "query($id: ID!) { application(id: $id) { issuedCertificates { code } } }"
    refused_certs = (await as_user(api, reader, issued, {"id": some_id}))[1]
    assert refused_certs["errors"][0]["extensions"]["code"] == "INSUFFICIENT_SCOPE"


async def test_tampering_with_a_certificate_or_the_log_is_detected(
    api: AsyncTestClient[Any], db: async_sessionmaker[AsyncSession], citizen: str
) -> None:
    wallet = await run(api, citizen, "{ myCertificates(first: 1) { items { id code } } }")
    target = wallet["myCertificates"]["items"][0]
    query = "query($c: String!) { verifyCertificate(code: $c) { status } }"
    assert (await run(api, citizen, query, {"c": target["code"]}))["verifyCertificate"]["status"] == "VALID"
    async with db() as session:
        original = (
            await session.execute(
                select(t.certificates.c.data, t.certificates.c.log_seq).where(t.certificates.c.id == target["id"])
            )
        ).one()
        # Someone edits the certificate's data in the database
        await session.execute(
            update(t.certificates)
            .where(t.certificates.c.id == target["id"])
            .values(data={**original.data, "name": "张三"})
        )
        await session.commit()
    try:
        assert (await run(api, citizen, query, {"c": target["code"]}))["verifyCertificate"]["status"] == "TAMPERED"
    finally:
        async with db() as session:
            await session.execute(
                update(t.certificates).where(t.certificates.c.id == target["id"]).values(data=original.data)
            )
            await session.commit()
    assert (await run(api, citizen, query, {"c": "NOSUCHCODE"}))["verifyCertificate"]["status"] == "UNKNOWN"
    # A forger who rewrites the row, its content hash and the log entry consistently (but has no key)
    async with db() as session:
        entry = (await session.execute(select(t.trust_log).where(t.trust_log.c.seq == original.log_seq))).one()
        row = (await session.execute(select(t.certificates).where(t.certificates.c.id == target["id"]))).one()
        forged = {**original.data, "name": "张三"}
        forged_doc = {**document_of(row), "data": forged}
        forged_hash = trustlog.content_hash(forged_doc)
        forged_entry = trustlog.entry_hash(entry.prev_hash, entry.seq, entry.kind, entry.subject, forged_hash, entry.at)
        await session.execute(
            update(t.certificates)
            .where(t.certificates.c.id == target["id"])
            .values(data=forged, content_hash=forged_hash)
        )
        await session.execute(
            update(t.trust_log)
            .where(t.trust_log.c.seq == entry.seq)
            .values(content_hash=forged_hash, entry_hash=forged_entry)
        )
        await session.commit()
        try:
            status = (await run(api, citizen, query, {"c": target["code"]}))["verifyCertificate"]["status"]
            assert status == "TAMPERED"
        finally:
            await session.execute(
                update(t.certificates)
                .where(t.certificates.c.id == target["id"])
                .values(data=original.data, content_hash=row.content_hash)
            )
            await session.execute(
                update(t.trust_log)
                .where(t.trust_log.c.seq == entry.seq)
                .values(content_hash=entry.content_hash, entry_hash=entry.entry_hash)
            )
            await session.commit()
    assert (await run(api, citizen, query, {"c": target["code"]}))["verifyCertificate"]["status"] == "VALID"
    # Rewriting a log entry breaks the chain at that entry
    async with db() as session:
        entry = (await session.execute(select(t.trust_log).where(t.trust_log.c.seq == original.log_seq))).one()
        await session.execute(update(t.trust_log).where(t.trust_log.c.seq == entry.seq).values(content_hash="0" * 64))
        report = await trustlog.check_chain(session, KEY)
        assert report.broken_at == entry.seq and not report.intact
        await session.rollback()
        assert (await trustlog.check_chain(session, KEY)).intact


async def test_uploads_are_checked_by_content_and_size_and_kept_by_hash(
    api: AsyncTestClient[Any], citizen: str, db: async_sessionmaker[AsyncSession]
) -> None:
    auth = {"authorization": f"Bearer {citizen}", "accept-language": "zh-CN"}
    # A program renamed to .png is refused, whatever the client claims
    fake = await api.post("/uploads", files={"file": ("scan.png", b"MZ\x90\x00binary", "image/png")}, headers=auth)
    assert fake.status_code == 415 and fake.json()["errors"][0]["extensions"]["code"] == "UPLOAD_TYPE_NOT_ALLOWED"
    assert "PDF" in fake.json()["errors"][0]["message"]
    big = b"%PDF-1.7\n" + b"0" * (10 * 1024 * 1024)
    too_big = await api.post("/uploads", files={"file": ("big.pdf", big, "application/pdf")}, headers=auth)
    assert too_big.status_code in (413, 400)
    anonymous = await api.post("/uploads", files={"file": ("a.pdf", b"%PDF-1.7\n", "application/pdf")})
    assert anonymous.status_code == 401
    # A real PDF is stored under its SHA-256
    stored = await upload(api, citizen, b"%PDF-1.7\n%%EOF\n", "proof.pdf")
    assert stored["contentType"] == "application/pdf" and stored["size"] == 15
    assert stored["sha256"] == hashlib.sha256(b"%PDF-1.7\n%%EOF\n").hexdigest()
    async with db() as session:
        row = (await session.execute(select(t.uploads).where(t.uploads.c.id == stored["id"]))).one()
    assert row.sha256 == stored["sha256"] and row.filename == "proof.pdf"


async def test_notices_are_read_in_the_readers_language_and_marked_read(
    api: AsyncTestClient[Any], citizen: str
) -> None:
    form = (await run(api, citizen, FORM, {"m": "GZ-WJW-0001"}))["applicationForm"]
    values = fill_required(form, {"child_order": "1"})
    await run(api, citizen, SUBMIT, {"i": {"matterCode": "GZ-WJW-0001", "values": values}})
    inbox = "{ myNotifications(first: 3) { unreadCount items { id text read } } }"
    chinese = (await run(api, citizen, inbox, locale="zh-CN"))["myNotifications"]
    # 办结 comes with a second notice at the same moment: rate the service (好差评)
    status = next(x for x in chinese["items"] if "您的申请" in x["text"])
    assert chinese["unreadCount"] >= 1 and "已办结" in status["text"]
    english = (await run(api, citizen, inbox, locale="en"))["myNotifications"]
    said = next(x["text"] for x in english["items"] if x["id"] == status["id"])
    assert said.startswith("Your application ")
    mark = "mutation($ids: [ID!]) { markNotificationsRead(ids: $ids) { count errors { code } } }"
    marked = await run(api, citizen, mark, {"ids": [status["id"]]})
    assert marked["markNotificationsRead"] == {"count": 1, "errors": []}
    after = (await run(api, citizen, inbox))["myNotifications"]
    assert after["unreadCount"] == chinese["unreadCount"] - 1
    assert next(x for x in after["items"] if x["id"] == status["id"])["read"] is True


async def test_a_refused_application_leaves_nothing_to_pay(api: AsyncTestClient[Any], citizen: str) -> None:
    form = (await run(api, citizen, FORM, {"m": "GZ-GA-0017"}))["applicationForm"]
    submit = """mutation($i: SubmitApplicationInput!) { submitApplication(input: $i) {
      application { id amountToPay order { id status total } } errors { code } } }"""
    created = await run(api, citizen, submit, {"i": {"matterCode": "GZ-GA-0017", "values": fill_required(form, {})}})
    application = created["submitApplication"]["application"]
    assert application["order"]["status"] == "open" and application["order"]["total"] == "10.00"
    assert application["amountToPay"] == "10.00"
    # An officer of another department does not see the application at all
    other = await staff_token(api, "officer.gz-swj")
    theirs = await run(
        api, other, "query($id: ID!) { application(id: $id) { amountToPay } }", {"id": application["id"]}
    )
    assert theirs == {"application": None}
    officer = await staff_token(api, "officer.gz-ga")
    refused = await run(
        api,
        officer,
        PROCESS,
        {"i": {"applicationId": application["id"], "action": "REJECT", "reason": "材料不符合要求"}},
    )
    assert refused["processApplication"]["application"]["status"] == "REJECTED"
    seen = await run(
        api,
        citizen,
        "query($id: ID!) { application(id: $id) { amountToPay order { status } } }",
        {"id": application["id"]},
    )
    assert seen["application"]["order"]["status"] == "closed"
    assert seen["application"]["amountToPay"] == "0.00"
    pay = 'mutation($o: ID!) { payOrder(orderId: $o, idempotencyKey: "k1") { launch { method } errors { code } } }'
    assert (await run(api, citizen, pay, {"o": application["order"]["id"]}))["payOrder"]["errors"][0]["code"] == (
        "ORDER_NOT_PAYABLE"
    )


async def test_a_submission_refused_before_any_form_is_a_payload_error(api: AsyncTestClient[Any], citizen: str) -> None:
    # Found by review of issue 13: keeping a draft of an unknown matter raised again, outside the payload.
    refusals = {
        "unknown matter": {"matterCode": "GZ-NO-0000", "values": {}},
        "values not an object": {"matterCode": "GZ-RSJ-0001", "values": [1, 2]},
    }
    for case, submitted in refusals.items():
        # When the citizen submits something no form can be kept for
        data = await run(api, citizen, SUBMIT, {"i": submitted})
        # Then the answer is the mutation's payload with a coded error, not a top-level error
        payload = data["submitApplication"]
        assert payload["application"] is None, case
        assert [e["code"] for e in payload["errors"]] in (["NOT_FOUND"], ["INVALID_VALUE"]), (case, payload)
