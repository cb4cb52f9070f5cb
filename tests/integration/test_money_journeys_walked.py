"""Money journeys as the citizen, the officer and finance staff walked them on a running server (issue 14's
independent check): each test reproduces a seam found there, through the real server and the Alipay sandbox.
"""

from __future__ import annotations

import io
import uuid
from typing import Any

import httpx
from pypdf import PdfReader

from tests.support import factories
from tests.support.applications import TO_ENTER, entries_for
from tests.support.identity import staff_token
from tests.support.payments import PAY, Sessions, Stack

APPLICATION = "query($id: ID!) { application(id: $id) { id order { id } } }"
PROCESS = """mutation($i: ProcessApplicationInput!) { processApplication(input: $i) {
  application { id status } errors { code field message } } }"""
RECEIPTS = """query($id: ID!) { order(id: $id) { receipts { departmentCode kind billNumber reversesBillNumber
  pdfUrl } } }"""
REFUND = """mutation($i: RefundInput!) { refund(input: $i) { refund { amount } errors { code message } } }"""


async def _paid_car_registration(stack: Stack, db: Sessions) -> tuple[factories.Citizen, str, str, str]:
    """A citizen's car registration accepted and paid (110.00 to the police in two fees, 360.00 of vehicle
    tax): (citizen, application id, order id, officer token)."""
    async with stack.client() as client:
        citizen = await factories.citizen(client, db)
        application = await factories.car_registration(client, citizen)
        officer = await staff_token(client, "officer.gz-ga")
    step = {"applicationId": application["id"], "action": "ACCEPT"}
    assert (await stack.gql(officer, PROCESS, {"i": step}))["processApplication"]["errors"] == []
    order_id = (await stack.gql(citizen.token, APPLICATION, {"id": application["id"]}))["application"]["order"]["id"]
    await stack.pay(citizen.token, order_id)
    return citizen, application["id"], order_id, officer


async def _red_receipt_text(stack: Stack, token: str, order_id: str, department: str) -> str:
    """The text of the department's red-letter receipt, as the payer's phone opens its PDF (no token)."""
    receipts = (await stack.gql(token, RECEIPTS, {"id": order_id}))["order"]["receipts"]
    red = next(r for r in receipts if r["kind"] == "red" and r["departmentCode"] == department)
    async with httpx.AsyncClient(timeout=30) as browser:
        pdf = await browser.get(red["pdfUrl"])
    assert pdf.status_code == 200
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages)


async def test_a_refusals_red_letter_receipt_lists_the_fees_it_gives_back_not_an_internal_code(
    stack: Stack, db: Sessions, fresh_redis: Any
) -> None:
    # Given a paid car registration: the police collected 100.00 (plates, 103040142) and 10.00 (licence, 103040143)
    citizen, application_id, order_id, officer = await _paid_car_registration(stack, db)
    # When the officer refuses it, and the fees go back
    step = {"applicationId": application_id, "action": "REJECT", "reason": "购车发票与合格证信息不一致"}
    assert (await stack.gql(officer, PROCESS, {"i": step}))["processApplication"]["errors"] == []
    # Then the police's red-letter receipt reverses each fee by its own code and name, as the original listed them
    text = await _red_receipt_text(stack, citizen.token, order_id, "GZ-GA")
    assert "REFUND" not in text
    assert "103040142" in text and "机动车号牌工本费（汽车号牌，每副）" in text and "-100.00" in text
    assert "103040143" in text and "机动车行驶证工本费" in text and "-10.00" in text
    assert "合计（小写）：-110.00 元" in text


async def _tax_part_refunded(stack: Stack, db: Sessions) -> tuple[Any, str]:
    """A paid car registration of which finance staff gave back 60.00 of the vehicle tax."""
    citizen, _, order_id, _ = await _paid_car_registration(stack, db)
    async with stack.client() as client:
        finance = await staff_token(client, "finance")
    refund = {
        "orderId": order_id,
        "departmentCode": "GZ-SWJ",
        "amount": "60.00",
        "reason": "车船税按月计算多收",
        "idempotencyKey": str(uuid.uuid4()),
    }
    assert (await stack.gql(finance, REFUND, {"i": refund}))["refund"]["errors"] == []
    return citizen, order_id


