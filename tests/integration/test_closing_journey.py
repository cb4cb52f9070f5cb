"""Finance closes a day through the real server, as finance staff would: citizens pay through the
Alipay sandbox; the day's run (written by the test's factory until the reconciling job is merged) found
a 长款 (paid at the channel, never notified) and a 短款 (booked, never on the bill). Finance credits the
first from the channel's answer, writes the second off with a second person's approval, closes the
day, issues the clearing, reads the four totals agreeing, and an auditor re-checks the signed record
with only the exported file and the public key. A late refund posts in the next open day and the closed
day still verifies."""

from __future__ import annotations

import json
import uuid
from datetime import timedelta
from pathlib import Path

from payments import ledger
from payments.closing.period import beijing_today
from payments.orders import LineSpec
from tests.support import factories
from tests.support.closing import (
    APPROVE,
    CLEAR,
    CLOSE,
    CLOSED,
    RESOLVE,
    TOTALS,
    VERIFY,
    Sessions,
    auditor_accepts,
    planted_break,
    run_of,
    runs_of_every_channel,
)
from tests.support.payments import PAY, Stack

REFUND = """mutation($i: RefundInput!) { refund(input: $i) { refund { amount } errors { code message } } }"""
MARRIAGE = (
    LineSpec(
        department_code="GZ-MZJ",
        fiscal_code="102001",
        item_code="MZJ-CERT",
        amount_fen=900,
        name={"zh-Hans": "婚姻登记证工本费", "zh-Hant": "婚姻登記證工本費", "en": "Marriage certificate fee"},
    ),
)


async def _paid_at_the_channel_only(stack: Stack, token: str, order_id: str) -> str:
    """The citizen pays at the sandbox, and its notification never reaches us (a 长款)."""
    launched = (await stack.gql(token, PAY, {"o": order_id, "k": str(uuid.uuid4()), "m": "QR"}))["payOrder"]
    assert launched["errors"] == [], launched
    out_trade_no: str = launched["order"]["outTradeNo"]
    await stack.control("/sandbox/pay", {"out_trade_no": out_trade_no})
    return out_trade_no


async def _balance(db: Sessions, account: str) -> int:
    async with db() as session:
        return await ledger.balance(session, account)


