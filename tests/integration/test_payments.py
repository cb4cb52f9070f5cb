"""Payments through the Alipay sandbox with the real SDK, over real HTTP both ways, on both databases.

The backend and the sandbox each run on a loopback port; the sandbox delivers notifications only when
a test asks (`/sandbox/deliver`), so nothing depends on timing.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest
import pytest_asyncio
from litestar.testing import AsyncTestClient
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from backend.app import create_app
from backend.db import tables as t
from backend.db.engine import unit_of_work
from payments import ledger
from payments import tables as pt
from payments.channels.base import ChannelError, Inbound, PaymentRequest
from payments.jobs import reconcile
from payments.orders import get_order
from payments.service import PaymentDeps, Payments
from standins.alipay.app import Sandbox, create_sandbox_app
from standins.alipay.keys import SandboxKeys
from standins.population.generate import DEMO_PHONE
from tests.conftest import make_settings
from tests.support import factories
from tests.support.gql import run
from tests.support.identity import http_login
from tests.support.live import listener, served
from tests.support.servers import RedisServer
from tests.support.statements import statements_run

Sessions = async_sessionmaker[AsyncSession]
PAY = """mutation($o: ID!, $k: String!, $m: PaymentMethod!) { payOrder(orderId: $o, idempotencyKey: $k, method: $m) {
  order { id outTradeNo status total } launch { method orderString payUrl qrCode } errors { code message } } }"""
ORDER = """query($id: ID!) { order(id: $id) { status total refunded paidAt
  lines { amount refunded department { code } } receipts { id billCode billNumber checkCode kind status total
  departmentCode verifyUrl pdfUrl } } }"""
REFUND = """mutation($i: RefundInput!) { refund(input: $i) {
  refund { amount outRequestNo reversal { kind status total } }
  order { status refunded receipts { departmentCode kind status } } errors { code field message } } }"""


class Stack:
    """The live backend and sandbox, and clients for them."""

    def __init__(self, backend: str, sandbox_url: str, deps: PaymentDeps, data_dir: Path) -> None:
        self.backend, self.sandbox_url, self.deps, self.data_dir = backend, sandbox_url, deps, data_dir

    async def gql(self, token: str, query: str, variables: dict[str, Any], locale: str = "en") -> dict[str, Any]:
        async with httpx.AsyncClient(base_url=self.backend, timeout=30) as client:
            return await run(client, token, query, variables, locale)

    async def control(self, path: str, data: dict[str, Any] | None = None) -> Any:
        async with httpx.AsyncClient(base_url=self.sandbox_url, timeout=30) as client:
            response = await client.post(path, json=data or {})
        assert response.status_code == 200, response.text
        return response.json()

    async def notify(self, params: dict[str, str]) -> str:
        async with httpx.AsyncClient(base_url=self.backend, timeout=30) as client:
            return (await client.post("/payments/alipay/notify", data=params)).text


@pytest.fixture
def stack(catalog_database: str, redis_server: RedisServer, tmp_path: Path) -> Iterator[Stack]:
    """The backend and the sandbox on this test's own database."""
    data_dir = tmp_path / "payments"
    keys = SandboxKeys(Path(data_dir) / "alipay-sandbox")
    sandbox_socket, sandbox_url = listener()
    backend_socket, backend_url = listener()
    box = Sandbox(keys, "2021000000000001", "2088000000000001", sandbox_url)
    with served(create_sandbox_app(box, auto_deliver=False), sandbox_socket):
        port = int(sandbox_url.rsplit(":", 1)[1])
        settings = make_settings(
            catalog_database, redis_server.url, data_dir, alipay_sandbox_port=port, public_url=backend_url
        )
        app = create_app(settings)
        with served(app, backend_socket):
            yield Stack(backend_url, sandbox_url, app.state.resources.payments, Path(data_dir))


@pytest_asyncio.fixture(autouse=True)
async def ledger_balanced_after(db: Sessions) -> AsyncIterator[None]:
    """Every test leaves the ledger balanced."""
    yield
    async with db() as session:
        report = await ledger.check(session)
    assert report.ok, report


async def _token(stack: Stack, db: Sessions, phone: str = DEMO_PHONE) -> str:
    return await http_login(stack.backend, db, phone)


async def _staff(stack: Stack, username: str) -> str:
    async with httpx.AsyncClient(base_url=stack.backend, timeout=30) as client:
        return await factories.staff(client, username)


async def _order(db: Sessions, phone: str = DEMO_PHONE) -> tuple[str, str]:
    """An order of two departments' fees for the demo citizen: (id, out_trade_no)."""
    async with db() as session:
        citizen = (await session.execute(select(t.citizens.c.id).where(t.citizens.c.phone == phone))).scalar_one()
    order = await factories.order(db, citizen)
    return order.id, order.out_trade_no


async def _launched(stack: Stack, db: Sessions) -> tuple[str, str]:
    """An order whose trade the channel has opened (as payOrder does), ready for the buyer to pay."""
    order_id, out_trade_no = await _order(db)
    request = PaymentRequest(
        out_trade_no=out_trade_no,
        total_fen=47000,
        subject="机动车注册登记",
        method="qr",
        notify_url=stack.deps.notify_url,
    )
    await stack.deps.channels["alipay"].launch(request)
    return order_id, out_trade_no


