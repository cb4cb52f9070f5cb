"""Paying, crediting exactly once, refunding a department's share, and reconciling with the channel.

The caller owns the unit of work (one transaction per call) and commits; a notification is
acknowledged only after the credit is durable, so a crash between crediting and answering means the
channel retries and the retry finds the order already paid (the credit's ledger entries and the
order's open -> paid step both happen once).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TypeVar

import msgspec
import structlog
from sqlalchemy import case, update
from sqlalchemy.ext.asyncio import AsyncSession

from payments import duplicates, ledger
from payments import tables as t
from payments.automatic_refunds import refund_closed_order
from payments.channels.base import DEFAULT_CHANNEL, Channel, Inbound, Notification
from payments.errors import PaymentError as PaymentError  # re-exported: callers catch it from here
from payments.events import NoEvents, PaymentEvents
from payments.money import to_yuan
from payments.orders import Order, OrderStatus, get_order, orders_by_trade_no
from payments.parties import Parties
from payments.receipts import ReceiptIssuer
from payments.refund_shares import platform_refunds_pending

log = structlog.get_logger("payments")
T = TypeVar("T")


@dataclass
class PaymentDeps:
    """What the payment service needs from the process."""

    channels: dict[str, Channel]  # by name: alipay, wechatpay
    issuer: ReceiptIssuer
    parties: Parties  # the departments that issue receipts, the citizens who pay
    notify_url: str
    events: PaymentEvents = field(default_factory=NoEvents)  # the platform's hooks (issue, notify, withdraw)
    unpaid_days: int = 7  # an order unpaid this long is closed and its application withdrawn
    closers: list[Callable[[], Awaitable[None]]] = field(default_factory=list)

    def channel_named(self, name: str | None) -> Channel:
        """The channel of that name (an order launched before there were two: the default)."""
        return self.channels[name or DEFAULT_CHANNEL]

    async def close(self) -> None:
        """Release what the payment parts hold (the receipt stand-in's pool)."""
        for close in self.closers:
            await close()


class Payments:
    """Payments in one unit of work."""

    def __init__(self, session: AsyncSession, deps: PaymentDeps) -> None:
        self._session = session
        self._deps = deps
        # Orders whose crediting reserved the platform's own refunds (a closed order's payment, a
        # bundle's refused items): the caller asks the channel once this unit of work commits.
        self.refunds_reserved: set[str] = set()
        # Second payments held in suspense by this unit of work: refunded once it commits.
        self.duplicates_held: set[str] = set()

    # --- crediting ---------------------------------------------------------------------------------
    async def handle_notifications(
        self,
        batch: Sequence[Inbound],
        channel_name: str = DEFAULT_CHANNEL,
        book_refund: Callable[[Notification], Awaitable[str]] | None = None,
    ) -> list[tuple[bool, str]]:
        """Verify and apply notifications of one channel in this unit of work, each judged on its own.

        Several notifications for the same order (duplicates arriving together) credit it once: the
        first is `credited`, the others `duplicate`. A payment under another trade number of an order
        already paid (the other channel's, or the same channel's twice) is a `second_payment`: held in
        suspense and refunded (see payments/duplicates.py). A refund's notification is booked by
        `book_refund`. Every one is recorded with its outcome.
        """
        channel = self._deps.channel_named(channel_name)
        notes = [channel.parse_notification(inbound) for inbound in batch]
        orders = await orders_by_trade_no(
            self._session, [n.out_trade_no for n in notes if n.out_trade_no and n.kind == "payment"]
        )
        outcomes: list[str] = []
        to_credit: dict[str, tuple[Order, str | None, datetime | None]] = {}
        for note in notes:
            order = orders.get(note.out_trade_no or "")
            outcome = self._judge(channel, note, order)
            if outcome == "credit" and order is not None:
                outcome = "credit" if order.id not in to_credit else "duplicate"
                to_credit.setdefault(order.id, (order, note.trade_no, note.paid_at))
            outcomes.append(outcome)
        credited = await self.credit_many(list(to_credit.values()), channel.name) if to_credit else set()
        for i, note in enumerate(notes):
            if outcomes[i] == "credit":
                order = orders[note.out_trade_no or ""]
                outcomes[i] = "credited" if order.id in credited else "duplicate"
            if outcomes[i] == "duplicate":
                outcomes[i] = await self._second_payment(channel.name, note, orders[note.out_trade_no or ""])
            elif outcomes[i] == "refund":
                outcomes[i] = await book_refund(note) if book_refund is not None else "ignored:refund"
        now = datetime.now(UTC)
        await self._session.execute(
            t.channel_notifications.insert(),
            [
                {
                    "channel": channel.name,
                    "notify_id": note.notify_id,
                    "out_trade_no": note.out_trade_no,
                    "outcome": outcome,
                    "params": note.params,
                    "received_at": now,
                }
                for note, outcome in zip(notes, outcomes, strict=True)
            ],
        )
        for note, outcome in zip(notes, outcomes, strict=True):
            if outcome.startswith("rejected"):
                log.warning("payments.notification_rejected", outcome=outcome, out_trade_no=note.out_trade_no)
        return [(not outcome.startswith("rejected"), outcome) for outcome in outcomes]

    async def _second_payment(self, channel_name: str, note: Notification, order: Order) -> str:
        """`duplicate` (the same payment told again), or `second_payment` (another trade: held and refunded)."""
        fresh = await get_order(self._session, order.id)
        assert fresh is not None
        if not note.trade_no or (fresh.channel, fresh.channel_trade_no) == (channel_name, note.trade_no):
            return "duplicate"
        held = await duplicates.record(
            self._session, order.id, channel_name, note.trade_no, note.total_fen or order.total_fen, note.paid_at
        )
        if held is None:
            return "duplicate"  # this second payment was told before: held already
        log.warning("payments.second_payment", out_trade_no=order.out_trade_no, channel=channel_name)
        self.duplicates_held.add(held)
        return "second_payment"

    def _judge(self, channel: Channel, note: Notification, order: Order | None) -> str:
        """What a notification deserves before crediting: `credit` (`refund`: a refund's), or why not."""
        if not note.authentic:
            return f"rejected:{note.problem or 'signature'}"
        if note.app_id != channel.app_id or note.seller_id != channel.seller_id:
            return "rejected:merchant"
        if note.kind == "refund":
            return "refund"
        if order is None:
            return "rejected:unknown_order"
        if note.total_fen != order.total_fen:
            return "rejected:amount"
        if note.status not in ("TRADE_SUCCESS", "TRADE_FINISHED"):
            return f"ignored:{note.status}"
        return "credit"

    async def credit(self, order: Order, trade_no: str | None, channel_paid_at: datetime | None, channel: str) -> bool:
        """Mark the order paid through `channel`, post the ledger, issue the receipts; False when it was
        credited before."""
        return order.id in await self.credit_many([(order, trade_no, channel_paid_at)], channel)

    async def credit_many(self, items: Sequence[tuple[Order, str | None, datetime | None]], channel: str) -> set[str]:
        """Credit several orders paid through `channel` in this unit of work; returns the ids of those
        credited now (not before).

        The status step is the gate: of any number of concurrent credits of an order, one moves it
        open -> paid, and only the orders it moved get ledger entries and receipts.
        """
        now = datetime.now(UTC)
        ids = [order.id for order, _, _ in items]
        column = t.payment_orders.c.id

        async def move(status: OrderStatus) -> set[str]:
            rows = await self._session.execute(
                update(t.payment_orders)
                .where(column.in_(ids), t.payment_orders.c.status == status)
                .values(
                    status=OrderStatus.PAID,
                    paid_at=now,
                    channel_paid_at=case({o.id: paid or now for o, _, paid in items}, value=column),
                    channel_trade_no=case({o.id: trade for o, trade, _ in items}, value=column),
                    channel=channel,
                )
                .returning(column)
            )
            return {row.id for row in rows}

        # Open orders first: one closed meanwhile (its application refused) is then found closed, and
        # refunded; never missed between the two steps (an order never goes back from closed to open).
        was_open = await move(OrderStatus.OPEN)
        was_closed = await move(OrderStatus.CLOSED)
        moved = was_open | was_closed
        credited = [order for order, _, _ in items if order.id in moved]
        if not credited:
            return moved
        entries = [entry for order in credited for entry in self._credit_entries(order, channel)]
        await ledger.post_many(self._session, entries)
        await self._issue_receipts(credited)
        for order in credited:
            fresh = await get_order(self._session, order.id)
            assert fresh is not None
            if order.id in was_open:
                await self._deps.events.paid(self._session, fresh)  # what waited for the fees is issued now
            else:
                log.warning("payments.paid_after_closing", out_trade_no=order.out_trade_no, order_id=order.id)
                await refund_closed_order(self._session, fresh)  # nothing is owed: it goes back
        self.refunds_reserved |= await platform_refunds_pending(self._session, [order.id for order in credited])
        return moved

    def _credit_entries(self, order: Order, channel_name: str) -> list[ledger.Entry]:
        """The payment and its split to the departments (清分). The channel's fee is posted by
        reconciliation from the fee column of its bill (payments/reconciliation/fees.py), never guessed."""
        channel = f"channel:{channel_name}"
        reference, memo = order.out_trade_no, f"{order.subject} {to_yuan(order.total_fen)}"
        split: dict[str, int] = {}
        for line in order.lines:
            split[f"dept:{line.department_code}"] = split.get(f"dept:{line.department_code}", 0) + line.amount_fen
        return [
            ledger.Entry(
                kind="payment",
                reference=reference,
                memo=memo,
                order_id=order.id,
                postings=[(channel, order.total_fen), ("clearing", -order.total_fen)],
            ),
            ledger.Entry(
                kind="split",
                reference=reference,
                memo=f"清分 {reference}",
                order_id=order.id,
                postings=[("clearing", order.total_fen), *((a, -f) for a, f in split.items())],
            ),
        ]

    async def _issue_receipts(self, orders: Sequence[Order]) -> None:
        """One receipt per department and kind of fee of each order, all stored in one insert: a tax gets
        a tax payment certificate, non-tax revenue a non-tax receipt (the catalog says which a fee is)."""
        parties = self._deps.parties
        units = await parties.issuing_units(self._session, {x.department_code for o in orders for x in o.lines})
        payers = await parties.payer_names(self._session, {order.citizen_id for order in orders})
        kinds = parties.fee_kinds({x.item_code for order in orders for x in order.lines})
        batch = [
            (
                order.id,
                payers.get(order.citizen_id, "—"),
                msgspec.structs.asdict(units[code]),
                [
                    {
                        "item_code": x.item_code,
                        "name": x.name,
                        "amount_fen": x.amount_fen,
                        "matter_code": x.matter_code,
                        "fee_kind": kind,
                    }
                    for x in order.lines
                    if x.department_code == code and kinds.get(x.item_code, "non_tax") == kind
                ],
            )
            for order in orders
            for code, kind in sorted(
                {
                    (x.department_code, kinds.get(x.item_code, "non_tax"))
                    for x in order.lines
                    if x.department_code in units
                }
            )
        ]
        await self._deps.issuer.issue_many(self._session, batch)

    # --- reconciling ---------------------------------------------------------------------------------
    async def reconcile_order(self, order: Order) -> str:
        """Ask the channel about one open order: "credited", "closed", or "open" (still waiting)."""
        channel = self._deps.channel_named(order.channel)
        state = await channel.query(order.out_trade_no)
        if state.status in ("TRADE_SUCCESS", "TRADE_FINISHED") and state.total_fen == order.total_fen:
            return "credited" if await self.credit(order, state.trade_no, state.paid_at, channel.name) else "open"
        if state.status == "TRADE_CLOSED":
            await self._session.execute(
                update(t.payment_orders)
                .where(t.payment_orders.c.id == order.id, t.payment_orders.c.status == OrderStatus.OPEN)
                .values(status=OrderStatus.CLOSED, closed_at=datetime.now(UTC))
            )
            return "closed"
        return "open"

    async def close_at_channel(self, order: Order, launch_window: timedelta) -> str:
        """Make a locally closed order unpayable at the channel too: "closed", "credited" or "waiting".

        A refused application's order closes here at once, but the citizen may hold an order string
        or QR code the channel still accepts. An opened trade is closed at the channel; a trade never
        opened is settled once every launch's payment window has passed (payOrder refuses a closed
        order, so no new one starts). A trade paid meanwhile is credited, never lost, and refunded.
        """
        channel = self._deps.channel_named(order.channel)
        state = await channel.query(order.out_trade_no)
        if state.status in ("TRADE_SUCCESS", "TRADE_FINISHED") and state.total_fen == order.total_fen:
            # and refunded: see credit_many
            credited = await self.credit(order, state.trade_no, state.paid_at, channel.name)
            return "credited" if credited else "waiting"
        if state.status == "WAIT_BUYER_PAY":
            await channel.close(order.out_trade_no)
        elif state.status == "NOT_EXIST" and (order.closed_at or order.created_at) + launch_window > datetime.now(UTC):
            return "waiting"  # an order string launched before closing may still be opened
        await self._session.execute(
            update(t.payment_orders)
            .where(t.payment_orders.c.id == order.id, t.payment_orders.c.status == OrderStatus.CLOSED)
            .values(channel_closed_at=datetime.now(UTC))
        )
        return "closed"
