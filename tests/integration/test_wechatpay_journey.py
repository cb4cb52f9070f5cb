"""Journeys through the real server with WeChat Pay: a citizen pays an application's fees inside WeChat
(JSAPI), finance refunds part, the refund notification books it, the receipts and the ledger agree; and a
bill paid twice, once through each channel, whose second payment goes back by itself."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from sqlalchemy import select

from payments import ledger
from payments import tables as pt
from payments.jobs import reconcile
from tests.support import factories
from tests.support.identity import staff_token
from tests.support.payments import Sessions, Stack

WECHAT = "wechatpay"
APPLICATION = "query($id: ID!) { application(id: $id) { id order { id } } }"
PROCESS = """mutation($i: ProcessApplicationInput!) { processApplication(input: $i) {
  application { id status } errors { code field message } } }"""
ORDER = """query($id: ID!) { order(id: $id) { status channel total refunded receipts { departmentCode kind
  total } } }"""
REFUND = """mutation($i: RefundInput!) { refund(input: $i) { refund { amount } errors { code message } } }"""


async def _accepted_car_registration(stack: Stack, db: Sessions) -> tuple[factories.Citizen, str]:
    """A citizen's car registration accepted, its 470.00 of fees (GZ-GA 110.00, GZ-SWJ 360.00) to pay."""
    async with stack.client() as client:
        citizen = await factories.citizen(client, db)
        application = await factories.car_registration(client, citizen)
        officer = await staff_token(client, "officer.gz-ga")
    step = {"applicationId": application["id"], "action": "ACCEPT"}
    assert (await stack.gql(officer, PROCESS, {"i": step}))["processApplication"]["errors"] == []
    order_id = (await stack.gql(citizen.token, APPLICATION, {"id": application["id"]}))["application"]["order"]["id"]
    return citizen, order_id


async def _balances(db: Sessions, *accounts: str) -> dict[str, int]:
    async with db() as session:
        return {account: await ledger.balance(session, account) for account in accounts}


async def test_paid_inside_wechat_refunded_in_part_and_the_books_agree(stack: Stack, db: Sessions) -> None:
    citizen, order_id = await _accepted_car_registration(stack, db)
    # The citizen pays inside WeChat (JSAPI); WeChat's notification credits the order
    out_trade_no = await stack.pay(citizen.token, order_id, WECHAT)
    order = (await stack.gql(citizen.token, ORDER, {"id": order_id}))["order"]
    assert (order["status"], order["channel"], order["total"]) == ("paid", "wechatpay", "470.00")
    assert sorted((r["departmentCode"], r["kind"]) for r in order["receipts"]) == [
        ("GZ-GA", "normal"),
        ("GZ-SWJ", "normal"),
    ]
    # Finance refunds 60.00 of the vehicle tax: WeChat accepts it and processes it
    async with stack.client() as client:
        finance = await staff_token(client, "finance")
    refund = {
        "orderId": order_id,
        "departmentCode": "GZ-SWJ",
        "amount": "60.00",
        "reason": "车船税按月计算多收",
        "idempotencyKey": str(uuid.uuid4()),
    }
    asked = (await stack.gql(finance, REFUND, {"i": refund}))["refund"]
    assert [e["code"] for e in asked["errors"]] == ["REFUND_PROCESSING"]
    assert list((await stack.trade(out_trade_no, WECHAT))["refunds"].values()) == ["PROCESSING"]
    # WeChat's REFUND.SUCCESS notification books it: the red receipt, the order's refunded total, the ledger
    assert (await stack.control("/sandbox/deliver", {}, WECHAT))["sent"] == 1
    order = (await stack.gql(citizen.token, ORDER, {"id": order_id}))["order"]
    assert order["refunded"] == "60.00"
    reds = [r for r in order["receipts"] if r["kind"] == "red"]
    assert [(r["departmentCode"], r["total"]) for r in reds] == [("GZ-SWJ", "-60.00")]
    # receipts issued minus reversed = what the citizen paid less what came back
    assert sum(Decimal(r["total"]) for r in order["receipts"]) == Decimal("410.00")
    async with db() as session:
        booked = (
            await session.execute(
                select(pt.refunds.c.status, pt.refunds.c.channel_refunded_at).where(pt.refunds.c.order_id == order_id)
            )
        ).one()
        assert (await ledger.check(session)).ok
    assert booked.status == "done" and booked.channel_refunded_at is not None
    assert await _balances(db, "channel:wechatpay", "dept:GZ-SWJ", "fees:wechatpay") == {
        "channel:wechatpay": 47000 - 6000,
        "dept:GZ-SWJ": -(36000 - 6000),
        "fees:wechatpay": 0,  # the fee is posted from the bill, by reconciliation
    }
    # The sandbox's trade agrees: 60.00 refunded; the citizen is told it goes back to WeChat Pay
    assert (await stack.trade(out_trade_no, WECHAT))["refunded"] == "60.00"
    notices = [n["text"] for n in await stack.inbox(citizen.token)]
    assert any("¥60.00" in text and "where you paid from (WeChat Pay)" in text for text in notices), notices