async def _entries(db: Sessions, order_id: str) -> list[str]:
    async with db() as session:
        rows = await session.execute(select(pt.journal_entries.c.kind).where(pt.journal_entries.c.order_id == order_id))
        return sorted(rows.scalars())


async def test_pay_with_the_real_sdk_then_one_credit_two_receipts_and_a_balanced_ledger(
    stack: Stack, db: Sessions, fresh_redis: Any
) -> None:
    token = await _token(stack, db)
    order_id, out_trade_no = await _order(db)
    key = str(uuid.uuid4())
    paid = (await stack.gql(token, PAY, {"o": order_id, "k": key, "m": "QR"}))["payOrder"]
    assert paid["errors"] == [] and paid["launch"]["qrCode"].endswith(f"/sandbox/qr/{out_trade_no}")
    # The same key answers the same launch; another request with it is refused
    again = (await stack.gql(token, PAY, {"o": order_id, "k": key, "m": "QR"}))["payOrder"]
    assert again["launch"] == paid["launch"]
    reused = (await stack.gql(token, PAY, {"o": order_id, "k": key, "m": "WAP"}))["payOrder"]
    assert reused["errors"][0]["message"] and reused["launch"] is None
    # The buyer pays at the sandbox; the notification is delivered and answered `success`
    await stack.control("/sandbox/pay", {"out_trade_no": out_trade_no})
    assert (await stack.control("/sandbox/deliver", {"out_trade_no": out_trade_no}))["sent"] == 1
    async with httpx.AsyncClient(base_url=stack.sandbox_url) as client:
        deliveries = [d for d in (await client.get("/sandbox/deliveries")).json() if d["out_trade_no"] == out_trade_no]
    assert deliveries[0]["answers"] == ["success"] and deliveries[0]["done"]
    order = (await stack.gql(token, ORDER, {"id": order_id}))["order"]
    assert order["status"] == "paid" and order["total"] == "470.00"
    assert sorted((r["departmentCode"], r["total"], r["kind"]) for r in order["receipts"]) == [
        ("GZ-GA", "110.00", "normal"),
        ("GZ-SWJ", "360.00", "normal"),
    ]
    assert all(
        len(r["billCode"]) == 8 and len(r["billNumber"]) == 10 and len(r["checkCode"]) == 6 for r in order["receipts"]
    )
    assert await _entries(db, order_id) == ["payment", "split"]
    async with db() as session:
        # on this test's own books: clearing passed everything on; the channel holds the total (its fee is
        # posted from its bill by reconciliation, never guessed at crediting)
        balances = {a: await ledger.balance(session, a) for a in ("clearing", "channel:alipay", "fees:alipay")}
        assert balances == {"clearing": 0, "channel:alipay": 47000, "fees:alipay": 0}
        split = (
            await session.execute(
                select(pt.postings.c.account, pt.postings.c.amount_fen)
                .join(pt.journal_entries)
                .where(pt.journal_entries.c.order_id == order_id, pt.journal_entries.c.kind == "split")
            )
        ).all()
    assert sorted(split) == [("clearing", 47000), ("dept:GZ-GA", -11000), ("dept:GZ-SWJ", -36000)]


async def test_a_notification_duplicated_ten_times_out_of_order_credits_once(
    stack: Stack, db: Sessions, fresh_redis: Any
) -> None:
    order_id, out_trade_no = await _launched(stack, db)
    await stack.control("/sandbox/pay", {"out_trade_no": out_trade_no})
    signed = await _signed(stack, out_trade_no)
    waiting = await _signed(stack, out_trade_no, trade_status="WAIT_BUYER_PAY")
    # Ten copies at once, and an older "waiting" notification arriving after them
    answers = await asyncio.gather(*(stack.notify(signed) for _ in range(10)))
    assert answers == ["success"] * 10
    assert await stack.notify(waiting) == "success"
    assert await _entries(db, order_id) == ["payment", "split"]
    async with db() as session:
        receipts = (
            await session.execute(
                select(func.count()).select_from(pt.receipts).where(pt.receipts.c.order_id == order_id)
            )
        ).scalar_one()
        outcomes = sorted(
            (
                await session.execute(
                    select(pt.channel_notifications.c.outcome).where(
                        pt.channel_notifications.c.out_trade_no == out_trade_no
                    )
                )
            ).scalars()
        )
    assert receipts == 2
    assert outcomes == ["credited"] + ["duplicate"] * 9 + ["ignored:WAIT_BUYER_PAY"]


