"""Finance closes a day, walked through the real server and both channels' sandboxes (issue 18's "done
when"): citizens pay with Alipay and with WeChat Pay, finance refunds part of each, each channel's bill
carries a planted 长款 (a payment nobody here booked) and 短款 (a payment we credited that the bill
leaves out); the reconciling run finds exactly those, finance resolves them (the 长款 accepted with a
note, the 短款 written off with a second person's approval), closes the day, exports it, and an
auditor re-checks the signed record with only the file and the platform's public key."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

from payments import ledger
from payments.closing.period import beijing_today
from tests.support import factories
from tests.support.closing import APPROVE, CLEAR, CLOSE, CLOSED, RESOLVE, VERIFY, Sessions, auditor_accepts
from tests.support.payments import Stack
from tests.support.views import download, read_csv

REFUND = """mutation($i: RefundInput!) { refund(input: $i) { refund { amount } errors { code message } } }"""
RECONCILE = """mutation($d: Date!) { reconcileDay(day: $d) { runs { channel verdict matched breaks }
  errors { code message } } }"""
OPEN_BREAKS = """query($d: Date!) { reconciliationBreaks(first: 20, filter: {day: $d, status: OPEN}) {
  items { id channel kind kindLabel reference channelAmount platformAmount } } }"""
EXPORT = """mutation($i: ExportFinanceInput!) { exportFinance(input: $i) { export { url } errors { code message } } }"""
CHANNELS = ("alipay", "wechatpay")


async def _refund(stack: Stack, finance: str, order_id: str) -> list[str]:
    """Finance gives back 60.00 of the vehicle tax; the error codes of the answer."""
    refund = {
        "orderId": order_id,
        "departmentCode": "GZ-SWJ",
        "amount": "60.00",
        "reason": "车船税按月计算多收",
        "idempotencyKey": str(uuid.uuid4()),
    }
    return [e["code"] for e in (await stack.gql(finance, REFUND, {"i": refund}))["refund"]["errors"]]


async def test_finance_reconciles_resolves_closes_exports_and_an_auditor_rechecks_both_channels_day(
    stack: Stack, db: Sessions, tmp_path: Path
) -> None:
    today = beijing_today()
    day = today.isoformat()
    async with stack.client() as client:
        payers = [await factories.citizen(client, db, skip=i) for i in range(4)]
        finance = await factories.staff(client, "finance")
        checker = await factories.staff(client, "admin")
    # Two citizens pay with each channel (470.00 each: 110.00 to the police, 360.00 of vehicle tax)
    kept: dict[str, str] = {}
    left_out: dict[str, str] = {}
    for i, channel in enumerate(CHANNELS):
        first = await factories.order(db, payers[2 * i].id)
        second = await factories.order(db, payers[2 * i + 1].id)
        kept[channel] = await stack.pay(payers[2 * i].token, first.id, channel)
        left_out[channel] = await stack.pay(payers[2 * i + 1].token, second.id, channel)
        # Finance refunds 60.00 of the first: Alipay at once, WeChat Pay once its notification confirms it
        codes = await _refund(stack, finance, first.id)
        if channel == "wechatpay":
            assert codes == ["REFUND_PROCESSING"]
            assert (await stack.control("/sandbox/deliver", {}, channel))["sent"] == 1
        else:
            assert codes == []
    async with db() as session:
        assert (await ledger.check(session)).ok
        assert await ledger.balance(session, "channel:wechatpay") == 2 * 47000 - 6000

    # Each channel's bill of the day: a payment nobody booked (长款), and the second citizen's left out (短款)
    for channel in CHANNELS:
        planted = {"day": day, "omit": [left_out[channel]], "extra": [{"out_trade_no": f"ELSEWHERE-{channel}"}]}
        planted["extra"][0] |= {"amount": "66.00", "kind": "payment"}
        await stack.control("/sandbox/bill-faults", planted, channel)
        await stack.control("/sandbox/clock", {"seconds": 2 * 86400}, channel)  # the day's bill is out

    # Finance reconciles the day: each channel's run finds exactly the two planted differences
    answer = (await stack.gql(finance, RECONCILE, {"d": day}))["reconcileDay"]
    assert answer["errors"] == [], answer
    runs = {run["channel"]: run for run in answer["runs"]}
    assert {c: (r["verdict"], r["breaks"], r["matched"]) for c, r in runs.items()} == {
        "alipay": ("breaks", 2, 2),  # the first payment and its refund matched
        "wechatpay": ("breaks", 2, 2),
    }
    found = (await stack.gql(finance, OPEN_BREAKS, {"d": day}, "zh-Hans"))["reconciliationBreaks"]["items"]
    assert sorted(
        (b["channel"], b["kind"], b["reference"], b["channelAmount"], b["platformAmount"]) for b in found
    ) == [
        ("alipay", "channel_only", "ELSEWHERE-alipay", "66.00", None),
        ("alipay", "platform_only", left_out["alipay"], None, "470.00"),
        ("wechatpay", "channel_only", "ELSEWHERE-wechatpay", "66.00", None),
        ("wechatpay", "platform_only", left_out["wechatpay"], None, "470.00"),
    ]
    assert all(b["kindLabel"].startswith(("长款", "短款")) for b in found)

    # The day cannot close while anything is open
    refused = (await stack.gql(finance, CLOSE, {"d": day}))["closeDay"]
    assert [e["code"] for e in refused["errors"]] == ["DAY_HAS_OPEN_BREAKS"]

    # Finance resolves them: each 长款 accepted with a note, each 短款 written off, approved by someone else
    for item in found:
        if item["kind"] == "channel_only":
            note = "非本平台订单，渠道确认后原路退回"
            resolved = await stack.gql(finance, RESOLVE, {"id": item["id"], "r": "ACCEPTED", "n": note})
            assert resolved["resolveBreak"]["errors"] == [], resolved
            continue
        note = "渠道确认未扣款，已联系缴款人线下补缴"
        proposed = await stack.gql(finance, RESOLVE, {"id": item["id"], "r": "WRITE_OFF", "n": note})
        assert proposed["resolveBreak"]["errors"] == [], proposed
        own = (await stack.gql(finance, APPROVE, {"id": item["id"]}))["approveWriteOff"]
        assert [e["code"] for e in own["errors"]] == ["OWN_WRITE_OFF"]
        assert (await stack.gql(checker, APPROVE, {"id": item["id"]}))["approveWriteOff"]["errors"] == []
    async with db() as session:
        assert await ledger.balance(session, "writeoff:alipay") == 47000
        assert await ledger.balance(session, "writeoff:wechatpay") == 47000
        assert (await ledger.check(session)).ok

    # The day closes, signed, and the clearing to departments is issued
    closed = (await stack.gql(finance, CLOSE, {"d": day}))["closeDay"]
    assert closed["errors"] == [], closed
    cleared = (await stack.gql(finance, CLEAR, {"d": day}))["issueClearing"]
    assert cleared["errors"] == []
    assert sorted((x["departmentCode"], x["amount"]) for x in cleared["instructions"]) == [
        ("GZ-GA", "440.00"),  # four payments' police fees
        ("GZ-SWJ", "1320.00"),  # four payments' tax, less two refunds of 60.00
    ]

    # Finance exports the day's payments (CSV for Excel) and its reconciliation (xlsx)
    exported = {"kind": "PAYMENTS", "dayFrom": day, "dayTo": day, "format": "CSV"}
    made = (await stack.gql(finance, EXPORT, {"i": exported}, "zh-CN"))["exportFinance"]
    assert made["errors"] == [], made
    rows = read_csv((await download(made["export"]["url"])).content, "utf-8-sig")
    listed = "\n".join(",".join(row) for row in rows[1:])
    assert all(number in listed for number in [*kept.values(), *left_out.values()])
    exported = {"kind": "RECONCILIATION", "dayFrom": day, "dayTo": day, "format": "XLSX"}
    made = (await stack.gql(finance, EXPORT, {"i": exported}))["exportFinance"]
    assert made["errors"] == [], made
    workbook = await download(made["export"]["url"])
    assert workbook.status_code == 200 and workbook.content[:2] == b"PK"

    # An auditor re-checks the closed day with only the exported record and the platform's public key
    record = (await stack.gql(finance, CLOSED, {"d": day}))["closedDay"]["file"]
    path = tmp_path / f"closed-day-{day}.json"
    path.write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
    async with stack.client() as client:
        pem = (await client.get("/receipts/key")).content
    assert auditor_accepts(path, pem)
    assert (await stack.gql(finance, VERIFY, {"d": day}))["verifyClosedDay"]["valid"] is True
