"""Before a person sees a break, the run asks again and settles the timing gaps itself.

- a 长款 (the channel took a payment we have not credited) whose order is open here: the notification
  was lost; the channel is asked about the order and, paid, it is credited (Payments.reconcile_order);
- a refund the channel did whose booking is still pending here: the refunds job books it (pending);
- an item whose time puts it on the neighbouring day on the other side (a refund we booked at 23:59:59
  the channel did at 00:00:01): pending when the neighbour's books or bill has it;
- a 短款 (we booked a payment the bill does not list): the channel is asked about the trade again.
What remains becomes a break.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Literal

import structlog
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from payments import tables as t
from payments.channels.base import ChannelError
from payments.orders import Order, OrderStatus, orders_by_trade_no
from payments.reconciliation.days import beijing_day, bounds
from payments.reconciliation.matching import Difference
from payments.service import PaymentDeps, Payments

log = structlog.get_logger("payments")

MAX_QUESTIONS = 1_000
"""Questions to the channel per run at most: past that, what is left is shown as breaks for people."""
BOUNDARY = timedelta(hours=1)
"""A booking this close to midnight may be on the channel's next day (its bill not out yet: pending)."""

State = Literal["settled", "pending", "break"]


@dataclass(frozen=True)
class Booked:
    """A reference our books hold outside the day's window."""

    amount_fen: int
    at: datetime
    status: str  # a refund's: pending | done


@dataclass(frozen=True)
class Outcome:
    """What became of a difference: settled by asking, pending (timing), or a break of `kind`."""

    difference: Difference
    state: State
    kind: str | None = None  # the break's kind
    note: str = ""


def _adjacent(day: date, other: date) -> bool:
    return abs((other - day).days) == 1


