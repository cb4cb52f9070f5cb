"""Closing's rules on the in-process app, on SQLite and PostgreSQL: resolving a reconciliation
difference (with who and why; a write-off needs a second person), closing a day only once its bills are
reconciled (never a future day, never twice), the signed record checked again, the period cut by the
ledger's insertion order, clearing to departments once, and the four totals of a department's day."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import msgspec
from sqlalchemy import select

from payments import ledger
from payments import tables as pt
from payments.closing import days, exports
from payments.closing.books import day_figures
from payments.closing.period import beijing_today, day_start
from payments.finance.exportable import ExportRequest
from payments.orders import LineSpec
from tests.support import factories
from tests.support.closing import (
    APPROVE,
    AUDIT,
    CLEAR,
    CLOSE,
    INSTRUCTIONS,
    RESOLVE,
    TOTALS,
    VERIFY,
    Sessions,
    planted_break,
    run_of,
    runs_of_every_channel,
)
from tests.support.gql import Client, run

# A fee of one department no other payment of these tests touches (民政局's), for the planted 短款
MARRIAGE = (
    LineSpec(
        department_code="GZ-MZJ",
        fiscal_code="102001",
        item_code="MZJ-CERT",
        amount_fen=900,
        name={"zh-Hans": "婚姻登记证工本费", "zh-Hant": "婚姻登記證工本費", "en": "Marriage certificate fee"},
    ),
)


def _channels(api: Client) -> list[str]:
    return sorted(api.app.state.resources.payments.channels)  # type: ignore[union-attr]


async def _paid(
    api: Client, db: Sessions, lines: tuple[LineSpec, ...] = factories.TWO_DEPARTMENTS, skip: int = 0
) -> Any:
    citizen = await factories.citizen(api, db, skip=skip)
    unpaid = await factories.order(db, citizen.id, lines)
    return await factories.payment(db, api.app.state.resources.payments, unpaid, trade_no=f"2026{unpaid.id[:8]}")  # type: ignore[union-attr]


async def _balance(db: Sessions, account: str) -> int:
    async with db() as session:
        return await ledger.balance(session, account)


async def test_a_write_off_needs_a_note_and_a_second_finance_person_and_posts_to_the_write_off_account(
    api: Client, db: Sessions
) -> None:
    # Given a day whose run found a 短款: 9.00 the books hold for a marriage certificate fee the bill lacks
    today = beijing_today()
    paid = await _paid(api, db, MARRIAGE)
    run_id = await run_of(db, "alipay", today, "breaks")
    short = await planted_break(db, run_id, "alipay", today, "platform_only", paid.out_trade_no, platform_fen=900)
    finance, admin = await factories.staff(api, "finance"), await factories.staff(api, "admin")
    # When finance proposes writing it off without saying why, they are asked for a note (in their language)
    answer = (await run(api, finance, RESOLVE, {"id": short, "r": "WRITE_OFF", "n": " "}, "zh-Hans"))["resolveBreak"]
    assert [(e["code"], e["field"]) for e in answer["errors"]] == [("NOTE_REQUIRED", "note")]
    assert "说明" in answer["errors"][0]["message"]
    # With a note it waits for a second person: nothing is posted yet
    note = "渠道确认该笔未成功扣款，无法追回"
    proposed = (await run(api, finance, RESOLVE, {"id": short, "r": "WRITE_OFF", "n": note}))["resolveBreak"]
    assert proposed["errors"] == [] and proposed["difference"]["awaitingApproval"] is True
    assert proposed["difference"]["status"] == "Write-off awaiting a second approval"
    assert await _balance(db, "writeoff:alipay") == 0
    # The proposer cannot approve their own write-off, nor resolve it another way meanwhile
    own = (await run(api, finance, APPROVE, {"id": short}))["approveWriteOff"]
    assert [e["code"] for e in own["errors"]] == ["OWN_WRITE_OFF"]
    other = (await run(api, admin, RESOLVE, {"id": short, "r": "ACCEPTED", "n": "看错了"}))["resolveBreak"]
    assert [e["code"] for e in other["errors"]] == ["WRITE_OFF_PENDING"]
    # A second finance person approves: resolved, and 9.00 moves from the channel to the write-off expense
    approved = (await run(api, admin, APPROVE, {"id": short}))["approveWriteOff"]
    assert approved["errors"] == [] and approved["difference"]["resolution"] == "Written off"
    assert approved["difference"]["resolvedBy"] == "platform admin"
    assert await _balance(db, "writeoff:alipay") == 900
    # Resolving it again is a clear error: a resolution is final
    again = (await run(api, admin, RESOLVE, {"id": short, "r": "ACCEPTED", "n": "再看"}, "zh-Hant"))["resolveBreak"]
    assert [e["code"] for e in again["errors"]] == ["BREAK_ALREADY_RESOLVED"]
    assert "已處理" in again["errors"][0]["message"]
    # The audit trail says who did what, and why, in words
    trail = (await run(api, finance, AUDIT, {"d": today.isoformat(), "f": 10}))["financeAudit"]["items"]
    assert [(x["actor"], x["action"], x["note"], x["channel"]) for x in trail] == [
        ("finance staff", "Write-off proposed", note, "Alipay"),
        ("platform admin", "Write-off approved", note, "Alipay"),
    ]


async def test_only_a_long_payment_is_credited_or_refunded_and_only_a_short_one_written_off(
    api: Client, db: Sessions
) -> None:
    today = beijing_today()
    run_id = await run_of(db, "alipay", today, "breaks")
    short = await planted_break(db, run_id, "alipay", today, "platform_only", "OW-NOT-ON-THE-BILL", platform_fen=500)
    long = await planted_break(db, run_id, "alipay", today, "channel_only", "OW-NOT-IN-THE-BOOKS", channel_fen=700)
    finance = await factories.staff(api, "finance")
    credit = (await run(api, finance, RESOLVE, {"id": short, "r": "CREDIT", "n": "补记"}))["resolveBreak"]
    assert [e["code"] for e in credit["errors"]] == ["RESOLUTION_NOT_APPLICABLE"]
    write_off = (await run(api, finance, RESOLVE, {"id": long, "r": "WRITE_OFF", "n": "核销"}))["resolveBreak"]
    assert [e["code"] for e in write_off["errors"]] == ["RESOLUTION_NOT_APPLICABLE"]
    # A 长款 no order explains cannot be credited: it is refunded instead
    unknown = (await run(api, finance, RESOLVE, {"id": long, "r": "CREDIT", "n": "补记"}))["resolveBreak"]
    assert [e["code"] for e in unknown["errors"]] == ["RESOLUTION_NOT_APPLICABLE"]
    assert "refund the payment instead" in unknown["errors"][0]["message"]


async def test_a_day_closes_only_when_reconciled_never_in_the_future_and_never_twice(api: Client, db: Sessions) -> None:
    today = beijing_today()
    finance = await factories.staff(api, "finance")
    # A future day
    future = (await run(api, finance, CLOSE, {"d": (today + timedelta(days=1)).isoformat()}, "zh-Hans"))["closeDay"]
    assert [e["code"] for e in future["errors"]] == ["FUTURE_DAY"]
    assert "尚未到来" in future["errors"][0]["message"]
    # A day whose bills were never reconciled says which channel's
    never = (await run(api, finance, CLOSE, {"d": today.isoformat()}))["closeDay"]
    assert [e["code"] for e in never["errors"]] == ["DAY_WITHOUT_RUNS"]
    assert "Alipay" in never["errors"][0]["message"]
    # A day with an open difference lists it
    await _paid(api, db)
    runs = await runs_of_every_channel(db, [c for c in _channels(api) if c != "alipay"], today)
    run_id = await run_of(db, "alipay", today, "breaks")
    accepted = await planted_break(
        db, run_id, "alipay", today, "channel_only", "OW-PAID-TWICE-AT-THE-COUNTER", channel_fen=100
    )
    still_open = (await run(api, finance, CLOSE, {"d": today.isoformat()}))["closeDay"]
    assert [e["code"] for e in still_open["errors"]] == ["DAY_HAS_OPEN_BREAKS"]
    assert "1 difference(s) of Alipay still open (OW-PAID-TWICE-AT-THE-COUNTER)" in still_open["errors"][0]["message"]
    # Accepted with a note, the day closes, and its record is signed
    assert (await run(api, finance, RESOLVE, {"id": accepted, "r": "ACCEPTED", "n": "柜台重复收款已线下退还"}))[
        "resolveBreak"
    ]["errors"] == []
    closed = (await run(api, finance, CLOSE, {"d": today.isoformat()}))["closeDay"]
    assert closed["errors"] == [] and closed["closedDay"]["ledgerCut"] > 0
    record = closed["closedDay"]["file"]["record"]
    assert record["channels"]["alipay"]["runs"][-1]["id"] == run_id and len(runs) == len(_channels(api)) - 1
    assert [b["resolution"] for b in record["breaks"]] == ["accepted"]
    # A second close is refused
    twice = (await run(api, finance, CLOSE, {"d": today.isoformat()}))["closeDay"]
    assert [e["code"] for e in twice["errors"]] == ["DAY_ALREADY_CLOSED"]
    verified = (await run(api, finance, VERIFY, {"d": today.isoformat()}))["verifyClosedDay"]
    assert verified["valid"] is True and verified["recomputedSha256"] == closed["closedDay"]["recordSha256"]


async def test_entries_written_after_the_cut_belong_to_the_next_open_day_and_the_record_still_verifies(
    api: Client, db: Sessions
) -> None:
    # Given today closed with one payment in it
    today = beijing_today()
    await _paid(api, db)
    await runs_of_every_channel(db, _channels(api), today)
    finance = await factories.staff(api, "finance")
    assert (await run(api, finance, CLOSE, {"d": today.isoformat()}))["closeDay"]["errors"] == []
    before = (await run(api, finance, TOTALS, {"d": today.isoformat(), "c": "GZ-GA"}))["departmentDayTotals"]
    # When another payment is credited after the close (its timestamp is still today)
    await _paid(api, db, skip=1)
    # Then the closed day's books, totals and record do not change; the payment is the next day's
    after = (await run(api, finance, TOTALS, {"d": today.isoformat(), "c": "GZ-GA"}))["departmentDayTotals"]
    assert after[0]["collected"] == before[0]["collected"] == "110.00"
    assert (await run(api, finance, VERIFY, {"d": today.isoformat()}))["verifyClosedDay"]["valid"] is True
    async with db() as session:
        tomorrow = await day_figures(session, today + timedelta(days=1), _channels(api))
        closed = await day_figures(session, today, _channels(api))
    assert tomorrow.figures[("GZ-GA", "alipay")].collected_fen == 11000
    assert closed.figures[("GZ-GA", "alipay")].collected_fen == 11000


async def test_a_record_altered_in_the_database_no_longer_verifies(api: Client, db: Sessions) -> None:
    today = beijing_today()
    await _paid(api, db)
    await runs_of_every_channel(db, _channels(api), today)
    finance = await factories.staff(api, "finance")
    assert (await run(api, finance, CLOSE, {"d": today.isoformat()}))["closeDay"]["errors"] == []
    async with db() as session, session.begin():
        # Someone moves the cut back by one entry: the books of the day no longer give the signed record
        await session.execute(pt.closed_days.update().values(last_entry_id=pt.closed_days.c.last_entry_id - 1))
    verified = (await run(api, finance, VERIFY, {"d": today.isoformat()}, "zh-Hans"))["verifyClosedDay"]
    assert verified["valid"] is False and verified["signatureValid"] is True
    assert "关账后" in verified["verdict"]


async def test_clearing_issues_one_instruction_per_department_and_fee_item_once_and_settles_the_balance(
    api: Client, db: Sessions
) -> None:
    today = beijing_today()
    await _paid(api, db)
    await runs_of_every_channel(db, _channels(api), today)
    finance = await factories.staff(api, "finance")
    not_closed = (await run(api, finance, CLEAR, {"d": today.isoformat()}))["issueClearing"]
    assert [e["code"] for e in not_closed["errors"]] == ["DAY_NOT_CLOSED"]
    assert (await run(api, finance, CLOSE, {"d": today.isoformat()}))["closeDay"]["errors"] == []
    assert await _balance(db, "dept:GZ-GA") == -11000  # owed to the police
    issued = (await run(api, finance, CLEAR, {"d": today.isoformat()}, "zh-Hans"))["issueClearing"]
    assert issued["errors"] == []
    assert [(x["departmentCode"], x["itemCode"], x["amount"]) for x in issued["instructions"]] == [
        ("GZ-GA", "GA-PLATE", "110.00"),
        ("GZ-SWJ", "SWJ-TAX", "360.00"),
    ]
    assert issued["instructions"][0]["departmentName"] == "广州市公安局"
    assert await _balance(db, "dept:GZ-GA") == 0 and await _balance(db, "bank:clearing") == -47000
    # Issuing again issues nothing more
    again = (await run(api, finance, CLEAR, {"d": today.isoformat()}))["issueClearing"]
    assert len(again["instructions"]) == 2 and await _balance(db, "bank:clearing") == -47000
    async with db() as session:
        entries = (
            await session.execute(select(pt.journal_entries.c.id).where(pt.journal_entries.c.kind == "clearing"))
        ).all()
    assert len(entries) == 2
    # An officer reads their own department's instructions, not another's
    officer = await factories.staff(api, "officer.gz-ga")
    own = (await run(api, officer, INSTRUCTIONS, {"d": today.isoformat(), "c": "GZ-GA"}))["clearingInstructions"]
    assert [x["amount"] for x in own] == ["110.00"]
    assert own[0]["state"] == "Settled: paid to the department, no longer owed to it"
    totals = (await run(api, officer, TOTALS, {"d": today.isoformat(), "c": "GZ-GA"}))["departmentDayTotals"]
    assert totals[0]["agree"] is True and totals[0]["clearing"] == "110.00" and totals[0]["bill"] == "110.00"
    # Both export as tables of numbers (fen) and days, one row per instruction and per department
    request = ExportRequest(kind="clearing", day_from=today, day_to=today, department_code="GZ-SWJ")
    async with db() as session:
        cleared = await exports.clearing_table(session, request)
        rows = [row async for batch in cleared.rows for row in batch]
        summed = await exports.department_totals_table(
            session, msgspec.structs.replace(request, kind="department_totals")
        )
        sums = [row async for batch in summed.rows for row in batch]
    assert [row[:6] for row in rows] == [[today, "GZ-SWJ", "120001", "SWJ-TAX", "车船税", 36000]]
    assert [len(cleared.columns), len(summed.columns)] == [len(rows[0]), len(sums[0])]
    # no fee yet: fees are posted from the channel's bill, by reconciliation
    assert sums == [[today, "GZ-SWJ", 36000, 36000, 0, 0, 36000, 36000, 0, 36000, exports.ALL_AGREE]]


async def test_two_approvals_or_two_closes_at_once_one_wins(api: Client, db: Sessions) -> None:
    today = beijing_today()
    paid = await _paid(api, db, MARRIAGE)
    run_id = await run_of(db, "alipay", today, "breaks")
    await runs_of_every_channel(db, [c for c in _channels(api) if c != "alipay"], today)
    short = await planted_break(db, run_id, "alipay", today, "platform_only", paid.out_trade_no, platform_fen=900)
    finance, admin = await factories.staff(api, "finance"), await factories.staff(api, "admin")
    assert (await run(api, finance, RESOLVE, {"id": short, "r": "WRITE_OFF", "n": "无法追回"}))["resolveBreak"][
        "errors"
    ] == []
    approvals = await asyncio.gather(*(run(api, admin, APPROVE, {"id": short}) for _ in range(2)))
    codes = sorted(str([e["code"] for e in a["approveWriteOff"]["errors"]]) for a in approvals)
    assert codes == ["['BREAK_ALREADY_RESOLVED']", "[]"]
    assert await _balance(db, "writeoff:alipay") == 900
    closes = await asyncio.gather(*(run(api, finance, CLOSE, {"d": today.isoformat()}) for _ in range(2)))
    codes = sorted(str([e["code"] for e in c["closeDay"]["errors"]]) for c in closes)
    assert codes == ["['DAY_ALREADY_CLOSED']", "[]"]
    async with db() as session:
        assert (await days.get_closed_day(session, today)) is not None


async def _dated_yesterday(db: Sessions, order_id: str) -> None:
    """The order's journal entries as if written yesterday (Beijing) at noon."""
    noon = day_start(beijing_today() - timedelta(days=1)) + timedelta(hours=12)
    async with db() as session, session.begin():
        await session.execute(
            pt.journal_entries.update().where(pt.journal_entries.c.order_id == order_id).values(at=noon)
        )