async def test_a_part_refund_by_finance_reverses_the_fee_it_was_taken_from(
    stack: Stack, db: Sessions, fresh_redis: Any
) -> None:
    # Given a paid car registration (360.00 of vehicle tax, 101190100)
    # When finance staff give back 60.00 of the tax
    citizen, order_id = await _tax_part_refunded(stack, db)
    # Then the red-letter tax certificate names the tax it reverses, for 60.00
    text = await _red_receipt_text(stack, citizen.token, order_id, "GZ-SWJ")
    assert "REFUND" not in text
    assert "101190100" in text and "车船税" in text and "-60.00" in text


ORDER_STATE = "query($id: ID!) { order(id: $id) { status statusLabel } }"
MY_PAYMENTS = "{ myPayments(first: 20) { items { id status statusLabel } } }"


async def _order_reads(stack: Stack, token: str, order_id: str) -> dict[str, str]:
    """How the order's state reads to the citizen in each language, in order(id) and in myPayments alike."""
    reads: dict[str, str] = {}
    for locale in ("zh-CN", "zh-TW", "en"):
        one = (await stack.gql(token, ORDER_STATE, {"id": order_id}, locale))["order"]
        listed = next(
            x for x in (await stack.gql(token, MY_PAYMENTS, {}, locale))["myPayments"]["items"] if x["id"] == order_id
        )
        assert listed["statusLabel"] == one["statusLabel"]
        reads[locale] = one["statusLabel"]
    return reads


async def test_an_orders_state_reads_as_words_in_the_citizens_language(
    stack: Stack, db: Sessions, fresh_redis: Any
) -> None:
    # Given a car registration: its order waits for payment
    async with stack.client() as client:
        citizen = await factories.citizen(client, db)
        application = await factories.car_registration(client, citizen)
        finance = await staff_token(client, "finance")
    order_id = (await stack.gql(citizen.token, APPLICATION, {"id": application["id"]}))["application"]["order"]["id"]
    assert await _order_reads(stack, citizen.token, order_id) == {"zh-CN": "待缴费", "zh-TW": "待繳費", "en": "To pay"}
    # When it is paid
    await stack.pay(citizen.token, order_id)
    assert await _order_reads(stack, citizen.token, order_id) == {"zh-CN": "已缴费", "zh-TW": "已繳費", "en": "Paid"}
    # When finance give part of it back
    refund = {
        "orderId": order_id,
        "departmentCode": "GZ-SWJ",
        "amount": "60.00",
        "reason": "车船税按月计算多收",
        "idempotencyKey": str(uuid.uuid4()),
    }
    assert (await stack.gql(finance, REFUND, {"i": refund}))["refund"]["errors"] == []
    assert await _order_reads(stack, citizen.token, order_id) == {
        "zh-CN": "已部分退款",
        "zh-TW": "已部分退款",
        "en": "Partly refunded",
    }
    # And the rest
    refund |= {"amount": "300.00", "idempotencyKey": str(uuid.uuid4())}
    assert (await stack.gql(finance, REFUND, {"i": refund}))["refund"]["errors"] == []
    refund |= {"departmentCode": "GZ-GA", "amount": "110.00", "idempotencyKey": str(uuid.uuid4())}
    assert (await stack.gql(finance, REFUND, {"i": refund}))["refund"]["errors"] == []
    assert await _order_reads(stack, citizen.token, order_id) == {
        "zh-CN": "已退款",
        "zh-TW": "已退款",
        "en": "Refunded",
    }


TIMELINE = "query($id: ID!) { application(id: $id) { timeline { action actionLabel } } }"