async def test_finance_resolves_closes_clears_and_an_auditor_rechecks_the_signed_day(
    stack: Stack, db: Sessions, tmp_path: Path
) -> None:
    today = beijing_today()
    async with stack.client() as client:
        payer = await factories.citizen(client, db)
        late_payer = await factories.citizen(client, db, skip=1)
        finance = await factories.staff(client, "finance")
        second = await factories.staff(client, "admin")
    # Citizens pay: one notified as usual, one paid at the channel whose notification never came
    first = await factories.order(db, payer.id)
    await stack.pay(payer.token, first.id)
    missed = await factories.order(db, late_payer.id)
    long_trade = await _paid_at_the_channel_only(stack, late_payer.token, missed.id)
    # and a marriage certificate fee the books credited that the channel's bill (as the run read it) does not have
    booked_only = await factories.order(db, payer.id, MARRIAGE)
    await stack.pay(payer.token, booked_only.id)
    # The day's run of Alipay's bill found both; the other channels' runs are clean
    run_id = await run_of(db, "alipay", today, "breaks")
    await runs_of_every_channel(db, [c for c in stack.deps.channels if c != "alipay"], today)
    long = await planted_break(db, run_id, "alipay", today, "channel_only", long_trade, channel_fen=47000)
    short = await planted_break(
        db, run_id, "alipay", today, "platform_only", booked_only.out_trade_no, platform_fen=900
    )

    # Finance credits the 长款 from the channel's answer
    credited = await stack.gql(finance, RESOLVE, {"id": long, "r": "CREDIT", "n": "渠道已扣款，通知丢失"})
    assert credited["resolveBreak"]["errors"] == []
    assert credited["resolveBreak"]["difference"]["resolution"] == "Credited from the channel's answer"
    assert await _balance(db, "dept:GZ-GA") == -22000  # both plate fees owed to the police
    # and writes the 短款 off, approved by a second person
    proposal = {"id": short, "r": "WRITE_OFF", "n": "渠道确认未扣款，已联系缴款人线下补缴"}
    assert (await stack.gql(finance, RESOLVE, proposal))["resolveBreak"]["errors"] == []
    assert (await stack.gql(second, APPROVE, {"id": short}))["approveWriteOff"]["errors"] == []
    assert await _balance(db, "writeoff:alipay") == 900

    # The day closes, signed; the clearing is issued
    closed = (await stack.gql(finance, CLOSE, {"d": today.isoformat()}))["closeDay"]
    assert closed["errors"] == [], closed
    cleared = (await stack.gql(finance, CLEAR, {"d": today.isoformat()}, "zh-Hans"))["issueClearing"]
    assert sorted((x["departmentCode"], x["amount"]) for x in cleared["instructions"]) == [
        ("GZ-GA", "220.00"),
        ("GZ-MZJ", "9.00"),
        ("GZ-SWJ", "720.00"),
    ]
    assert {x["state"] for x in cleared["instructions"]} == {"已结清：已付给部门，不再欠付"}
    assert await _balance(db, "dept:GZ-GA") == 0  # settled: nothing owed to the police any more

    # The four totals agree for the police; the written-off 9.00 is explained, in words
    police = (await stack.gql(finance, TOTALS, {"d": today.isoformat(), "c": "GZ-GA"}))["departmentDayTotals"]
    assert police[0]["departmentName"] == "Guangzhou Municipal Public Security Bureau"
    assert (police[0]["bill"], police[0]["net"], police[0]["receiptsNet"], police[0]["clearing"]) == (
        "220.00",
        "220.00",
        "220.00",
        "220.00",
    )
    assert police[0]["agree"] is True
    civil = await stack.gql(finance, TOTALS, {"d": today.isoformat(), "c": "GZ-MZJ"}, "zh-Hans")
    civil_day = civil["departmentDayTotals"][0]
    assert (civil_day["bill"], civil_day["net"], civil_day["clearing"]) == ("0.00", "9.00", "9.00")
    assert civil_day["differences"] == [
        {
            "between": "渠道账单与账簿",
            "amount": "-9.00",
            "explanations": [{"text": "已处理的差错：已核销、已确认，或在处理当日更正", "amount": "-9.00"}],
        }
    ]

    # An auditor checks the exported record with only the file and the platform's public key
    record = (await stack.gql(finance, CLOSED, {"d": today.isoformat()}))["closedDay"]["file"]
    path = tmp_path / f"closed-day-{today.isoformat()}.json"
    path.write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
    async with stack.client() as client:
        pem = (await client.get("/receipts/key")).content
    assert auditor_accepts(path, pem)
    tampered = json.loads(path.read_text(encoding="utf-8"))
    tampered["record"]["departments"][0]["collected_fen"] += 100
    path.write_text(json.dumps(tampered, ensure_ascii=False), encoding="utf-8")
    assert not auditor_accepts(path, pem)

    # A late correction: finance refunds 60.00 of the tax after closing; it posts in the next open day
    refund = {
        "orderId": first.id,
        "departmentCode": "GZ-SWJ",
        "amount": "60.00",
        "reason": "车船税按月计算多收",
        "idempotencyKey": str(uuid.uuid4()),
    }
    assert (await stack.gql(finance, REFUND, {"i": refund}))["refund"]["errors"] == []
    tax_today = (await stack.gql(finance, TOTALS, {"d": today.isoformat(), "c": "GZ-SWJ"}))["departmentDayTotals"]
    assert (tax_today[0]["refunded"], tax_today[0]["agree"]) == ("0.00", True)
    tomorrow = (today + timedelta(days=1)).isoformat()
    tax_next = (await stack.gql(finance, TOTALS, {"d": tomorrow, "c": "GZ-SWJ"}))["departmentDayTotals"]
    assert (tax_next[0]["collected"], tax_next[0]["refunded"], tax_next[0]["net"]) == ("0.00", "60.00", "-60.00")
    verified = (await stack.gql(finance, VERIFY, {"d": today.isoformat()}))["verifyClosedDay"]
    assert verified["valid"] is True, verified


async def test_a_long_payment_nobody_owes_is_refunded_to_the_payer_once(stack: Stack, db: Sessions) -> None:
    # Given a payment the channel took for an order the citizen has since abandoned, never notified
    today = beijing_today()
    async with stack.client() as client:
        payer = await factories.citizen(client, db)
        finance = await factories.staff(client, "finance")
    unwanted = await factories.order(db, payer.id, MARRIAGE)
    trade = await _paid_at_the_channel_only(stack, payer.token, unwanted.id)
    run_id = await run_of(db, "alipay", today, "breaks")
    long = await planted_break(db, run_id, "alipay", today, "channel_only", trade, channel_fen=900)
    # When finance refunds it, saying why
    refunded = await stack.gql(finance, RESOLVE, {"id": long, "r": "REFUND", "n": "申请已撤回，款项退回"})
    assert refunded["resolveBreak"]["errors"] == []
    assert refunded["resolveBreak"]["difference"]["resolution"] == "Refunded to the payer"
    # Then the channel gave the 9.00 back, and the books held it in suspense only on the way
    assert (await stack.trade(trade))["refunded"] == "9.00"
    assert await _balance(db, "suspense") == 0 and await _balance(db, "channel:alipay") == 0
    again = (await stack.gql(finance, RESOLVE, {"id": long, "r": "REFUND", "n": "再退"}))["resolveBreak"]
    assert [e["code"] for e in again["errors"]] == ["BREAK_ALREADY_RESOLVED"]
    assert (await stack.trade(trade))["refunded"] == "9.00"