async def test_one_batch_judges_each_notification_on_its_own(stack: Stack, db: Sessions, fresh_redis: Any) -> None:
    """What the group commit writes together: duplicates credit once, a bad one spoils nothing else."""
    (first, first_no), (second, second_no), (third, third_no) = [await _launched(stack, db) for _ in range(3)]
    for out_trade_no in (first_no, second_no, third_no):
        await stack.control("/sandbox/pay", {"out_trade_no": out_trade_no})
    genuine = await _signed(stack, first_no)
    tampered = {**await _signed(stack, second_no), "total_amount": "0.01"}
    wrong_amount = await _signed(stack, third_no, total_amount="4.70")
    batch = [genuine, tampered, genuine, wrong_amount, await _signed(stack, third_no), genuine]
    async with db() as session, unit_of_work(session):
        answers = await Payments(session, stack.deps).handle_notifications(
            [Inbound(urlencode(params).encode()) for params in batch]
        )
    assert answers == [
        (True, "credited"),
        (False, "rejected:signature"),
        (True, "duplicate"),
        (False, "rejected:amount"),
        (True, "credited"),
        (True, "duplicate"),
    ]
    assert await _entries(db, first) == ["payment", "split"]
    assert await _entries(db, second) == []
    assert await _entries(db, third) == ["payment", "split"]
    async with db() as session:
        receipts = (
            await session.execute(
                select(pt.receipts.c.order_id, func.count())
                .where(pt.receipts.c.order_id.in_([first, second, third]))
                .group_by(pt.receipts.c.order_id)
            )
        ).all()
    assert dict(receipts) == {first: 2, third: 2}


async def _signed(stack: Stack, out_trade_no: str, **changes: str) -> dict[str, str]:
    async with httpx.AsyncClient(base_url=stack.sandbox_url) as client:
        body = (
            await client.post("/sandbox/notification", json={"out_trade_no": out_trade_no, "changes": changes})
        ).json()
    signed: dict[str, str] = body
    return signed


async def test_a_tampered_or_wrong_amount_notification_changes_nothing_and_the_retry_credits(
    stack: Stack, db: Sessions, fresh_redis: Any
) -> None:
    order_id, out_trade_no = await _launched(stack, db)
    await stack.control("/sandbox/pay", {"out_trade_no": out_trade_no})
    # Tampered on the way: the signature no longer matches
    await stack.control("/sandbox/faults", {"faults": ["tamper"]})
    assert (await stack.control("/sandbox/deliver", {"out_trade_no": out_trade_no}))["sent"] == 1
    # Validly signed but for another amount (a merchant bug or a replayed order): refused too
    wrong = await _signed(stack, out_trade_no, total_amount="4.70")
    assert await stack.notify(wrong) == "fail"
    forged = {**(await _signed(stack, out_trade_no)), "seller_id": "2088999999999999"}
    assert await stack.notify(forged) == "fail"
    assert await _entries(db, order_id) == []
    async with db() as session:
        outcomes = sorted(
            (
                await session.execute(
                    select(pt.channel_notifications.c.outcome).where(
                        pt.channel_notifications.c.out_trade_no == out_trade_no
                    )
                )
            ).scalars()
        )
        status = (
            await session.execute(select(pt.payment_orders.c.status).where(pt.payment_orders.c.id == order_id))
        ).scalar_one()
    assert outcomes == ["rejected:amount", "rejected:signature", "rejected:signature"] and status == "open"
    # Alipay retries four minutes later with the genuine notification
    await stack.control("/sandbox/clock", {"seconds": 241})
    assert (await stack.control("/sandbox/deliver", {"out_trade_no": out_trade_no}))["sent"] == 1
    assert await _entries(db, order_id) == ["payment", "split"]


async def test_a_crash_after_crediting_before_answering_never_credits_twice(
    stack: Stack, db: Sessions, fresh_redis: Any
) -> None:
    order_id, out_trade_no = await _launched(stack, db)
    await stack.control("/sandbox/pay", {"out_trade_no": out_trade_no})
    # The credit commits, then the answer is lost (the process died before writing `success`)
    await stack.notify(await _signed(stack, out_trade_no))
    # Alipay never heard `success`: it delivers again, and again after a drop
    await stack.control("/sandbox/faults", {"faults": ["drop"]})
    await stack.control("/sandbox/deliver", {"out_trade_no": out_trade_no})
    await stack.control("/sandbox/clock", {"seconds": 241})
    await stack.control("/sandbox/deliver", {"out_trade_no": out_trade_no})
    async with httpx.AsyncClient(base_url=stack.sandbox_url) as client:
        delivery = next(
            d for d in (await client.get("/sandbox/deliveries")).json() if d["out_trade_no"] == out_trade_no
        )
    assert delivery["answers"] == ["(dropped)", "success"]
    assert await _entries(db, order_id) == ["payment", "split"]


