"""Finance reconciles a day through the real server: citizens paid through the Alipay sandbox, one was
refunded, and the channel's bill holds a planted 长款 and 短款; finance sees exactly those two breaks,
in their language, with amounts in yuan. Also: the daily job, the CLI's exit codes, the export's table."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, time, timedelta

import httpx
import pytest
from sqlalchemy import select

from payments import tables as pt
from payments.finance.exportable import ExportRequest
from payments.jobs import reconcile_due_bills
from payments.reconciliation import export
from payments.reconciliation.days import BEIJING, today
from tests.support import factories
from tests.support.payments import Sessions, Stack

REFUND = """mutation($i: RefundInput!) { refund(input: $i) { refund { outRequestNo } errors { code message } } }"""
RECONCILE = """mutation($d: Date!) { reconcileDay(day: $d, channel: ALIPAY) {
  runs { verdict verdictLabel matched pending settled breaks billPayments billRefunds billFees booksPayments
         booksRefunds feesPosted continuity { openBefore opened closed openAfter holds } } errors { code } } }"""
BREAKS = """query($d: Date!) { reconciliationBreaks(first: 10, filter: {day: $d, status: OPEN, channel: ALIPAY}) {
  items { kind kindLabel reference channelAmount platformAmount priority priorityLabel status statusLabel
          channelLabel } pageInfo { hasNextPage } } }"""
RUNS = "query($d: Date!) { reconciliationRuns(first: 5, day: $d) { verdict breaks startedBy } }"


async def _paying_citizen(stack: Stack, db: Sessions, client: httpx.AsyncClient, skip: int) -> tuple[str, str, str]:
    """A citizen who paid an order through payOrder and the sandbox: (token, order id, out_trade_no)."""
    citizen = await factories.citizen(client, db, skip=skip)
    order = await factories.order(db, citizen.id)
    return citizen.token, order.id, await stack.pay(citizen.token, order.id)


async def test_finance_reconciles_a_day_and_sees_exactly_the_planted_long_and_short(stack: Stack, db: Sessions) -> None:
    # Given two citizens who paid through the Alipay sandbox, and a part refund finance made
    async with httpx.AsyncClient(base_url=stack.backend, timeout=30) as client:
        first_token, first_order, _ = await _paying_citizen(stack, db, client, 0)
        _, _, second = await _paying_citizen(stack, db, client, 1)
        finance = await factories.staff(client, "finance")
    refund = {
        "orderId": first_order,
        "departmentCode": "GZ-GA",
        "amount": "10.00",
        "reason": "多收",
        "idempotencyKey": str(uuid.uuid4()),
    }
    assert (await stack.gql(finance, REFUND, {"i": refund}))["refund"]["errors"] == []
    async with db() as session:  # booked with the channel's own refund time (its bill's day), not left unknown
        booked = (await session.execute(select(pt.refunds.c.created_at, pt.refunds.c.channel_refunded_at))).one()
    assert booked.channel_refunded_at is not None
    assert abs(booked.channel_refunded_at - booked.created_at) < timedelta(seconds=5)
    # and a bill with a payment nobody here knows (长款) that leaves out the second citizen's (短款)
    day = today()
    planted = {"day": day.isoformat(), "extra": [{"out_trade_no": "ELSEWHERE-0001", "amount": "66.00"}]}
    await stack.control("/sandbox/bill-faults", planted | {"omit": [second]})
    await stack.control("/sandbox/clock", {"seconds": 2 * 86400})  # the day's bill is out
    # When finance reconciles the day (in Simplified Chinese)
    answer = (await stack.gql(finance, RECONCILE, {"d": day.isoformat()}, "zh-Hans"))["reconcileDay"]
    # Then the run's verdict says breaks remain, with the bill's and the books' totals in yuan
    assert answer["errors"] == []
    [run] = answer["runs"]
    assert run == {
        "verdict": "breaks",
        "verdictLabel": "有待处理的差异",
        "matched": 2,  # the first payment and its refund
        "pending": 0,
        "settled": 0,
        "breaks": 2,
        "billPayments": "536.00",  # 470.00 + the stranger's 66.00
        "billRefunds": "-10.00",
        "billFees": "3.22",  # 0.6% of each payment in the bill, as Alipay's fee column says
        "booksPayments": "940.00",
        "booksRefunds": "-10.00",
        "feesPosted": "2.82",  # the first citizen's payment only: the others are breaks
        "continuity": {"openBefore": 0, "opened": 2, "closed": 0, "openAfter": 2, "holds": True},
    }
    # And exactly the two planted differences are breaks, labelled in the reader's language
    page = (await stack.gql(finance, BREAKS, {"d": day.isoformat()}, "zh-Hans"))["reconciliationBreaks"]
    assert sorted(page["items"], key=lambda b: b["kind"]) == [
        {
            "kind": "channel_only",
            "kindLabel": "长款：渠道对账单有、平台账簿无",
            "reference": "ELSEWHERE-0001",
            "channelAmount": "66.00",
            "platformAmount": None,
            "priority": "P3",
            "priorityLabel": "P3 一般",
            "status": "NEW",
            "statusLabel": "新发现",
            "channelLabel": "支付宝",
        },
        {
            "kind": "platform_only",
            "kindLabel": "短款：平台账簿有、渠道对账单无",
            "reference": second,
            "channelAmount": None,
            "platformAmount": "470.00",
            "priority": "P1",
            "priorityLabel": "P1 紧急",
            "status": "NEW",
            "statusLabel": "新发现",
            "channelLabel": "支付宝",
        },
    ]
    runs = (await stack.gql(finance, RUNS, {"d": day.isoformat()}))["reconciliationRuns"]
    assert [(r["verdict"], r["breaks"]) for r in runs] == [("breaks", 2)]
    # A citizen may not look
    async with httpx.AsyncClient(base_url=stack.backend, timeout=30) as client:
        refused = await client.post(
            "/graphql",
            json={"query": BREAKS, "variables": {"d": day.isoformat()}},
            headers={"authorization": f"Bearer {first_token}"},
        )
    assert refused.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    # And the export's table has the run's totals and both breaks
    async with db() as session:
        table = await export.build(session, ExportRequest(kind="reconciliation", day_from=day, day_to=day))
        rows = [row async for batch in table.rows for row in batch]
    assert [(r[0], r[5] if r[0] == "Break" else None, r[6]) for r in rows] == [
        ("Run totals", None, 52600),
        ("Break", second, None),
        ("Break", "ELSEWHERE-0001", 6600),
    ]


async def test_the_daily_job_reconciles_each_channel_once_its_bill_is_out(stack: Stack, db: Sessions) -> None:
    # Given the day after today, at 11:00 Beijing time, when the bills of today are out
    for channel in ("alipay", "wechatpay"):
        await stack.control("/sandbox/clock", {"seconds": 2 * 86400}, channel)
    later = datetime.combine(today() + timedelta(days=1), time(11), BEIJING).astimezone(UTC)
    # When the job runs twice
    made = await reconcile_due_bills(db, stack.deps, later)
    again = await reconcile_due_bills(db, stack.deps, later)
    # Then every channel's bill of today was reconciled once
    assert sorted((r.channel, r.day, r.verdict) for r in made) == [
        ("alipay", today(), "reconciled"),
        ("wechatpay", today(), "reconciled"),
    ]
    assert again == []


def test_the_reconcile_command_exits_2_on_a_bill_not_out_and_1_on_a_day_still_to_come(
    stack: Stack, catalog_database: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from click.testing import CliRunner

    from backend.cli import main as cli
    from backend.settings import get_settings

    monkeypatch.setenv("ONEWINDOW_DATABASE_URL", catalog_database)
    monkeypatch.setenv("ONEWINDOW_SECRET_KEY", "test-secret-shared-by-every-instance-0123456789")
    monkeypatch.setenv("ONEWINDOW_ALIPAY_SANDBOX_PORT", stack.sandbox_url.rsplit(":", 1)[1])
    monkeypatch.setenv("ONEWINDOW_DATA_DIR", str(stack.data_dir))  # the sandbox's keys
    monkeypatch.setenv("LANG", "en_US.UTF-8")
    get_settings.cache_clear()
    try:
        day = today().isoformat()
        not_out = CliRunner().invoke(cli, ["finance", "reconcile", "--day", day])
        assert not_out.exit_code == 2, not_out.output
        assert f"The channel has no bill for {day} yet" in not_out.output
        alias = CliRunner().invoke(cli, ["payments", "bill-check", "--day", day])
        assert alias.exit_code == 2, alias.output
        tomorrow = (today() + timedelta(days=1)).isoformat()
        future = CliRunner().invoke(cli, ["finance", "reconcile", "--day", tomorrow])
        assert future.exit_code == 1
        assert f"{tomorrow} is still to come in Beijing: there is no bill for it yet." in future.output
        listed = CliRunner().invoke(cli, ["finance", "breaks", "--day", day])
        assert listed.exit_code == 0 and listed.output == ""
    finally:
        get_settings.cache_clear()
