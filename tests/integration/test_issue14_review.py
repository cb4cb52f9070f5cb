"""Issue 14's merged change, reviewed: what the review found, each proved through the real server."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from tests.integration.test_officer_materials import PDF, READ, SUPPLEMENT, _apply, _link
from tests.integration.test_payments import _writers_blocked
from tests.support import factories
from tests.support.gql import run
from tests.support.identity import staff_token, third_party_token
from tests.support.payments import Sessions, Stack

APPLICATION = "query($id: ID!) { application(id: $id) { id status order { id status } } }"
PROCESS = """mutation($i: ProcessApplicationInput!) { processApplication(input: $i) {
  application { id status } errors { code field message } } }"""


async def test_a_refusals_refund_asks_the_channel_with_no_transaction_open(
    stack: Stack, db: Sessions, fresh_redis: Any, catalog_database: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Issue 12's rule: the channel is asked with no transaction open. The refusal's refund read the
    # order on the request's session after the refusal committed, which opened a transaction again
    # and held it (and its connection) across the call to Alipay.
    async with stack.client() as client:
        citizen = await factories.citizen(client, db)
        application = await factories.car_registration(client, citizen)
        officer = await staff_token(client, "officer.gz-ga")
    order_id = (await stack.gql(citizen.token, APPLICATION, {"id": application["id"]}))["application"]["order"]["id"]
    await stack.pay(citizen.token, order_id)
    original = stack.deps.channels["alipay"].refund
    seen: list[int] = []

    async def probing(*args: Any) -> Any:
        seen.append(await asyncio.to_thread(_writers_blocked, catalog_database))
        return await original(*args)

    monkeypatch.setattr(stack.deps.channels["alipay"], "refund", probing)
    for action, reason in (("ACCEPT", None), ("REJECT", "购车发票与合格证信息不一致")):
        step = {"applicationId": application["id"], "action": action} | ({"reason": reason} if reason else {})
        answer = (await stack.gql(officer, PROCESS, {"i": step}))["processApplication"]
        assert answer["errors"] == [], answer
    assert seen == [0, 0]  # two departments' shares, each asked with nothing held open


def _on_the_event_loop() -> bool:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


MATERIALS = """query($id: ID!) { application(id: $id) {
  materials { key upload { contentType downloadUrl linkExpiresAt } } } }"""
RECEIPTS = "query($id: ID!) { order(id: $id) { receipts { id pdfUrl } } }"


async def test_a_receipts_pdf_is_drawn_off_the_event_loop(
    stack: Stack, db: Sessions, fresh_redis: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Drawing a PDF takes tens of milliseconds of CPU; the signed link is opened by whoever holds it.
    from payments import receipt_pdf

    drawn_on_loop: list[bool] = []
    original = receipt_pdf.render

    def watched(*args: Any) -> bytes:
        drawn_on_loop.append(_on_the_event_loop())
        return original(*args)

    monkeypatch.setattr(receipt_pdf, "render", watched)
    async with stack.client() as client:
        citizen = await factories.citizen(client, db)
        application = await factories.car_registration(client, citizen)
        order_id = (await stack.gql(citizen.token, APPLICATION, {"id": application["id"]}))["application"]["order"][
            "id"
        ]
        await stack.pay(citizen.token, order_id)
        receipt = (await stack.gql(citizen.token, RECEIPTS, {"id": order_id}))["order"]["receipts"][0]
        pdf = await client.get(receipt["pdfUrl"])
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert drawn_on_loop == [False]


async def test_an_uploads_file_is_read_off_the_event_loop(
    api: AsyncTestClient[Any], db: Sessions, fresh_redis: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # An upload is up to 10 MB read from disk: the loop serves everyone else meanwhile.
    citizen = await factories.citizen(api, db)
    application, _ = await _apply(api, citizen)
    mine = (await run(api, citizen.token, READ, {"id": application}))["application"]
    path, query = _link(next(m for m in mine["materials"] if m["key"] == "photo")["upload"]["downloadUrl"])
    read_on_loop: list[bool] = []
    original = Path.read_bytes

    def watched(self: Path) -> bytes:
        if "uploads" in self.parts:
            read_on_loop.append(_on_the_event_loop())
        return original(self)

    monkeypatch.setattr(Path, "read_bytes", watched)
    response = await api.get(path, params=query)
    assert response.status_code == 200 and response.content == PDF
    assert read_on_loop == [False]


async def test_a_mini_program_gets_no_link_to_the_raw_files_of_an_application(
    api: AsyncTestClient[Any], db: Sessions, fresh_redis: Any
) -> None:
    # A scanned file cannot be masked (an ID card's copy shows its number whole): a mini-program with
    # `applications:read` (the assistant's delegated token has it) reads the materials, not the files.
    citizen = await factories.citizen(api, db)
    application, _ = await _apply(api, citizen)
    for scopes in (["openid", "applications:read"], ["openid", "applications:read", "id_number", "profile"]):
        token, _ = await third_party_token(api, db, fresh_redis, citizen.phone, scopes)
        seen = (await run(api, token, MATERIALS, {"id": application}))["application"]
        photo = next(m for m in seen["materials"] if m["key"] == "photo")["upload"]
        assert (photo["contentType"], photo["downloadUrl"], photo["linkExpiresAt"]) == ("application/pdf", None, None)
    # The owner in the platform's own app still gets one
    mine = (await run(api, citizen.token, READ, {"id": application}))["application"]
    assert next(m for m in mine["materials"] if m["key"] == "photo")["upload"]["downloadUrl"]


CHANGES = """query($id: ID!) { application(id: $id) { supplementChanges { key before after } } }"""


async def test_a_mini_program_without_profile_reads_no_profile_value_a_supplement_changed(
    api: AsyncTestClient[Any], db: Sessions, fresh_redis: Any
) -> None:
    # The form's mail address came from the profile; the citizen changed it in a supplement. What it was
    # and what it became are the profile's: a mini-program without `profile` reads neither.
    citizen = await factories.citizen(api, db)
    application, values = await _apply(api, citizen)
    officer = await staff_token(api, "officer.gz-ga")
    step = {"applicationId": application}
    await run(api, officer, PROCESS, {"i": {**step, "action": "ACCEPT"}})
    ask = {**step, "action": "REQUEST_SUPPLEMENT", "reason": "请确认邮寄地址", "fields": ["mail_address"]}
    await run(api, officer, PROCESS, {"i": ask})
    answer = {"id": application, "v": {"mail_address": "广州市天河区天河路2号"}, "m": None}
    answered = (await run(api, citizen.token, SUPPLEMENT, answer))["supplementApplication"]
    assert answered["errors"] == [], answered
    mine = {
        c["key"]: c
        for c in (await run(api, citizen.token, CHANGES, {"id": application}))["application"]["supplementChanges"]
    }
    assert mine["mail_address"]["before"] == values["mail_address"] and values["mail_address"]
    token, _ = await third_party_token(api, db, fresh_redis, citizen.phone, ["openid", "applications:read"])
    seen = (await run(api, token, CHANGES, {"id": application}))["application"]["supplementChanges"]
    leaked = [c for c in seen if values["mail_address"] in (c["before"], c["after"])]
    assert leaked == []
