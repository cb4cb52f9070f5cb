"""Money goes back, and the citizen hears of it: a paid application refused is refunded exactly what
was paid for it, through the channel, with red-letter receipts; a payment that comes for an order
already closed goes back by itself; every refund is an inbox notice and an SMS saying how much and by
when it arrives.

Every journey goes through the real server over HTTP and pays through the Alipay sandbox.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from backend.applications.workdays import WorkCalendar, shanghai_date
from tests.support import factories
from tests.support.applications import fill_required, upload
from tests.support.identity import staff_token
from tests.support.payments import PAY, Sessions, Stack, sms_to

ORDER = """query($id: ID!) { order(id: $id) { status total refunded
  receipts { departmentCode kind status total } } }"""
APPLICATION = "query($id: ID!) { application(id: $id) { id status order { id status } } }"
PROCESS = """mutation($i: ProcessApplicationInput!) { processApplication(input: $i) {
  application { id status } errors { code field message } } }"""
REFUND = """mutation($i: RefundInput!) { refund(input: $i) { refund { amount } errors { code message } } }"""


def _arrives_by() -> str:
    """The latest day a refund booked today arrives: seven working days on."""
    return WorkCalendar.default().add_working_days(shanghai_date(datetime.now(UTC)), 7).isoformat()


async def _refuse(stack: Stack, officer: str, application_id: str, *, accept_first: bool = True) -> None:
    steps = (("ACCEPT", None), ("REJECT", "购车发票与合格证信息不一致"))
    for action, reason in steps if accept_first else steps[1:]:
        step = {"applicationId": application_id, "action": action} | ({"reason": reason} if reason else {})
        answer = (await stack.gql(officer, PROCESS, {"i": step}))["processApplication"]
        assert answer["errors"] == [], answer


async def test_a_paid_application_refused_is_refunded_through_the_channel_and_the_citizen_told(
    stack: Stack, db: Sessions, fresh_redis: Any
) -> None:
    # Given a car's registration, paid (110.00 to the police, 360.00 of vehicle tax)
    async with stack.client() as client:
        citizen = await factories.citizen(client, db)
        application = await factories.car_registration(client, citizen)
        officer = await staff_token(client, "officer.gz-ga")
    order_id = (await stack.gql(citizen.token, APPLICATION, {"id": application["id"]}))["application"]["order"]["id"]
    out_trade_no = await stack.pay(citizen.token, order_id)
    # When the department refuses it
    await _refuse(stack, officer, application["id"])
    # Then all it paid went back through Alipay, each department's receipt reversed in red
    order = (await stack.gql(citizen.token, ORDER, {"id": order_id}))["order"]
    assert (order["status"], order["total"], order["refunded"]) == ("refunded", "470.00", "470.00")
    assert sorted((r["departmentCode"], r["kind"], r["status"], r["total"]) for r in order["receipts"]) == [
        ("GZ-GA", "normal", "reversed", "110.00"),
        ("GZ-GA", "red", "valid", "-110.00"),
        ("GZ-SWJ", "normal", "reversed", "360.00"),
        ("GZ-SWJ", "red", "valid", "-360.00"),
    ]
    assert (await stack.trade(out_trade_no))["refunded"] == "470.00"
    # And the citizen is told what comes back, why, and by when: in the inbox, in their language...
    reference, arrives_by = application["reference"], _arrives_by()
    refunds = sorted(n["text"] for n in await stack.inbox(citizen.token) if "refunded" in n["text"])
    assert refunds == [
        f"¥{amount} of application {reference} (Motor Vehicle Registration (New Car)) is refunded to where you "
        f"paid from (Alipay): the application was not approved. It arrives by {arrives_by} at the latest."
        for amount in ("110.00", "360.00")
    ]
    # ...and by SMS
    texts = await sms_to(db, citizen.phone)
    for amount in ("110.00", "360.00"):
        assert (
            f"【一网通办】申请 {reference}（机动车注册登记）已退款 ¥{amount}（申请未获批准），最迟 {arrives_by} 到账。"
            in texts
        )


async def test_a_payment_that_comes_after_the_order_closed_goes_back_by_itself(
    stack: Stack, db: Sessions, fresh_redis: Any
) -> None:
    # Given a car's registration whose payment the citizen started (the Alipay page is open)...
    async with stack.client() as client:
        citizen = await factories.citizen(client, db)
        application = await factories.car_registration(client, citizen)
        officer = await staff_token(client, "officer.gz-ga")
    order_id = (await stack.gql(citizen.token, APPLICATION, {"id": application["id"]}))["application"]["order"]["id"]
    launched = (await stack.gql(citizen.token, PAY, {"o": order_id, "k": str(uuid.uuid4()), "m": "QR"}))["payOrder"]
    out_trade_no = launched["order"]["outTradeNo"]
    # ...when the department refuses it: nothing was paid, the order closes
    await _refuse(stack, officer, application["id"])
    assert (await stack.gql(citizen.token, ORDER, {"id": order_id}))["order"]["status"] == "closed"
    # When the citizen pays all the same, and Alipay's notification arrives
    await stack.control("/sandbox/pay", {"out_trade_no": out_trade_no})
    assert (await stack.control("/sandbox/deliver", {"out_trade_no": out_trade_no}))["sent"] == 1
    # Then the money is credited and sent straight back: nobody refunds by hand
    order = (await stack.gql(citizen.token, ORDER, {"id": order_id}))["order"]
    assert (order["status"], order["refunded"]) == ("refunded", "470.00")
    assert sorted((r["kind"], r["total"]) for r in order["receipts"] if r["kind"] == "red") == [
        ("red", "-110.00"),
        ("red", "-360.00"),
    ]
    assert (await stack.trade(out_trade_no))["refunded"] == "470.00"
    why = "the payment came after the order was closed"
    assert sum(why in n["text"] for n in await stack.inbox(citizen.token)) == 2
    assert sum("付款时订单已关闭" in body for body in await sms_to(db, citizen.phone)) == 2


async def test_a_refund_by_finance_is_told_to_the_citizen(stack: Stack, db: Sessions, fresh_redis: Any) -> None:
    # Given a paid registration
    async with stack.client() as client:
        citizen = await factories.citizen(client, db)
        application = await factories.car_registration(client, citizen)
        finance = await staff_token(client, "finance")
    order_id = (await stack.gql(citizen.token, APPLICATION, {"id": application["id"]}))["application"]["order"]["id"]
    await stack.pay(citizen.token, order_id)
    # When finance refunds 100.00 of the vehicle tax
    refund = {
        "orderId": order_id,
        "departmentCode": "GZ-SWJ",
        "amount": "100.00",
        "reason": "多收车船税",
        "idempotencyKey": str(uuid.uuid4()),
    }
    assert (await stack.gql(finance, REFUND, {"i": refund}))["refund"]["errors"] == []
    # Then the citizen hears of it in the app and by SMS: how much, and by when it arrives
    arrives_by = _arrives_by()
    reference = application["reference"]
    notices = [n["text"] for n in await stack.inbox(citizen.token, "zh-CN") if "退回" in n["text"]]
    assert notices == [
        f"申请 {reference}（机动车注册登记）的 ¥100.00 已原路退回（支付宝）：部门办理退款。最迟 {arrives_by} 到账。"
    ]
    texts = await sms_to(db, citizen.phone)
    assert (
        texts[-1]
        == f"【一网通办】申请 {reference}（机动车注册登记）已退款 ¥100.00（部门办理退款），最迟 {arrives_by} 到账。"
    )


BUNDLE_FORM = """query($b: String) { applicationForm(bundleCode: $b) {
  fields { key type value required options { value } } materials { key required replaced } } }"""
SUBMIT = """mutation($i: SubmitApplicationInput!) { submitApplication(input: $i) {
  application { id reference order { id } items { id matter { code } } } errors { code message } } }"""
LINES = """query($id: ID!) { order(id: $id) { status refunded lines { amount refunded }
  receipts { departmentCode kind status total } } }"""


async def test_a_refused_bundle_item_gives_back_only_its_own_fee(stack: Stack, db: Sessions, fresh_redis: Any) -> None:
    # Given the home-purchase bundle, paid: the transfer's 80.00 + 10.00 and the mortgage's 80.00,
    # all to the natural resources bureau
    async with stack.client() as client:
        citizen = await factories.citizen(client, db)
        form = (await stack.gql(citizen.token, BUNDLE_FORM, {"b": "LE-0004"}))["applicationForm"]
        needed = [m["key"] for m in form["materials"] if m["required"] and not m["replaced"]]
        scans = {key: (await upload(client, citizen.token))["id"] for key in needed}
        officer = await staff_token(client, "officer.gz-ghzyj")
    submit = {"bundleCode": "LE-0004", "values": fill_required(form, {}), "materials": scans}
    payload = (await stack.gql(citizen.token, SUBMIT, {"i": submit}))["submitApplication"]
    assert payload["errors"] == [], payload
    bundle = payload["application"]
    await stack.pay(citizen.token, bundle["order"]["id"])
    mortgage = next(i["id"] for i in bundle["items"] if i["matter"]["code"] == "GZ-GHZYJ-0003")
    # When the bureau refuses the mortgage registration
    # (it waits for the certificate the transfer issues: until then it can only be refused)
    await _refuse(stack, officer, mortgage, accept_first=False)
    # Then exactly its 80.00 goes back: the transfer's fees stay paid
    order = (await stack.gql(citizen.token, LINES, {"id": bundle["order"]["id"]}))["order"]
    assert (order["status"], order["refunded"]) == ("paid", "80.00")
    assert [(x["amount"], x["refunded"]) for x in order["lines"]] == [
        ("80.00", "0.00"),
        ("10.00", "0.00"),
        ("80.00", "80.00"),
    ]
    assert sorted((r["kind"], r["status"], r["total"]) for r in order["receipts"]) == [
        ("normal", "partially_reversed", "170.00"),
        ("red", "valid", "-80.00"),
    ]
    refunds = [n["text"] for n in await stack.inbox(citizen.token) if "is refunded" in n["text"]]
    assert len(refunds) == 1 and refunds[0].startswith(f"¥80.00 of application {bundle['reference']} (")
    assert any("已退款 ¥80.00（申请未获批准）" in body for body in await sms_to(db, citizen.phone))
