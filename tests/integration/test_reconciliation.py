"""Reconciliation's rules, each on SQLite and PostgreSQL: fees from the bill posted once, refunds on the
channel's time across midnight, a lost notification settled by asking again, a break's life
(new -> persisting -> settled) with its audit and the continuity of open breaks, a day still to come,
a day whose bill is not out."""

from __future__ import annotations

from datetime import date, timedelta

import httpx
import pytest

from backend.errors import DomainError
from payments.channels.base import BillRow, PaymentRequest
from payments.orders import get_order
from payments.reconciliation.days import today as beijing_today
from tests.support import factories
from tests.support.closing import TOTALS
from tests.support.payments import Sessions, Stack
from tests.support.recon import (
    audit_actions,
    beijing,
    booked_refund,
    breaks_of,
    fee_entries,
    fees,
    ledger_ok,
    paid_order,
    payment_row,
    reconcile,
    runs_of,
    scripted,
)

DAY = date(2026, 3, 2)


async def _citizen(stack: Stack, db: Sessions, skip: int = 0) -> str:
    async with httpx.AsyncClient(base_url=stack.backend, timeout=30) as client:
        return (await factories.citizen(client, db, skip=skip)).id


async def test_fees_come_from_the_bills_fee_column_posted_once_however_often_a_day_is_run(
    stack: Stack, db: Sessions
) -> None:
    # Given an order paid on DAY: crediting it booked no fee (no rate is guessed)
    deps, channel = scripted(stack.deps)
    order = await paid_order(db, deps, await _citizen(stack, db), beijing(DAY, 11))
    assert await fees(db, order.out_trade_no) == []
    # When the day's bill says the channel took 2.95 on it, and the day is run twice
    channel.bills[DAY] = [payment_row(order, 295, beijing(DAY, 11))]
    first = await reconcile(db, deps, DAY)
    again = await reconcile(db, deps, DAY)
    # Then the fee is the bill's, posted once (fees:alipay debit), and the second run posted nothing
    assert await fees(db, order.out_trade_no) == [295]
    assert (first.verdict, first.counts["fees_posted"], first.totals["fees_posted_fen"]) == ("reconciled", 1, 295)
    assert (again.verdict, again.counts["fees_posted"], again.counts["matched"]) == ("reconciled", 0, 1)
    assert first.totals["bill_fees_fen"] == 295 and first.totals["books_payments_fen"] == 47000
    assert await ledger_ok(db)
    # And a bill that later states another fee is a fee difference (P4), never a second posting
    channel.bills[DAY] = [payment_row(order, 300, beijing(DAY, 11))]
    changed = await reconcile(db, deps, DAY)
    assert await fees(db, order.out_trade_no) == [295]
    found = await breaks_of(db, DAY)
    assert [(b.kind, b.priority, b.channel_fen, b.platform_fen) for b in found] == [("fee_difference", "P4", 300, 295)]
    assert changed.verdict == "breaks"


async def test_a_runs_fees_are_one_ledger_entry_of_their_sum_each_payments_fee_kept_beside_it(
    stack: Stack, db: Sessions
) -> None:
    # Given two orders paid on DAY whose bill says the channel took 2.95 and 1.20
    deps, channel = scripted(stack.deps)
    citizen = await _citizen(stack, db)
    first_order = await paid_order(db, deps, citizen, beijing(DAY, 10))
    second_order = await paid_order(db, deps, citizen, beijing(DAY, 11))
    channel.bills[DAY] = [
        payment_row(first_order, 295, beijing(DAY, 10)),
        payment_row(second_order, 120, beijing(DAY, 11)),
    ]
    # When the day is run, and run again
    run = await reconcile(db, deps, DAY)
    await reconcile(db, deps, DAY)
    # Then the ledger has one fee entry, of the run, for 4.15 (fees:alipay debit, channel:alipay credit),
    # and each payment's own fee is kept in the fee sub-ledger, naming that entry
    assert await fee_entries(db) == [
        (
            f"fee:alipay:{DAY.isoformat()}:{run.id}",
            {"fees:alipay": 415, "channel:alipay": -415},
            {first_order.out_trade_no, second_order.out_trade_no},
        )
    ]
    assert (await fees(db, first_order.out_trade_no), await fees(db, second_order.out_trade_no)) == ([295], [120])
    assert (run.counts["fees_posted"], run.totals["fees_posted_fen"]) == (2, 415)
    assert await ledger_ok(db)