async def test_a_partial_refund_of_one_departments_share_reverses_exactly_that_share(
    stack: Stack, db: Sessions, fresh_redis: Any
) -> None:
    token = await _token(stack, db)
    order_id, out_trade_no = await _launched(stack, db)
    await stack.control("/sandbox/pay", {"out_trade_no": out_trade_no})
    await stack.control("/sandbox/deliver", {"out_trade_no": out_trade_no})
    finance = await _staff(stack, "finance")
    refund = {
        "orderId": order_id,
        "departmentCode": "GZ-SWJ",
        "amount": "100.00",
        "reason": "多收车船税",
        "idempotencyKey": str(uuid.uuid4()),
    }
    done = (await stack.gql(finance, REFUND, {"i": refund}))["refund"]
    assert done["errors"] == [], done
    assert done["refund"]["amount"] == "100.00" and done["refund"]["reversal"]["kind"] == "red"
    assert done["refund"]["reversal"]["total"] == "-100.00"
    # The same key again: the same refund, not a second one
    again = (await stack.gql(finance, REFUND, {"i": refund}))["refund"]
    assert again["refund"]["outRequestNo"] == done["refund"]["outRequestNo"]
    too_much = {**refund, "amount": "300.00", "idempotencyKey": str(uuid.uuid4())}
    refused = (await stack.gql(finance, REFUND, {"i": too_much}, locale="zh-CN"))["refund"]
    assert refused["errors"][0]["code"] == "REFUND_EXCEEDS_SHARE" and "260.00" in refused["errors"][0]["message"]
    order = (await stack.gql(token, ORDER, {"id": order_id}))["order"]
    assert order["refunded"] == "100.00" and order["status"] == "paid"
    statuses = {(r["departmentCode"], r["kind"]): r["status"] for r in order["receipts"]}
    assert statuses == {
        ("GZ-GA", "normal"): "valid",
        ("GZ-SWJ", "normal"): "partially_reversed",
        ("GZ-SWJ", "red"): "valid",
    }
    async with httpx.AsyncClient(base_url=stack.sandbox_url) as client:
        trade = next(x for x in (await client.get("/sandbox/trades")).json() if x["out_trade_no"] == out_trade_no)
    assert trade["refunded"] == "100.00"
    async with db() as session:
        assert await _dept_paid(session, order_id, "dept:GZ-SWJ") == -36000 + 10000
        assert await _dept_paid(session, order_id, "dept:GZ-GA") == -11000
    # An officer of another department may not refund this share
    officer = await _staff(stack, "officer.gz-ga")
    other = await stack.gql(officer, REFUND, {"i": {**refund, "idempotencyKey": str(uuid.uuid4())}})
    assert other["refund"]["errors"][0]["code"] == "NOT_YOUR_DEPARTMENT"


async def _dept_paid(session: AsyncSession, order_id: str, account: str) -> int:
    total = (
        await session.execute(
            select(func.coalesce(func.sum(pt.postings.c.amount_fen), 0))
            .join(pt.journal_entries)
            .where(pt.journal_entries.c.order_id == order_id, pt.postings.c.account == account)
        )
    ).scalar_one()
    return int(total)


async def test_receipts_verify_and_a_modified_one_does_not(stack: Stack, db: Sessions, fresh_redis: Any) -> None:
    token = await _token(stack, db)
    order_id, out_trade_no = await _launched(stack, db)
    await stack.control("/sandbox/pay", {"out_trade_no": out_trade_no})
    await stack.control("/sandbox/deliver", {"out_trade_no": out_trade_no})
    receipt = (await stack.gql(token, ORDER, {"id": order_id}))["order"]["receipts"][0]
    async with httpx.AsyncClient() as client:
        valid = (await client.get(receipt["verifyUrl"].replace("http://127.0.0.1:8000", stack.backend))).json()
        assert valid["status"] == "valid" and valid["receipt"]["billNumber"] == receipt["billNumber"]
        wrong_check = await client.get(
            f"{stack.backend}/receipts/verify",
            params={"code": receipt["billCode"], "number": receipt["billNumber"], "check": "000000"},
        )
        assert wrong_check.json()["status"] == "unknown"
        pdf = await client.get(
            f"{stack.backend}/receipts/{receipt['id']}/pdf", headers={"authorization": f"Bearer {token}"}
        )
        assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
        assert b"FontFile2" in pdf.content and b"WenQuanYi" in pdf.content  # the Chinese font is embedded
        anonymous = await client.get(f"{stack.backend}/receipts/{receipt['id']}/pdf")
        assert anonymous.status_code == 404
        async with db() as session:
            await session.execute(update(pt.receipts).where(pt.receipts.c.id == receipt["id"]).values(total_fen=1))
            await session.commit()
        try:
            altered = (await client.get(receipt["verifyUrl"].replace("http://127.0.0.1:8000", stack.backend))).json()
            assert altered["status"] == "unknown"
        finally:
            async with db() as session:
                total = 11000 if receipt["departmentCode"] == "GZ-GA" else 36000
                await session.execute(
                    update(pt.receipts).where(pt.receipts.c.id == receipt["id"]).values(total_fen=total)
                )
                await session.commit()


async def test_guessing_receipt_check_codes_is_rate_limited(stack: Stack, fresh_redis: Any) -> None:
    # Issue 12, finding 12: 2,000 guesses in 8.6 s went through.
    async with httpx.AsyncClient(base_url=stack.backend, headers={"accept-language": "en"}) as client:
        answers = [
            await client.get(
                "/receipts/verify", params={"code": "44010101", "number": "0000000001", "check": f"{n:06d}"}
            )
            for n in range(31)
        ]
    assert [a.json().get("status") for a in answers[:30]] == ["unknown"] * 30, answers[0].text
    refused = answers[30]
    assert refused.status_code == 429 and 0 < int(refused.headers["retry-after"]) <= 60
    assert refused.json()["errors"][0]["extensions"]["code"] == "RATE_LIMITED"
    assert refused.json()["errors"][0]["message"].startswith("Too many attempts.")


