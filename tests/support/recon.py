"""Reconciliation in tests: a channel whose daily bills a test writes, paid orders on a chosen day,
runs, and what they left (breaks, audit, fees)."""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import msgspec
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from backend.db.engine import unit_of_work
from payments import ledger
from payments import tables as pt
from payments.channels.base import (
    BILL_NOT_READY,
    BillRow,
    Channel,
    ChannelError,
    Notification,
    PaymentLaunch,
    PaymentRequest,
    RefundResult,
    TradeState,
)
from payments.orders import Order
from payments.reconciliation.reading import Break, BreakFilter, breaks
from payments.reconciliation.runs import Reconciliation, Run
from payments.service import PaymentDeps
from tests.support import factories

Sessions = async_sessionmaker[AsyncSession]
BEIJING = ZoneInfo("Asia/Shanghai")


def beijing(day: date, hour: int, minute: int = 0, second: int = 0) -> datetime:
    """A Beijing wall-clock moment as aware UTC."""
    return datetime.combine(day, time(hour, minute, second), BEIJING).astimezone(UTC)


class ScriptedBills:
    """A channel whose bills are what the test wrote (a day without one: not out yet); everything else is
    the inner channel's (the Alipay sandbox's), so asking again reaches a real gateway."""

    def __init__(self, inner: Channel) -> None:
        self._inner = inner
        self.name, self.app_id, self.seller_id = inner.name, inner.app_id, inner.seller_id
        self.bills: dict[date, list[BillRow]] = {}
        self.downloads: list[date] = []

    async def bill(self, day: date) -> bytes:
        self.downloads.append(day)
        if day not in self.bills:
            raise ChannelError(BILL_NOT_READY, day.isoformat())
        return msgspec.json.encode(self.bills[day])

    def parse_bill(self, content: bytes) -> Iterator[BillRow]:
        yield from msgspec.json.decode(content, type=list[BillRow])

    async def launch(self, request: PaymentRequest) -> PaymentLaunch:
        return await self._inner.launch(request)

    async def query(self, out_trade_no: str) -> TradeState:
        return await self._inner.query(out_trade_no)

    async def close(self, out_trade_no: str) -> None:
        await self._inner.close(out_trade_no)

    async def refund(self, out_trade_no: str, out_request_no: str, refund_fen: int, reason: str) -> RefundResult:
        return await self._inner.refund(out_trade_no, out_request_no, refund_fen, reason)

    async def bill_url(self, day: date) -> str:
        return f"scripted:{day}"

    def parse_notification(self, params: dict[str, str]) -> Notification:
        return self._inner.parse_notification(params)

    def acknowledgement(self, accepted: bool) -> str:
        return self._inner.acknowledgement(accepted)


def scripted(deps: PaymentDeps) -> tuple[PaymentDeps, ScriptedBills]:
    """The deps with Alipay's bills scripted by the test."""
    channel = ScriptedBills(deps.channels["alipay"])
    return dataclasses.replace(deps, channels={**deps.channels, "alipay": channel}), channel


def payment_row(order: Order, fee_fen: int, at: datetime, amount_fen: int | None = None) -> BillRow:
    """The bill's line of an order's payment."""
    return BillRow(
        kind="payment",
        trade_no=order.channel_trade_no or "T" + order.out_trade_no,
        out_trade_no=order.out_trade_no,
        request_no=None,
        amount_fen=order.total_fen if amount_fen is None else amount_fen,
        fee_fen=fee_fen,
        at=at,
    )


async def paid_order(db: Sessions, deps: PaymentDeps, citizen_id: str, paid_at: datetime) -> Order:
    """An order paid through Alipay at `paid_at` by the channel's clock (credited as a notification does)."""
    unpaid = await factories.order(db, citizen_id)
    paid = await factories.payment(db, deps, unpaid, trade_no=f"2026{uuid.uuid4().int % 10**24:024d}")
    async with db() as session, unit_of_work(session):
        await session.execute(
            update(pt.payment_orders).where(pt.payment_orders.c.id == paid.id).values(channel_paid_at=paid_at)
        )
    return paid


async def booked_refund(
    db: Sessions, order: Order, amount_fen: int, created_at: datetime, channel_refunded_at: datetime | None
) -> str:
    """A refund of the order booked here (as Refunds books one); its out_request_no."""
    out_request_no = f"{order.out_trade_no}R{uuid.uuid4().hex[:10].upper()}"
    async with db() as session, unit_of_work(session):
        await session.execute(
            pt.refunds.insert().values(
                id=str(uuid.uuid4()),
                order_id=order.id,
                out_request_no=out_request_no,
                department_code=order.lines[0].department_code,
                amount_fen=amount_fen,
                reason="多收",
                status="done",
                requested_by="finance",
                created_at=created_at,
                channel_refunded_at=channel_refunded_at,
            )
        )
    return out_request_no


async def reconcile(db: Sessions, deps: PaymentDeps, day: date, actor: str = "job:reconcile") -> Run:
    """One Alipay run of `day`, committed."""
    async with db() as session, unit_of_work(session):
        return await Reconciliation(session, deps).run("alipay", day, actor)


async def breaks_of(db: Sessions, day: date, status: str | None = None) -> list[Break]:
    """The day's breaks."""
    async with db() as session:
        return await breaks(session, BreakFilter(day=day, status=status), limit=1000)


async def audit_actions(db: Sessions, day: date) -> list[tuple[str, str]]:
    """The day's finance audit: (action, actor), in order."""
    async with db() as session:
        rows = await session.execute(
            select(pt.finance_audit.c.action, pt.finance_audit.c.actor)
            .where(pt.finance_audit.c.day == day)
            .order_by(pt.finance_audit.c.id)
        )
        return [(row.action, row.actor) for row in rows]


async def fees(db: Sessions, reference: str) -> list[int]:
    """The fee recorded for a payment (at most one row of the fee sub-ledger), [] when none."""
    async with db() as session:
        rows = await session.execute(
            select(pt.payment_fees.c.fee_fen).where(
                pt.payment_fees.c.channel == "alipay", pt.payment_fees.c.out_trade_no == reference
            )
        )
        return [int(x) for x in rows.scalars()]


async def fee_entries(db: Sessions) -> list[tuple[str, dict[str, int], set[str]]]:
    """Every fee journal entry: its reference, its postings by account, and the payments whose fee it posted."""
    async with db() as session:
        entries = (
            await session.execute(
                select(pt.journal_entries.c.id, pt.journal_entries.c.reference)
                .where(pt.journal_entries.c.kind == "fee")
                .order_by(pt.journal_entries.c.id)
            )
        ).all()
        found = []
        for entry in entries:
            postings = await session.execute(
                select(pt.postings.c.account, pt.postings.c.amount_fen).where(pt.postings.c.entry_id == entry.id)
            )
            payments = await session.execute(
                select(pt.payment_fees.c.out_trade_no).where(pt.payment_fees.c.entry_id == entry.id)
            )
            found.append((entry.reference, {p.account: int(p.amount_fen) for p in postings}, set(payments.scalars())))
        return found


async def ledger_ok(db: Sessions) -> bool:
    """Every entry balances."""
    async with db() as session:
        return (await ledger.check(session)).ok


async def runs_of(db: Sessions, day: date) -> int:
    """How many runs a day has."""
    async with db() as session:
        found = await session.execute(
            select(func.count()).select_from(pt.reconciliation_runs).where(pt.reconciliation_runs.c.day == day)
        )
        return int(found.scalar_one())


def yesterday() -> date:
    """Yesterday in Beijing."""
    return (datetime.now(BEIJING) - timedelta(days=1)).date()