async def test_closing_spreads_each_payments_fee_over_its_departments_in_the_day_its_fee_entry_was_posted(
    stack: Stack, db: Sessions
) -> None:
    # Given a car registration paid on DAY (110.00 to the police, 360.00 to the tax service) whose bill
    # says the channel took 2.95, reconciled today (the fee entry is today's: the period follows the entry)
    deps, channel = scripted(stack.deps)
    order = await paid_order(db, deps, await _citizen(stack, db), beijing(DAY, 10))
    channel.bills[DAY] = [payment_row(order, 295, beijing(DAY, 10))]
    await reconcile(db, deps, DAY)
    # When finance read today's department totals through the server
    finance = await _finance(stack)
    totals = (await stack.gql(finance, TOTALS, {"d": beijing_today().isoformat()}))["departmentDayTotals"]
    # Then the payment's fee is spread over its departments by their lines (110/470 and 360/470 of 2.95)
    fees = {x["departmentCode"]: x["fees"] for x in totals if x["fees"] != "0.00"}
    assert fees == {"GZ-GA": "0.69", "GZ-SWJ": "2.25"}


async def test_a_refund_is_matched_on_the_channels_time_not_on_when_we_booked_it(stack: Stack, db: Sessions) -> None:
    # Given an order paid on DAY and two refunds booked at 23:59:59: the channel did the first at 00:00:01 the
    # day after (and said so), and did not say when it did the second (it did it after midnight too)
    deps, channel = scripted(stack.deps)
    order = await paid_order(db, deps, await _citizen(stack, db), beijing(DAY, 9))
    late = beijing(DAY, 23, 59, 59)
    next_day = DAY + timedelta(days=1)
    said = await booked_refund(db, order, 1000, late, beijing(next_day, 0, 0, 1))
    unsaid = await booked_refund(db, order, 500, late, None)
    channel.bills[DAY] = [payment_row(order, 282, beijing(DAY, 9))]
    channel.bills[next_day] = [
        BillRow(
            kind="refund",
            trade_no="T" + order.out_trade_no,
            out_trade_no=order.out_trade_no,
            request_no=request_no,
            amount_fen=-amount,
            fee_fen=0,
            at=beijing(next_day, 0, 0, 1),
        )
        for request_no, amount in ((said, 1000), (unsaid, 500))
    ]
    # When both days are run
    that_day = await reconcile(db, deps, DAY)
    day_after = await reconcile(db, deps, next_day)
    # Then the refund the channel dated is the next day's, matched there; the undated one is pending on DAY
    # (the neighbouring bill lists it) and on the next day: no false pair of breaks, no break at all
    assert await breaks_of(db, DAY) == [] and await breaks_of(db, next_day) == []
    assert (that_day.verdict, that_day.counts["matched"], that_day.counts["pending"]) == ("reconciled", 1, 1)
    assert (day_after.verdict, day_after.counts["matched"], day_after.counts["pending"]) == ("reconciled", 1, 1)
    assert day_after.totals["bill_refunds_fen"] == -1500 and day_after.totals["books_refunds_fen"] == -1000


async def test_a_lost_notification_is_credited_by_asking_the_channel_not_shown_as_a_break(
    stack: Stack, db: Sessions
) -> None:
    # Given a citizen who paid at the channel, whose notification never arrived (the order is open here)
    order = await factories.order(db, await _citizen(stack, db))
    await stack.deps.channels["alipay"].launch(
        PaymentRequest(
            out_trade_no=order.out_trade_no, total_fen=47000, subject="s", method="qr", notify_url="http://x"
        )
    )
    await stack.control("/sandbox/pay", {"out_trade_no": order.out_trade_no})
    await stack.control("/sandbox/clock", {"seconds": 2 * 86400})  # the day's bill is out
    today = beijing_today()
    # When the day is reconciled with the sandbox's real bill
    run = await reconcile(db, stack.deps, today)
    # Then the 长款 was settled by asking the channel: the order is credited, its fee posted from the bill
    assert run.verdict == "reconciled" and run.counts["settled"] == 1 and run.counts["breaks"] == 0
    assert await breaks_of(db, today) == []
    assert await fees(db, order.out_trade_no) == [282]
    async with db() as session:
        credited = await get_order(session, order.id)
    assert credited is not None and credited.status == "paid"