async def test_when_notifications_never_come_reconciling_credits_from_the_channel(
    stack: Stack, db: Sessions, fresh_redis: Any
) -> None:
    order_id, out_trade_no = await _launched(stack, db)
    await stack.control("/sandbox/pay", {"out_trade_no": out_trade_no})
    await stack.control("/sandbox/faults", {"faults": ["drop"]})
    await stack.control(
        "/sandbox/deliver", {"out_trade_no": out_trade_no}
    )  # lost on the way, and the next retry is hours away
    counts = await reconcile(db, stack.deps, datetime.now(UTC) + timedelta(minutes=1))
    assert counts["credited"] >= 1
    assert await _entries(db, order_id) == ["payment", "split"]


async def _close_here(db: Sessions, order_id: str, minutes_ago: int = 0) -> None:
    """What refusing the application does to its unpaid order."""
    async with db() as session, session.begin():
        await session.execute(
            update(pt.payment_orders)
            .where(pt.payment_orders.c.id == order_id)
            .values(status="closed", closed_at=datetime.now(UTC) - timedelta(minutes=minutes_ago))
        )


async def _channel_closed_at(db: Sessions, order_id: str) -> tuple[str, datetime | None]:
    async with db() as session:
        row = (
            await session.execute(
                select(pt.payment_orders.c.status, pt.payment_orders.c.channel_closed_at).where(
                    pt.payment_orders.c.id == order_id
                )
            )
        ).one()
    return row.status, row.channel_closed_at


async def test_an_order_closed_here_is_closed_at_the_channel_so_the_citizen_cannot_pay_it(
    stack: Stack, db: Sessions, fresh_redis: Any
) -> None:
    window = timedelta(minutes=35)
    order_id, out_trade_no = await _launched(stack, db)  # the citizen holds a QR code for it
    await _close_here(db, order_id)
    async with db() as session, session.begin():
        assert (
            await Payments(session, stack.deps).close_at_channel((await get_order(session, order_id)), window)
            == "closed"
        )
    assert (await _channel_closed_at(db, order_id))[1] is not None
    async with httpx.AsyncClient(base_url=stack.sandbox_url) as client:
        refused = await client.post("/sandbox/pay", json={"out_trade_no": out_trade_no})
    assert refused.status_code == 409  # the trade is closed at Alipay: the buyer cannot pay
    # An order whose payment was launched but never opened at the channel: settled once the window passed
    fresh_id, _ = await _order(db)
    await _close_here(db, fresh_id)
    async with db() as session, session.begin():
        order = await get_order(session, fresh_id)
        assert order is not None
        assert await Payments(session, stack.deps).close_at_channel(order, window) == "waiting"
    await _close_here(db, fresh_id, minutes_ago=40)
    async with db() as session, session.begin():
        order = await get_order(session, fresh_id)
        assert order is not None
        assert await Payments(session, stack.deps).close_at_channel(order, window) == "closed"
    assert await _entries(db, fresh_id) == []


async def test_a_payment_made_after_closing_is_credited_not_lost(stack: Stack, db: Sessions, fresh_redis: Any) -> None:
    order_id, out_trade_no = await _launched(stack, db)
    await _close_here(db, order_id)
    await stack.control("/sandbox/pay", {"out_trade_no": out_trade_no})  # paid before the job closed the trade
    async with db() as session, session.begin():
        order = await get_order(session, order_id)
        assert order is not None
        outcome = await Payments(session, stack.deps).close_at_channel(order, timedelta(minutes=35))
    assert outcome == "credited"
    assert (await _channel_closed_at(db, order_id))[0] == "paid"  # finance sees it paid, and can refund it
    assert await _entries(db, order_id) == ["payment", "split"]


