"""Issue 14, items 5 and 6, walked through the real API: a citizen uploads a material and applies for a
passport; the officer of the handling department reads the materials and downloads the scan through a
short-lived signed link (nobody else can); asks for a supplement and sees what the answer changed; and
issues the passport with what only the issuing system knows, so nothing in the wallet is empty."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import pytest
from litestar.testing import AsyncTestClient
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from backend.applications.uploads import download_query
from backend.identity.secrets import derive
from payments.orders import get_order
from tests.conftest import TEST_SECRET
from tests.support import factories
from tests.support.applications import fill_required, upload
from tests.support.gql import run
from tests.support.identity import staff_token

Sessions = async_sessionmaker[AsyncSession]
PASSPORT = "GZ-GA-0013"  # 普通护照签发: decided and issued by 公安局; the photo is uploaded
PDF = b"%PDF-1.7\n% a scanned photo\n%%EOF\n"
FORM = """query($m: String) { applicationForm(matterCode: $m) {
  fields { key type value required options { value } } materials { key required replaced } } }"""
SUBMIT = """mutation($i: SubmitApplicationInput!) { submitApplication(input: $i) {
  application { id status } errors { code field } } }"""
READ = """query($id: ID!) { application(id: $id) { id status order { id }
  materials { key name required provision provisionLabel certificateTypeName certificateId
    upload { id fileName size contentType downloadUrl linkExpiresAt } }
  supplementChanges { key label isMaterial before after }
  certificateFieldsToEnter { certificateType certificateName key label type }
  timeline { action fromStatus toStatus reasonFields } } }"""
PROCESS = """mutation($i: ProcessApplicationInput!) { processApplication(input: $i) {
  application { id status } errors { code field } } }"""
SUPPLEMENT = """mutation($id: ID!, $v: JSON!, $m: JSON) { supplementApplication(id: $id, values: $v, materials: $m) {
  application { status } errors { code } } }"""
WALLET = "{ myCertificates(first: 50) { items { typeCode number validUntil fields { key value } } } }"
ISSUED = {"valid_until": "2036-12-06", "issuing_authority": "中华人民共和国国家移民管理局"}

BEIJING = ZoneInfo("Asia/Shanghai")  # an issue date is a Beijing day (after 16:00 UTC, tomorrow)


@pytest.fixture
async def citizen(api: AsyncTestClient[Any], db: Sessions, fresh_redis: Any) -> factories.Citizen:
    return await factories.citizen(api, db)


async def _apply(api: AsyncTestClient[Any], citizen: factories.Citizen) -> tuple[str, dict[str, Any]]:
    form = (await run(api, citizen.token, FORM, {"m": PASSPORT}))["applicationForm"]
    values = fill_required(form, {f["key"]: f["value"] for f in form["fields"] if f["value"] is not None})
    scan = await upload(api, citizen.token, PDF, "护照照片.pdf")
    i = {"matterCode": PASSPORT, "values": values, "materials": {"photo": scan["id"]}}
    submitted = (await run(api, citizen.token, SUBMIT, {"i": i}))["submitApplication"]
    assert submitted["errors"] == [] and submitted["application"]["status"] == "SUBMITTED", submitted
    return submitted["application"]["id"], values


async def _pay(api: AsyncTestClient[Any], db: Sessions, order_id: str) -> None:
    """The fee paid, as the channel's notice credits it (issuing may wait for the payment)."""
    async with db() as session:
        unpaid = await get_order(session, order_id)
    assert unpaid is not None
    await factories.payment(db, api.app.state.resources.payments, unpaid)


def _link(url: str) -> tuple[str, dict[str, str]]:
    parts = urlsplit(url)
    return parts.path, {k: v[0] for k, v in parse_qs(parts.query).items()}