async def test_a_break_lives_new_then_persisting_then_settled_with_its_audit_and_the_open_count_adding_up(
    stack: Stack, db: Sessions
) -> None:
    deps, channel = scripted(stack.deps)
    paid = await paid_order(db, deps, await _citizen(stack, db), beijing(DAY, 10))
    stranger = BillRow(
        kind="payment", trade_no="2026X", out_trade_no="NOT-OURS-1", request_no=None, amount_fen=8800, fee_fen=53
    )
    # Given a bill listing a payment we never heard of (长款) and leaving out one we booked (短款)
    channel.bills[DAY] = [stranger]
    first = await reconcile(db, deps, DAY)
    found = {b.kind: b for b in await breaks_of(db, DAY)}
    # Then both are new breaks: the 短款 (asked about again: the channel has no such trade) is P1
    assert {k: (b.reference, b.status, b.priority) for k, b in found.items()} == {
        "channel_only": ("NOT-OURS-1", "new", "P3"),
        "platform_only": (paid.out_trade_no, "new", "P1"),
    }
    assert first.verdict == "breaks" and first.counts["breaks_by_kind"] == {"channel_only": 1, "platform_only": 1}
    assert first.counts["continuity"] == {"open_before": 0, "opened": 2, "closed": 0, "open_after": 2, "holds": True}
    # When a later run finds them again, they persist
    second = await reconcile(db, deps, DAY)
    assert {b.status for b in await breaks_of(db, DAY)} == {"persisting"}
    assert second.counts["continuity"] == {"open_before": 2, "opened": 0, "closed": 0, "open_after": 2, "holds": True}
    # And once the channel's corrected bill lists our payment and not the stranger, both are settled by the run
    channel.bills[DAY] = [payment_row(paid, 282, beijing(DAY, 10))]
    third = await reconcile(db, deps, DAY, actor="job:reconcile")
    assert {(b.status, b.resolution, b.resolved_by) for b in await breaks_of(db, DAY)} == {
        ("resolved", "settled", "job:reconcile")
    }
    assert third.verdict == "reconciled"
    assert third.counts["continuity"] == {"open_before": 2, "opened": 0, "closed": 2, "open_after": 0, "holds": True}
    assert (
        await audit_actions(db, DAY)
        == [("detected", "job:reconcile")] * 2
        + [("persisting", "job:reconcile")] * 2
        + [("settled", "job:reconcile")] * 2
    )


async def test_a_day_still_to_come_is_refused_without_asking_the_channel(stack: Stack, db: Sessions) -> None:
    deps, channel = scripted(stack.deps)
    tomorrow = beijing_today() + timedelta(days=1)
    with pytest.raises(DomainError) as refused:
        await reconcile(db, deps, tomorrow)
    assert refused.value.code == "DAY_IN_FUTURE"
    assert channel.downloads == [] and await runs_of(db, tomorrow) == 0
    # Finance staff read why, in their language
    finance = await _finance(stack)
    answer = (await stack.gql(finance, RECONCILE, {"d": tomorrow.isoformat()}, "zh-Hans"))["reconcileDay"]
    assert answer["runs"] == []
    assert answer["errors"] == [
        {"code": "DAY_IN_FUTURE", "message": f"北京时间 {tomorrow.isoformat()} 尚未到来，还没有对账单。"}
    ]


async def test_a_day_whose_bill_is_not_out_is_an_incomplete_run_never_zero_matched(stack: Stack, db: Sessions) -> None:
    # Given today's bill, which Alipay (the sandbox) does not have before 10:00 tomorrow
    today = beijing_today()
    finance = await _finance(stack)
    # When finance staff reconcile today
    answer = (await stack.gql(finance, RECONCILE, {"d": today.isoformat()}, "zh-Hans"))["reconcileDay"]
    # Then the run is incomplete with a reason they understand, and no count pretends it was compared
    assert answer["errors"] == []
    assert sorted(run["channel"] for run in answer["runs"]) == ["alipay", "wechatpay"]  # neither has it
    for run in answer["runs"]:
        assert run["verdict"] == "incomplete" and run["verdictLabel"] == "未完成"
        assert run["reason"] == f"渠道尚未生成 {today.isoformat()} 的对账单，通常次日 10:00 后可下载，请稍后再试。"
        assert run["matched"] == 0 and run["billRows"] == 0 and run["continuity"] is None


RECONCILE = """mutation($d: Date!) { reconcileDay(day: $d) {
  runs { channel verdict verdictLabel reason matched billRows continuity { holds } } errors { code message } } }"""


async def _finance(stack: Stack) -> str:
    async with httpx.AsyncClient(base_url=stack.backend, timeout=30) as client:
        return await factories.staff(client, "finance")