async def test_the_officer_reads_the_timeline_about_the_applicant_not_as_if_they_had_applied(
    stack: Stack, db: Sessions, fresh_redis: Any
) -> None:
    # Given a paid car registration the officer approves and issues
    citizen, application_id, _, officer = await _paid_car_registration(stack, db)
    for action in ("APPROVE", "ISSUE"):
        step: dict[str, Any] = {"applicationId": application_id, "action": action}
        if action == "ISSUE":
            to_enter = (await stack.gql(officer, TO_ENTER, {"id": application_id}))["application"]
            step["certificateFields"] = entries_for(to_enter["certificateFieldsToEnter"])
        assert (await stack.gql(officer, PROCESS, {"i": step}))["processApplication"]["errors"] == []
    # Then the officer reads who submitted and where the certificate went as a third person, in their language...
    expected = {
        "zh-CN": ("申请人提交了申请", "证照已发放到申请人的卡包"),
        "zh-TW": ("申請人提交了申請", "證照已發放到申請人的卡包"),
        "en": ("The applicant submitted the application", "The certificate was issued to the applicant's wallet"),
    }
    for locale, (submitted, issued) in expected.items():
        steps = {
            s["action"]: s["actionLabel"]
            for s in (await stack.gql(officer, TIMELINE, {"id": application_id}, locale))["application"]["timeline"]
        }
        assert (steps["SUBMIT"], steps["ISSUE"]) == (submitted, issued)
    # ...while the citizen still reads them as their own
    steps = {
        s["action"]: s["actionLabel"]
        for s in (await stack.gql(citizen.token, TIMELINE, {"id": application_id}, "en"))["application"]["timeline"]
    }
    assert (steps["SUBMIT"], steps["ISSUE"]) == (
        "You submitted the application",
        "The certificate was issued to your wallet",
    )


async def test_paying_a_paid_order_again_says_its_state_in_words_not_a_code(
    stack: Stack, db: Sessions, fresh_redis: Any
) -> None:
    # Given a paid car registration
    citizen, _, order_id, _ = await _paid_car_registration(stack, db)
    # When the citizen taps pay again (an old screen), the refusal names the state in their language
    expected = {
        "zh-CN": "该订单无法支付：当前状态为 已缴费。",
        "zh-TW": "該訂單無法支付：目前狀態為 已繳費。",
        "en": "This order cannot be paid: it is Paid.",
    }
    for locale, message in expected.items():
        variables = {"o": order_id, "k": str(uuid.uuid4()), "m": "APP"}
        errors = (await stack.gql(citizen.token, PAY, variables, locale))["payOrder"]["errors"]
        assert errors == [{"code": "ORDER_NOT_PAYABLE", "message": message}]
    # And finance staff asked to refund an unpaid order read its state in words too
    async with stack.client() as client:
        other = await factories.citizen(client, db, skip=1)
        unpaid = await factories.car_registration(client, other)
        finance = await staff_token(client, "finance")
    unpaid_id = (await stack.gql(other.token, APPLICATION, {"id": unpaid["id"]}))["application"]["order"]["id"]
    refund = {"orderId": unpaid_id, "departmentCode": "GZ-GA", "reason": "误收", "idempotencyKey": str(uuid.uuid4())}
    errors = (await stack.gql(finance, REFUND, {"i": refund}, "zh-CN"))["refund"]["errors"]
    assert errors == [{"code": "ORDER_NOT_REFUNDABLE", "message": "只有已支付的订单可以退款（该订单状态为 待缴费）。"}]


MY_RECEIPTS = "{ myReceipts(first: 20) { departmentCode kind status statusLabel } }"


async def test_a_receipts_state_reads_as_words_after_a_part_refund(
    stack: Stack, db: Sessions, fresh_redis: Any
) -> None:
    # Given a paid car registration, and finance give back 60.00 of its vehicle tax
    citizen, _ = await _tax_part_refunded(stack, db)
    # Then each receipt's state reads as words in the citizen's language
    expected = {
        "zh-CN": {("GZ-GA", "normal"): "有效", ("GZ-SWJ", "normal"): "部分冲红", ("GZ-SWJ", "red"): "红字票据（冲红）"},
        "zh-TW": {("GZ-GA", "normal"): "有效", ("GZ-SWJ", "normal"): "部分沖紅", ("GZ-SWJ", "red"): "紅字票據（沖紅）"},
        "en": {
            ("GZ-GA", "normal"): "Valid",
            ("GZ-SWJ", "normal"): "Partly reversed",
            ("GZ-SWJ", "red"): "Red-letter reversal",
        },
    }
    for locale, labels in expected.items():
        receipts = (await stack.gql(citizen.token, MY_RECEIPTS, {}, locale))["myReceipts"]
        assert {(r["departmentCode"], r["kind"]): r["statusLabel"] for r in receipts} == labels