async def test_a_bill_paid_through_both_channels_refunds_the_second_payment(stack: Stack, db: Sessions) -> None:
    citizen, order_id = await _accepted_car_registration(stack, db)
    # The citizen launched both channels and paid both
    alipay = await stack.launch(citizen.token, order_id, "alipay")
    wechat = await stack.launch(citizen.token, order_id, WECHAT)
    assert alipay["errors"] == [] and wechat["errors"] == []
    out_trade_no = alipay["order"]["outTradeNo"]
    await stack.control("/sandbox/pay", {"out_trade_no": out_trade_no})
    await stack.control("/sandbox/pay", {"out_trade_no": out_trade_no}, WECHAT)
    assert (await stack.control("/sandbox/deliver", {}))["sent"] == 1
    assert (await stack.control("/sandbox/deliver", {}, WECHAT))["sent"] == 1
    # The first credits the order; the second is held in suspense and refunded through WeChat Pay
    async with db() as session:
        outcomes = (
            await session.execute(
                select(pt.channel_notifications.c.channel, pt.channel_notifications.c.outcome)
                .where(pt.channel_notifications.c.out_trade_no == out_trade_no)
                .order_by(pt.channel_notifications.c.id)
            )
        ).all()
        held = (await session.execute(select(pt.duplicate_payments))).one()
    assert [tuple(o) for o in outcomes] == [("alipay", "credited"), ("wechatpay", "second_payment")]
    assert (held.channel, held.amount_fen, held.status) == ("wechatpay", 47000, "refunding")
    assert held.out_request_no == f"dup-wechatpay-{held.channel_trade_no}"
    trade = await stack.trade(out_trade_no, WECHAT)
    assert trade["refunds"] == {held.out_request_no: "PROCESSING"}
    assert await _balances(db, "suspense") == {"suspense": -47000}
    # WeChat confirms the refund: booked, suspense back to zero, and the citizen is told why
    await stack.control("/sandbox/deliver", {}, WECHAT)
    async with db() as session:
        status = (await session.execute(select(pt.duplicate_payments.c.status))).scalar_one()
        assert (await ledger.check(session)).ok
    assert status == "refunded"
    assert await _balances(db, "suspense", "channel:wechatpay") == {"suspense": 0, "channel:wechatpay": 0}
    assert (await stack.trade(out_trade_no, WECHAT))["refunded"] == "470.00"
    order = (await stack.gql(citizen.token, ORDER, {"id": order_id}))["order"]
    assert (order["status"], order["channel"], order["refunded"]) == ("paid", "alipay", "0.00")
    notices = [n["text"] for n in await stack.inbox(citizen.token)]
    assert any("(WeChat Pay): the order was paid twice" in text and "470.00" in text for text in notices), notices


async def _refused_after_paying_with_wechat(stack: Stack, db: Sessions) -> tuple[factories.Citizen, str, str]:
    """A car registration paid with WeChat Pay, then refused: its 470.00 is asked back of WeChat at once."""
    citizen, order_id = await _accepted_car_registration(stack, db)
    out_trade_no = await stack.pay(citizen.token, order_id, WECHAT)
    application_id = await _application_of(db, order_id)
    async with stack.client() as client:
        officer = await staff_token(client, "officer.gz-ga")
    step = {"applicationId": application_id, "action": "REJECT", "reason": "购车发票与合格证信息不一致"}
    assert (await stack.gql(officer, PROCESS, {"i": step}))["processApplication"]["errors"] == []
    return citizen, order_id, out_trade_no


async def _application_of(db: Sessions, order_id: str) -> str:
    async with db() as session:
        found = (
            await session.execute(select(pt.payment_orders.c.application_id).where(pt.payment_orders.c.id == order_id))
        ).scalar_one()
    assert found is not None
    return str(found)


async def _refund_states(db: Sessions, order_id: str) -> list[str]:
    async with db() as session:
        rows = await session.execute(select(pt.refunds.c.status).where(pt.refunds.c.order_id == order_id))
        return sorted(rows.scalars())


async def test_a_refusals_refund_whose_notification_is_lost_is_booked_by_the_reconciling_job(
    stack: Stack, db: Sessions
) -> None:
    citizen, order_id, out_trade_no = await _refused_after_paying_with_wechat(stack, db)
    # WeChat accepted both departments' refunds (PROCESSING): nothing is booked yet
    assert await _refund_states(db, order_id) == ["pending", "pending"]
    # WeChat finishes them, but its notifications never arrive
    await stack.control("/sandbox/faults", {"faults": ["drop", "drop"]}, WECHAT)
    assert (await stack.control("/sandbox/deliver", {}, WECHAT))["sent"] == 2
    assert await _refund_states(db, order_id) == ["pending", "pending"]
    # The reconciling job asks WeChat again (the same request numbers) and books them
    counts = await reconcile(db, stack.deps, datetime.now(UTC) + timedelta(minutes=1))
    assert counts["refunds_booked"] == 2
    assert await _refund_states(db, order_id) == ["done", "done"]
    order = (await stack.gql(citizen.token, ORDER, {"id": order_id}))["order"]
    assert (order["status"], order["refunded"]) == ("refunded", "470.00")
    assert (await stack.trade(out_trade_no, WECHAT))["refunded"] == "470.00"
    async with db() as session:
        assert (await ledger.check(session)).ok


async def test_an_abnormal_refund_is_not_final_and_stays_pending(stack: Stack, db: Sessions) -> None:
    _, order_id, _ = await _refused_after_paying_with_wechat(stack, db)
    await stack.control("/sandbox/refund-outcomes", {"outcomes": ["ABNORMAL", "ABNORMAL"]}, WECHAT)
    assert (await stack.control("/sandbox/deliver", {}, WECHAT))["sent"] == 2
    async with db() as session:
        outcomes = (
            await session.execute(
                select(pt.channel_notifications.c.outcome).where(pt.channel_notifications.c.channel == WECHAT)
            )
        ).scalars()
        assert sorted(outcomes) == ["credited", "ignored:ABNORMAL", "ignored:ABNORMAL"]
    # Neither the notification nor the job's question books it: WeChat says it is not done
    await reconcile(db, stack.deps, datetime.now(UTC) + timedelta(minutes=1))
    assert await _refund_states(db, order_id) == ["pending", "pending"]