def test_the_ledger_check_command_and_the_buyer_command(
    stack: Stack, catalog_database: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from click.testing import CliRunner

    from backend.cli import main as cli
    from backend.db.engine import create_engine
    from backend.settings import get_settings

    monkeypatch.setenv("ONEWINDOW_DATABASE_URL", catalog_database)
    monkeypatch.setenv("ONEWINDOW_SECRET_KEY", "test-secret-shared-by-every-instance-0123456789")
    get_settings.cache_clear()
    try:
        order_id, out_trade_no = asyncio.run(_launched_in_new_loop(stack, catalog_database))
        port = stack.sandbox_url.rsplit(":", 1)[1]
        paid = CliRunner().invoke(cli, ["sandbox", "alipay", "pay", out_trade_no, "--port", port])
        assert paid.exit_code == 0 and '"TRADE_SUCCESS"' in paid.output
        delivered = httpx.post(f"{stack.sandbox_url}/sandbox/deliver", json={"out_trade_no": out_trade_no}, timeout=30)
        assert delivered.json() == {"sent": 1}
        checked = CliRunner().invoke(cli, ["ledger", "check"])
        assert checked.exit_code == 0, checked.output
        assert "ledger balanced" in checked.output and "dept:GZ-SWJ" in checked.output
        # One pass of the reconciling job: a paid order whose notification never came is credited
        unnoticed_id, unnoticed = asyncio.run(_launched_in_new_loop(stack, catalog_database))
        assert CliRunner().invoke(cli, ["sandbox", "alipay", "pay", unnoticed, "--port", port]).exit_code == 0
        monkeypatch.setenv("ONEWINDOW_ALIPAY_SANDBOX_PORT", port)
        monkeypatch.setenv("ONEWINDOW_DATA_DIR", str(stack.data_dir))  # the sandbox's keys
        get_settings.cache_clear()
        reconciled = CliRunner().invoke(cli, ["payments", "reconcile", "--older-than", "0"])
        assert reconciled.exit_code == 0, reconciled.output
        counts = json.loads(reconciled.output.strip().splitlines()[-1])
        assert set(counts) == {
            "checked",
            "credited",
            "closed",
            "closed_at_channel",
            "paid_after_closing",
            "refunds_booked",
            "second_payments_refunded",
        }
        assert counts["credited"] >= 1
        assert asyncio.run(_status_in_new_loop(catalog_database, unnoticed_id)) == "paid"

        async def unbalance(add: bool) -> None:
            engine = create_engine(catalog_database)
            async with engine.begin() as connection:
                if add:
                    entry = (
                        await connection.execute(
                            pt.journal_entries.insert()
                            .values(
                                kind="test",
                                reference=out_trade_no,
                                order_id=order_id,
                                memo="broken",
                                at=datetime.now(UTC),
                            )
                            .returning(pt.journal_entries.c.id)
                        )
                    ).scalar_one()
                    await connection.execute(
                        pt.postings.insert().values(entry_id=entry, account="clearing", amount_fen=1)
                    )
                else:
                    found = select(pt.journal_entries.c.id).where(pt.journal_entries.c.kind == "test")
                    entry = (await connection.execute(found)).scalar_one()
                    await connection.execute(pt.postings.delete().where(pt.postings.c.entry_id == entry))
                    await connection.execute(pt.journal_entries.delete().where(pt.journal_entries.c.id == entry))
            await engine.dispose()

        asyncio.run(unbalance(True))
        try:
            broken = CliRunner().invoke(cli, ["ledger", "check"])
            assert broken.exit_code == 1 and "LEDGER DOES NOT BALANCE" in broken.output
        finally:
            asyncio.run(unbalance(False))
    finally:
        get_settings.cache_clear()


async def _status_in_new_loop(url: str, order_id: str) -> str:
    from backend.db.engine import create_engine, session_factory

    engine = create_engine(url)
    try:
        return (await _channel_closed_at(session_factory(engine), order_id))[0]
    finally:
        await engine.dispose()


async def _launched_in_new_loop(stack: Stack, url: str) -> tuple[str, str]:
    from backend.db.engine import create_engine, session_factory

    engine = create_engine(url)
    try:
        return await _launched(stack, session_factory(engine))
    finally:
        await engine.dispose()


async def test_refund_request_numbers_follow_the_idempotency_key_so_retries_never_double_refund(
    stack: Stack, db: Sessions, fresh_redis: Any
) -> None:
    order_id, out_trade_no = await _launched(stack, db)
    await stack.control("/sandbox/pay", {"out_trade_no": out_trade_no})
    await stack.control("/sandbox/deliver", {"out_trade_no": out_trade_no})
    finance = await _staff(stack, "finance")
    first = {
        "orderId": order_id,
        "departmentCode": "GZ-SWJ",
        "amount": "50.00",
        "reason": "多收",
        "idempotencyKey": str(uuid.uuid4()),
    }
    # The channel refunded, but our transaction was lost: the channel has the refund, we do not
    request_id = hashlib.sha256(f"{await _staff_id(db, 'finance')}|{first['idempotencyKey']}".encode()).hexdigest()
    await stack.deps.channels["alipay"].refund(out_trade_no, f"{out_trade_no}R{request_id[:10].upper()}", 5000, "多收")
    # Another refund meanwhile gets its own number, and the retry of the first repeats (not redoes) it
    second = {**first, "departmentCode": "GZ-GA", "amount": "10.00", "idempotencyKey": str(uuid.uuid4())}
    b = (await stack.gql(finance, REFUND, {"i": second}))["refund"]
    a = (await stack.gql(finance, REFUND, {"i": first}))["refund"]
    assert a["errors"] == [] and b["errors"] == []
    assert a["refund"]["outRequestNo"] != b["refund"]["outRequestNo"]
    async with httpx.AsyncClient(base_url=stack.sandbox_url) as client:
        trade = next(x for x in (await client.get("/sandbox/trades")).json() if x["out_trade_no"] == out_trade_no)
    assert trade["refunded"] == "60.00"
    assert a["order"]["refunded"] == "60.00"
    bad = {**first, "amount": "0.001", "idempotencyKey": str(uuid.uuid4())}
    assert (await stack.gql(finance, REFUND, {"i": bad}))["refund"]["errors"][0]["code"] == "INVALID_MONEY"


async def _staff_id(db: Sessions, username: str) -> str:
    async with db() as session:
        found: str = (await session.execute(select(t.staff.c.id).where(t.staff.c.username == username))).scalar_one()
    return found


async def test_a_page_of_orders_shows_each_payers_receipts_loaded_in_one_query(
    api: AsyncTestClient[Any], db: Sessions
) -> None:
    # Given a verified citizen with three paid orders, each of two departments' fees
    someone = await factories.citizen(api, db)
    deps = api.app.state.resources.payments
    for n in range(3):
        await factories.payment(db, deps, await factories.order(db, someone.id), trade_no=f"2026120722001{n:013d}")
    # When they list their payments with each order's receipts
    query = "{ myPayments(first: 10) { items { status receipts { departmentCode payer total } } } }"
    with statements_run(api.app.state.resources.engine) as statements:
        data = await run(api, someone.token, query)
    # Then each order shows its two receipts, naming the citizen as payer (identity's name, through
    # the parties payments is given), and the page's receipts came in one query, not one per order
    receipts = [
        sorted((r["departmentCode"], r["payer"], r["total"]) for r in o["receipts"])
        for o in data["myPayments"]["items"]
    ]
    assert receipts == [[("GZ-GA", someone.name, "110.00"), ("GZ-SWJ", someone.name, "360.00")]] * 3
    assert [o["status"] for o in data["myPayments"]["items"]] == ["PAID"] * 3 or [
        o["status"] for o in data["myPayments"]["items"]
    ] == ["paid"] * 3
    assert len([s for s in statements if "FROM receipts" in s]) == 1


async def _paid_order(stack: Stack, db: Sessions, fresh_redis: Any) -> tuple[str, str]:
    """A paid order of two departments (GZ-GA 110.00, GZ-SWJ 360.00) and a finance officer's token."""
    order_id, out_trade_no = await _launched(stack, db)
    await stack.control("/sandbox/pay", {"out_trade_no": out_trade_no})
    await stack.control("/sandbox/deliver", {"out_trade_no": out_trade_no})
    return order_id, await _staff(stack, "finance")


async def test_refund_amounts_that_are_not_money_are_refused_with_a_code(
    stack: Stack, db: Sessions, fresh_redis: Any
) -> None:
    # Issue 12, finding 8: `Infinity` and `0x10` gave INTERNAL_ERROR.
    order_id, finance = await _paid_order(stack, db, fresh_redis)
    base = {"orderId": order_id, "departmentCode": "GZ-GA", "reason": "多收"}
    for amount in ("Infinity", "-Infinity", "NaN", "1E+999999999", "0", "-5.00", "0.001"):
        answer = await stack.gql(finance, REFUND, {"i": base | {"amount": amount, "idempotencyKey": amount}})
        assert answer["refund"]["errors"][0]["code"] == "INVALID_MONEY", (amount, answer)
        assert answer["refund"]["errors"][0]["field"] == "amount"
    async with httpx.AsyncClient(base_url=stack.backend) as client:
        for amount in ("0x10", "ten yuan", ""):
            body = (
                await client.post(
                    "/graphql",
                    json={"query": REFUND, "variables": {"i": base | {"amount": amount, "idempotencyKey": "x"}}},
                    headers={"authorization": f"Bearer {finance}"},
                )
            ).json()
            assert [e["extensions"]["code"] for e in body["errors"]] == ["GRAPHQL_VALIDATION_FAILED"], (amount, body)
    order = (await stack.gql(finance, ORDER, {"id": order_id}))["order"]
    assert order["refunded"] == "0.00"


async def test_finance_sees_the_payers_name_masked(stack: Stack, db: Sessions, fresh_redis: Any) -> None:
    # Found by the adversarial re-test: a receipt's payer reached finance staff unmasked.
    order_id, finance = await _paid_order(stack, db, fresh_redis)
    payers = "query($id: ID!) { order(id: $id) { receipts { payer } } }"
    assert {r["payer"] for r in (await stack.gql(finance, payers, {"id": order_id}))["order"]["receipts"]} == {"李*"}
    citizen = await _token(stack, db)
    assert {r["payer"] for r in (await stack.gql(citizen, payers, {"id": order_id}))["order"]["receipts"]} == {"李明"}


async def test_six_refunds_sent_at_once_with_one_key_get_one_answer(
    stack: Stack, db: Sessions, fresh_redis: Any
) -> None:
    # Issue 12, finding 8: one success and five INTERNAL_ERRORs (the request number's unique index).
    order_id, finance = await _paid_order(stack, db, fresh_redis)
    refund = {
        "orderId": order_id,
        "departmentCode": "GZ-SWJ",
        "amount": "60.00",
        "reason": "多收车船税",
        "idempotencyKey": str(uuid.uuid4()),
    }
    answers = await asyncio.gather(*(stack.gql(finance, REFUND, {"i": refund}) for _ in range(6)))
    assert all(a["refund"]["errors"] == [] for a in answers), answers
    assert len({json.dumps(a["refund"]["refund"], sort_keys=True) for a in answers}) == 1
    order = (await stack.gql(finance, ORDER, {"id": order_id}))["order"]
    assert order["refunded"] == "60.00"
    assert [r["total"] for r in order["receipts"] if r["kind"] == "red"] == ["-60.00"]


async def test_the_channel_is_asked_with_no_transaction_open(
    stack: Stack, db: Sessions, fresh_redis: Any, catalog_database: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Issue 12, finding 8: the refund held the order's lock (SQLite: the database's) across the channel call.
    order_id, finance = await _paid_order(stack, db, fresh_redis)
    original = stack.deps.channels["alipay"].refund
    seen: list[int] = []

    async def probing(*args: Any) -> Any:
        seen.append(await asyncio.to_thread(_writers_blocked, catalog_database))
        return await original(*args)

    monkeypatch.setattr(stack.deps.channels["alipay"], "refund", probing)
    refund = {
        "orderId": order_id,
        "departmentCode": "GZ-GA",
        "amount": "10.00",
        "reason": "多收",
        "idempotencyKey": str(uuid.uuid4()),
    }
    assert (await stack.gql(finance, REFUND, {"i": refund}))["refund"]["errors"] == []
    assert seen == [0]


def _writers_blocked(database_url: str) -> int:
    """How many transactions hold the database open right now (another thread's view, no waiting)."""
    import sqlite3

    from sqlalchemy import text
    from sqlalchemy.engine import make_url

    from backend.db.engine import create_engine

    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        probe = sqlite3.connect(str(url.database), timeout=0)
        try:
            probe.execute("BEGIN IMMEDIATE")  # fails at once if another connection is writing
            probe.execute("ROLLBACK")
            return 0
        except sqlite3.OperationalError:
            return 1
        finally:
            probe.close()

    async def idle_in_transaction() -> int:
        engine = create_engine(database_url)
        try:
            async with engine.connect() as connection:
                found = await connection.execute(
                    text(
                        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                        "AND state LIKE 'idle in transaction%' AND pid <> pg_backend_pid()"
                    )
                )
                return int(found.scalar_one())
        finally:
            await engine.dispose()

    return asyncio.run(idle_in_transaction())


async def test_a_refund_whose_outcome_is_unknown_is_booked_later_never_twice(
    stack: Stack, db: Sessions, fresh_redis: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The channel refunded, but its answer was lost: the refund stays pending (its share reserved),
    # the same key asked again books it, and the reconciling job books another one left so.
    order_id, finance = await _paid_order(stack, db, fresh_redis)
    original = stack.deps.channels["alipay"].refund

    async def lost_answer(*args: Any) -> Any:
        await original(*args)
        raise ChannelError("UNREACHABLE", "timed out")

    monkeypatch.setattr(stack.deps.channels["alipay"], "refund", lost_answer)
    first = {
        "orderId": order_id,
        "departmentCode": "GZ-SWJ",
        "amount": "100.00",
        "reason": "多收",
        "idempotencyKey": str(uuid.uuid4()),
    }
    second = first | {"amount": "50.00", "idempotencyKey": str(uuid.uuid4())}
    for refund in (first, second):
        answer = (await stack.gql(finance, REFUND, {"i": refund}))["refund"]
        assert answer["errors"][0]["code"] == "CHANNEL_UNAVAILABLE", answer
    # Both wait as pending, their amounts out of the share: only 210.00 of the 360.00 is left to refund
    too_much = first | {"amount": "210.01", "idempotencyKey": str(uuid.uuid4())}
    assert (await stack.gql(finance, REFUND, {"i": too_much}))["refund"]["errors"][0]["code"] == "REFUND_EXCEEDS_SHARE"
    monkeypatch.setattr(stack.deps.channels["alipay"], "refund", original)
    retried = (await stack.gql(finance, REFUND, {"i": first}))["refund"]
    assert retried["errors"] == [] and retried["refund"]["amount"] == "100.00"
    counts = await reconcile(db, stack.deps, datetime.now(UTC) + timedelta(minutes=1))
    assert counts["refunds_booked"] == 1
    order = (await stack.gql(finance, ORDER, {"id": order_id}))["order"]
    assert order["refunded"] == "150.00"
    again = (await stack.gql(finance, REFUND, {"i": second}))["refund"]
    assert again["errors"] == [] and again["refund"]["amount"] == "50.00"
    assert sorted(r["total"] for r in order["receipts"] if r["kind"] == "red") == ["-100.00", "-50.00"]


async def test_two_refunds_in_one_document_each_show_the_receipts_as_they_stand(
    stack: Stack, db: Sessions, fresh_redis: Any
) -> None:
    # Found by review of issue 13: receipts loaded by the first mutation were shown again by the second.
    # Given a paid order of two departments
    order_id, finance = await _paid_order(stack, db, fresh_redis)
    # When finance refunds two parts of the police share in one document
    both = """mutation($a: RefundInput!, $b: RefundInput!) {
      first: refund(input: $a) { order { receipts { kind } } errors { code } }
      second: refund(input: $b) { order { receipts { kind } } errors { code } } }"""
    share = {"orderId": order_id, "departmentCode": "GZ-GA", "amount": "10.00", "reason": "多收"}
    data = await stack.gql(
        finance, both, {"a": share | {"idempotencyKey": "one"}, "b": share | {"idempotencyKey": "two"}}
    )
    # Then each answer shows the receipts after its own refund: one reversal, then two
    kinds = [sorted(r["kind"] for r in data[name]["order"]["receipts"]) for name in ("first", "second")]
    assert kinds == [["normal", "normal", "red"], ["normal", "normal", "red", "red"]]