async def test_an_officer_reviews_materials_supplements_and_issues_a_complete_passport(
    api: AsyncTestClient[Any], db: Sessions, citizen: factories.Citizen
) -> None:
    application, values = await _apply(api, citizen)
    officer = await staff_token(api, "officer.gz-ga")
    # The officer of the handling department sees every material and how it was provided
    seen = (await run(api, officer, READ, {"id": application}, locale="zh-CN"))["application"]
    by_key = {m["key"]: m for m in seen["materials"]}
    assert set(by_key) == {"id_card", "photo", "passport"}
    assert by_key["id_card"]["provision"] == "CERTIFICATE" and by_key["id_card"]["certificateId"]
    assert by_key["id_card"]["certificateTypeName"] == "居民身份证"
    assert by_key["passport"]["provision"] == "MISSING" and by_key["passport"]["required"] is False
    photo = by_key["photo"]
    assert photo["provision"] == "UPLOAD" and photo["provisionLabel"] == "申请人上传"
    assert photo["name"] == "近期正面免冠证件照片（可现场采集）"
    assert {k: photo["upload"][k] for k in ("fileName", "size", "contentType")} == {
        "fileName": "护照照片.pdf",
        "size": len(PDF),
        "contentType": "application/pdf",
    }
    # ...and downloads the scan through its link, without a bearer header (a phone's viewer opens it)
    expires = datetime.fromisoformat(photo["upload"]["linkExpiresAt"])
    assert timedelta(0) < expires - datetime.now(UTC) <= timedelta(minutes=5)
    path, query = _link(photo["upload"]["downloadUrl"])
    response = await api.get(path, params=query)
    assert response.status_code == 200 and response.content == PDF
    assert response.headers["content-type"].startswith("application/pdf")
    assert "private" in response.headers["cache-control"]
    # The owner may download it too
    mine = (await run(api, citizen.token, READ, {"id": application}))["application"]
    owner_path, owner_query = _link(next(m for m in mine["materials"] if m["key"] == "photo")["upload"]["downloadUrl"])
    assert (await api.get(owner_path, params=owner_query)).content == PDF
    # Nobody else gets a link: another citizen and another department's officer do not see the
    # application; an admin sees it, but no link
    other = await factories.citizen(api, db, skip=1)
    assert (await run(api, other.token, READ, {"id": application}))["application"] is None
    elsewhere = await staff_token(api, "officer.gz-rsj")
    assert (await run(api, elsewhere, READ, {"id": application}))["application"] is None
    admin = (await run(api, await staff_token(api, "admin"), READ, {"id": application}))["application"]
    assert next(m for m in admin["materials"] if m["key"] == "photo")["upload"]["downloadUrl"] is None
    # A link without a signature, tampered with, stretched, for another file, or expired is refused
    assert (await api.get(path)).status_code == 403
    assert (await api.get(path, params={**query, "signature": "0" * 64})).status_code == 403
    stretched = {**query, "expires": str(int(query["expires"]) + 3600)}
    assert (await api.get(path, params=stretched)).status_code == 403
    assert (await api.get(f"/uploads/{by_key['id_card']['certificateId']}", params=query)).status_code == 403
    key = derive(TEST_SECRET.encode(), "upload-links")
    old, _ = download_query(key, photo["upload"]["id"], datetime.now(UTC) - timedelta(minutes=6))
    refused = await api.get(f"{path}?{old}", headers={"accept-language": "en"})
    assert refused.status_code == 403
    assert refused.json()["errors"][0]["extensions"]["code"] == "DOWNLOAD_LINK_INVALID"

    # The officer accepts and asks for a better photo and the mailing address
    step = {"applicationId": application}
    await run(api, officer, PROCESS, {"i": {**step, "action": "ACCEPT"}})
    ask = {
        **step,
        "action": "REQUEST_SUPPLEMENT",
        "reason": "照片不清晰，请重新上传并确认邮寄地址",
        "fields": ["photo"],
    }
    await run(api, officer, PROCESS, {"i": ask})
    # The citizen answers with a new scan and a new address
    better = await upload(api, citizen.token, PDF + b"%v2\n", "新照片.pdf")
    new_address = "广州市天河区天河路2号"
    answer = {"id": application, "v": {"mail_address": new_address}, "m": {"photo": better["id"]}}
    answered = (await run(api, citizen.token, SUPPLEMENT, answer))["supplementApplication"]
    assert answered == {"application": {"status": "ACCEPTED"}, "errors": []}
    # The officer sees what changed: the value before and after, and the material's new file
    seen = (await run(api, officer, READ, {"id": application}, locale="zh-CN"))["application"]
    changes = {c["key"]: c for c in seen["supplementChanges"]}
    assert changes["mail_address"] == {
        "key": "mail_address",
        "label": "邮寄地址（选择邮寄时填写）",
        "isMaterial": False,
        "before": values["mail_address"],
        "after": new_address,
    }
    assert changes["photo"]["isMaterial"] is True
    assert (changes["photo"]["before"], changes["photo"]["after"]) == ("护照照片.pdf", "新照片.pdf")
    assert seen["timeline"][-1]["reasonFields"] == ["mail_address", "photo"]
    photo = next(m for m in seen["materials"] if m["key"] == "photo")["upload"]
    assert photo["fileName"] == "新照片.pdf"
    path, query = _link(photo["downloadUrl"])
    assert (await api.get(path, params=query)).content == PDF + b"%v2\n"

    # Approved, the officer is told what to enter; the passport's number comes from the registry
    approved = (await run(api, officer, PROCESS, {"i": {**step, "action": "APPROVE"}}))["processApplication"]
    assert approved["application"]["status"] == "APPROVED"
    seen = (await run(api, officer, READ, {"id": application}, locale="zh-CN"))["application"]
    assert [(f["certificateType"], f["key"], f["label"], f["type"]) for f in seen["certificateFieldsToEnter"]] == [
        ("PASSPORT", "valid_until", "有效期至", "date"),
        ("PASSPORT", "issuing_authority", "签发机关", "text"),
    ]
    assert (await run(api, citizen.token, READ, {"id": application}))["application"]["certificateFieldsToEnter"] == []
    await _pay(api, db, seen["order"]["id"])
    # Issuing without them, or with wrong ones, is refused and issues nothing
    bare = (await run(api, officer, PROCESS, {"i": {**step, "action": "ISSUE"}}))["processApplication"]
    assert bare["application"] is None
    assert bare["errors"] == [
        {"code": "CERTIFICATE_FIELDS_INVALID", "field": "certificateFields"},
        {"code": "REQUIRED", "field": "certificateFields.PASSPORT.valid_until"},
        {"code": "REQUIRED", "field": "certificateFields.PASSPORT.issuing_authority"},
    ]
    wrong = {"PASSPORT": {**ISSUED, "valid_until": "2020-01-01", "passport_number": "E00000001"}}
    refused = (await run(api, officer, PROCESS, {"i": {**step, "action": "ISSUE", "certificateFields": wrong}}))[
        "processApplication"
    ]
    assert {(e["code"], e["field"]) for e in refused["errors"][1:]} == {
        ("INVALID_VALUE", "certificateFields.PASSPORT.passport_number"),
        ("VALIDITY_ENDED", "certificateFields.PASSPORT.valid_until"),
    }
    # With them, the passport is issued
    entered = {"PASSPORT": ISSUED}
    issued = (await run(api, officer, PROCESS, {"i": {**step, "action": "ISSUE", "certificateFields": entered}}))[
        "processApplication"
    ]
    assert issued == {"application": {"id": application, "status": "COMPLETED"}, "errors": []}
    # The passport in the citizen's wallet has every field, the registry's number among them
    wallet = (await run(api, citizen.token, WALLET))["myCertificates"]["items"]
    passport = next(c for c in wallet if c["typeCode"] == "PASSPORT")
    fields = {f["key"]: f["value"] for f in passport["fields"]}
    assert all(v not in (None, "") for v in fields.values()), fields
    assert re.fullmatch(r"E\d{8}", fields["passport_number"])
    assert fields["valid_until"] == ISSUED["valid_until"] and passport["validUntil"] == ISSUED["valid_until"]
    assert fields["issuing_authority"] == ISSUED["issuing_authority"]
    assert fields["holder_name"] == citizen.name and fields["issue_date"] <= datetime.now(BEIJING).date().isoformat()