class Settler:
    """Asks again about one run's differences."""

    def __init__(self, session: AsyncSession, deps: PaymentDeps, channel: str, day: date) -> None:
        self._session, self._deps, self._channel, self._day = session, deps, channel, day
        self._questions = 0
        self._neighbours: dict[date, set[str] | None] = {}

    async def settle(self, differences: Iterable[Difference]) -> list[Outcome]:
        """Each difference's outcome."""
        found = list(differences)
        payments_unknown = [
            d.reference for d in found if d.side == "bill" and d.platform_fen is None and d.entry_kind == "payment"
        ]
        orders = await orders_by_trade_no(self._session, payments_unknown[:MAX_QUESTIONS])
        unknown = [d for d in found if d.side == "bill" and d.platform_fen is None]
        far = await self._books_elsewhere(unknown[:MAX_QUESTIONS])
        refunds_off_bill = {d.reference for d in found if d.side == "books" and d.entry_kind == "refund"}
        outcomes: list[Outcome] = []
        for difference in found:
            if difference.side == "bill":
                outcomes.append(await self._on_bill(difference, orders, far))
            else:
                outcomes.append(await self._in_books(difference, refunds_off_bill))
        return outcomes

    async def _on_bill(self, d: Difference, orders: dict[str, Order], far: dict[tuple[str, str], Booked]) -> Outcome:
        if d.platform_fen is None:
            order = orders.get(d.reference) if d.entry_kind == "payment" else None
            if order is not None and order.status == OrderStatus.OPEN and self._may_ask():
                return await self._credit_lost(d, order)
            booked = far.get((d.entry_kind, d.reference))
            if booked is None:
                return Outcome(d, "break", "channel_only")
            if booked.status == "pending":  # the refunds job books it (the channel did it; we did not hear)
                return Outcome(d, "pending", note="refund booking pending here")
            d = replace(d, platform_fen=booked.amount_fen, platform_at=booked.at)
        if d.platform_fen != d.channel_fen:
            return Outcome(d, "break", "amount_mismatch")
        if d.platform_at is not None and _adjacent(self._day, beijing_day(d.platform_at)):
            return Outcome(d, "pending", note=f"in our books on {beijing_day(d.platform_at)}")
        return Outcome(d, "break", "channel_only", note="in our books on another day")

    async def _credit_lost(self, d: Difference, order: Order) -> Outcome:
        if order.status != OrderStatus.OPEN or (order.channel or self._channel) != self._channel:
            return Outcome(d, "break", "channel_only")
        try:
            outcome = await Payments(self._session, self._deps).reconcile_order(order)
        except ChannelError as error:
            log.warning("payments.reconcile_ask_failed", out_trade_no=d.reference, code=error.code)
            return Outcome(d, "break", "channel_only", note=f"channel not reachable: {error.code}")
        if outcome == "credited" and order.total_fen == d.channel_fen:
            return Outcome(d, "settled", note="credited from the channel's answer (notification lost)")
        return Outcome(d, "break", "channel_only")

    async def _in_books(self, d: Difference, refunds_off_bill: set[str]) -> Outcome:
        if d.entry_kind == "payment":
            if not self._may_ask():
                return Outcome(d, "break", "platform_only")
            try:
                state = await self._deps.channel_named(self._channel).query(d.reference)
            except ChannelError as error:
                return Outcome(d, "break", "platform_only", note=f"channel not reachable: {error.code}")
            paid = state.status in ("TRADE_SUCCESS", "TRADE_FINISHED") and state.total_fen == d.platform_fen
            if paid and state.paid_at is not None and _adjacent(self._day, beijing_day(state.paid_at)):
                return Outcome(d, "pending", note=f"paid at the channel on {beijing_day(state.paid_at)}")
            return Outcome(d, "break", "platform_only")
        for neighbour in (self._day - timedelta(days=1), self._day + timedelta(days=1)):
            listed = await self._neighbour_refunds(neighbour, refunds_off_bill)
            if listed is not None and d.reference in listed:
                return Outcome(d, "pending", note=f"in the channel's bill of {neighbour}")
            _, end = bounds(self._day)
            if listed is None and neighbour > self._day and d.platform_at and end - d.platform_at <= BOUNDARY:
                return Outcome(d, "pending", note=f"booked just before midnight; the bill of {neighbour} is not out")
        return Outcome(d, "break", "platform_only")

    def _may_ask(self) -> bool:
        self._questions += 1
        return self._questions <= MAX_QUESTIONS

    async def _books_elsewhere(self, differences: list[Difference]) -> dict[tuple[str, str], Booked]:
        """What our books hold, on whatever day, of references the bill lists that the day's books lack."""
        payments = [d.reference for d in differences if d.entry_kind == "payment"]
        refunds = [d.reference for d in differences if d.entry_kind == "refund"]
        found: dict[tuple[str, str], Booked] = {}
        orders = t.payment_orders
        if payments:
            rows = await self._session.execute(
                select(orders.c.out_trade_no, orders.c.total_fen, orders.c.channel_paid_at).where(
                    orders.c.out_trade_no.in_(payments),
                    orders.c.channel == self._channel,
                    orders.c.channel_paid_at.is_not(None),
                )
            )
            found |= {("payment", r.out_trade_no): Booked(r.total_fen, r.channel_paid_at, "done") for r in rows}
        if refunds:
            at = func.coalesce(t.refunds.c.channel_refunded_at, t.refunds.c.created_at)
            rows = await self._session.execute(
                select(t.refunds.c.out_request_no, t.refunds.c.amount_fen, at.label("at"), t.refunds.c.status).where(
                    t.refunds.c.out_request_no.in_(refunds)
                )
            )
            found |= {("refund", r.out_request_no): Booked(-r.amount_fen, r.at, r.status) for r in rows}
        return found

    async def _neighbour_refunds(self, day: date, wanted: set[str]) -> set[str] | None:
        """Which of `wanted` the channel's bill of a neighbouring day lists (None: no bill for it yet)."""
        if day not in self._neighbours:
            channel = self._deps.channel_named(self._channel)
            try:
                content = await channel.bill(day)
            except ChannelError:
                self._neighbours[day] = None
            else:
                self._neighbours[day] = {
                    row.request_no for row in channel.parse_bill(content) if row.request_no and row.request_no in wanted
                }
        return self._neighbours[day]