async def test_an_entry_dated_on_a_closed_day_but_written_after_its_close_belongs_to_the_next_open_day(
    api: Client, db: Sessions
) -> None:
    # Given yesterday closed with one payment of yesterday in it
    yesterday = beijing_today() - timedelta(days=1)
    await _dated_yesterday(db, (await _paid(api, db)).id)
    await runs_of_every_channel(db, _channels(api), yesterday)
    finance = await factories.staff(api, "finance")
    assert (await run(api, finance, CLOSE, {"d": yesterday.isoformat()}))["closeDay"]["errors"] == []
    # When an entry dated yesterday is written after the close (a late booking)
    await _dated_yesterday(db, (await _paid(api, db, skip=1)).id)
    # Then yesterday keeps its one payment and still verifies; today, the first open day after it, has the late one
    closed = (await run(api, finance, TOTALS, {"d": yesterday.isoformat(), "c": "GZ-GA"}))["departmentDayTotals"]
    assert closed[0]["collected"] == "110.00"
    today = (await run(api, finance, TOTALS, {"d": beijing_today().isoformat(), "c": "GZ-GA"}))["departmentDayTotals"]
    assert today[0]["collected"] == "110.00"
    assert (await run(api, finance, VERIFY, {"d": yesterday.isoformat()}))["verifyClosedDay"]["valid"] is True
