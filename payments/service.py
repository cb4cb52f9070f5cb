"""Paying, crediting exactly once, refunding a department's share, and reconciling with the channel.

The caller owns the unit of work (one transaction per call) and commits; a notification is
acknowledged only after the credit is durable, so a crash between crediting and answering means the
channel retries and the retry finds the order already paid (the credit's ledger entries and the
order's open -> paid step both happen once).
"""

from __future__ import annotations

import hashlib
import json
import time
import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

import msgspec
import structlog
from sqlalchemy import case, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from backend.db import tables as t
from backend.db.engine import execute
from payments import ledger
from payments.channels.base import Channel, ChannelError, Method, PaymentLaunch, PaymentRequest
from payments.money import to_yuan
from payments.orders import Order, get_order, orders_by_trade_no
from payments.receipts import Receipt, ReceiptIssuer, receipts_of_order

log = structlog.get_logger("payments")
_DEPARTMENTS: dict[str, tuple[float, dict[str, dict[str, Any]]]] = {}
T = TypeVar("T")


class PaymentError(Exception):
    """An expected refusal with a stable code (the transport layer localizes it)."""

    def __init__(self, code: str, **params: Any) -> None:
        super().__init__(code)
        self.code = code
        self.params = params


@dataclass
class PaymentDeps:
    """What the payment service needs from the process."""

    channel: Channel
    issuer: ReceiptIssuer
    notify_url: str
    fee_per_mille: int = 6  # the channel's service fee, borne by the platform
    closers: list[Callable[[], Awaitable[None]]] = field(default_factory=list)

    async def close(self) -> None:
        """Release what the payment parts hold (the receipt stand-in's pool)."""
        for close in self.closers:
            await close()


class Refund(msgspec.Struct, frozen=True, kw_only=True):
    """A refund of one department's share."""

    id: str
    order_id: str
    out_request_no: str
    department_code: str
    amount_fen: int
    reason: str
    receipt: Receipt | None


class Payments:
    """Payments in one unit of work."""

    def __init__(self, session: AsyncSession, deps: PaymentDeps) -> None:
        self._session = session
        self._deps = deps

    # --- idempotency -------------------------------------------------------------------------------
    async def _idempotent(
        self, actor: str, key: str, operation: str, request: Any, work: Callable[[], Awaitable[dict[str, Any]]]
    ) -> dict[str, Any]:
        """The first answer for (actor, key); the same key with another request is refused."""
        digest = hashlib.sha256(json.dumps(request, sort_keys=True, default=str).encode()).hexdigest()
        found = (
            await execute(
                self._session,
                select(t.idempotency_keys).where(t.idempotency_keys.c.actor == actor, t.idempotency_keys.c.key == key),
            )
        ).first()
        if found is not None:
            if found.operation != operation or found.request_hash != digest:
                raise PaymentError("IDEMPOTENCY_KEY_REUSED")
            stored: dict[str, Any] = found.response
            return stored
        response = await work()
        await self._session.execute(
            t.idempotency_keys.insert().values(
                actor=actor,
                key=key,
                operation=operation,
                request_hash=digest,
                response=response,
                created_at=datetime.now(UTC),
            )
        )
        return response

    # --- paying ------------------------------------------------------------------------------------
    async def pay(
        self, order_id: str, citizen_id: str, method: Method, idempotency_key: str
    ) -> tuple[Order, PaymentLaunch]:
        """What the app needs to launch the payment; the same key returns the same launch."""
        order = await get_order(self._session, order_id)
        if order is None or order.citizen_id != citizen_id:
            raise PaymentError("NOT_FOUND", what=order_id)
        if order.status != "open":
            raise PaymentError("ORDER_NOT_PAYABLE", status=order.status)

        async def launch() -> dict[str, Any]:
            request = PaymentRequest(
                out_trade_no=order.out_trade_no,
                total_fen=order.total_fen,
                subject=order.subject,
                method=method,
                notify_url=self._deps.notify_url,
            )
            try:
                result = await self._deps.channel.launch(request)
            except ChannelError as error:
                raise PaymentError("CHANNEL_UNAVAILABLE", detail=error.code) from None
            await self._session.execute(
                update(t.payment_orders)
                .where(t.payment_orders.c.id == order.id)
                .values(channel=self._deps.channel.name)
            )
            return msgspec.to_builtins(result)  # type: ignore[no-any-return]

        response = await self._idempotent(
            citizen_id, idempotency_key, "pay", {"order": order_id, "method": method}, launch
        )
        return order, msgspec.convert(response, PaymentLaunch)

    # --- crediting ---------------------------------------------------------------------------------
    async def handle_notifications(self, batch: Sequence[dict[str, str]]) -> list[tuple[bool, str]]:
        """Verify and apply notifications in this unit of work, each judged on its own.

        Several notifications for the same order (duplicates arriving together) credit it once: the
        first is `credited`, the others `duplicate`. Every one is recorded with its outcome.
        """
        channel = self._deps.channel
        notes = [channel.parse_notification(params) for params in batch]
        orders = await orders_by_trade_no(self._session, [n.out_trade_no for n in notes if n.out_trade_no])
        outcomes: list[str] = []
        to_credit: dict[str, tuple[Order, str | None, datetime | None]] = {}
        for note in notes:
            order = orders.get(note.out_trade_no or "")
            outcome = self._judge(note, order)
            if outcome == "credit" and order is not None:
                outcome = "credit" if order.id not in to_credit else "duplicate"
                to_credit.setdefault(order.id, (order, note.trade_no, note.paid_at))
            outcomes.append(outcome)
        credited = await self.credit_many(list(to_credit.values())) if to_credit else set()
        for i, note in enumerate(notes):
            if outcomes[i] == "credit":
                order = orders[note.out_trade_no or ""]
                outcomes[i] = "credited" if order.id in credited else "duplicate"
        now = datetime.now(UTC)
        await self._session.execute(
            t.channel_notifications.insert(),
            [
                {"channel": channel.name, "notify_id": note.notify_id, "out_trade_no": note.out_trade_no,
                 "outcome": outcome, "params": {k: v for k, v in params.items() if k != "sign"}, "received_at": now}
                for note, outcome, params in zip(notes, outcomes, batch, strict=True)
            ],
        )  # fmt: skip
        for note, outcome in zip(notes, outcomes, strict=True):
            if outcome.startswith("rejected"):
                log.warning("payments.notification_rejected", outcome=outcome, out_trade_no=note.out_trade_no)
        return [(not outcome.startswith("rejected"), outcome) for outcome in outcomes]

    def _judge(self, note: Any, order: Order | None) -> str:
        """What a notification deserves before crediting: `credit`, or why not."""
        channel = self._deps.channel
        if not note.authentic:
            return "rejected:signature"
        if note.app_id != channel.app_id or note.seller_id != channel.seller_id:
            return "rejected:merchant"
        if order is None:
            return "rejected:unknown_order"
        if note.total_fen != order.total_fen:
            return "rejected:amount"
        if note.status not in ("TRADE_SUCCESS", "TRADE_FINISHED"):
            return f"ignored:{note.status}"
        return "credit"

    async def credit(self, order: Order, trade_no: str | None, channel_paid_at: datetime | None = None) -> bool:
        """Mark the order paid, post the ledger, issue the receipts; False when it was credited before."""
        return order.id in await self.credit_many([(order, trade_no, channel_paid_at)])

    async def credit_many(self, items: Sequence[tuple[Order, str | None, datetime | None]]) -> set[str]:
        """Credit several orders in this unit of work; returns the ids of those credited now (not before).

        The status step is the gate: of any number of concurrent credits of an order, one moves it
        open -> paid, and only the orders it moved get ledger entries and receipts.
        """
        now = datetime.now(UTC)
        ids = [order.id for order, _, _ in items]
        column = t.payment_orders.c.id
        moved_rows = await self._session.execute(
            update(t.payment_orders)
            .where(column.in_(ids), t.payment_orders.c.status.in_(["open", "closed"]))
            .values(
                status="paid",
                paid_at=now,
                channel_paid_at=case({o.id: paid or now for o, _, paid in items}, value=column),
                channel_trade_no=case({o.id: trade for o, trade, _ in items}, value=column),
                channel=self._deps.channel.name,
            )
            .returning(column)
        )
        moved = {row.id for row in moved_rows}
        credited = [order for order, _, _ in items if order.id in moved]
        if not credited:
            return moved
        entries = [entry for order in credited for entry in self._credit_entries(order)]
        await ledger.post_many(self._session, entries)
        await self._issue_receipts(credited)
        return moved

    def _credit_entries(self, order: Order) -> list[ledger.Entry]:
        """The payment, its split to the departments (清分) and the channel's fee."""
        channel = f"channel:{self._deps.channel.name}"
        fee = (order.total_fen * self._deps.fee_per_mille + 500) // 1000
        reference, memo = order.out_trade_no, f"{order.subject} {to_yuan(order.total_fen)}"
        split: dict[str, int] = {}
        for line in order.lines:
            split[f"dept:{line.department_code}"] = split.get(f"dept:{line.department_code}", 0) + line.amount_fen
        entries = [
            ledger.Entry(kind="payment", reference=reference, memo=memo, order_id=order.id,
                         postings=[(channel, order.total_fen), ("clearing", -order.total_fen)]),
            ledger.Entry(kind="split", reference=reference, memo=f"清分 {reference}", order_id=order.id,
                         postings=[("clearing", order.total_fen), *((a, -f) for a, f in split.items())]),
        ]  # fmt: skip
        if fee:
            entries.append(
                ledger.Entry(kind="fee", reference=reference, memo=f"channel fee {reference}", order_id=order.id,
                             postings=[(f"fees:{self._deps.channel.name}", fee), (channel, -fee)])
            )  # fmt: skip
        return entries

    async def _departments(self, codes: set[str]) -> dict[str, dict[str, Any]]:
        """Issuing units (name, fiscal code); read at most once a minute per process and database."""
        key = str(self._session.get_bind().engine.url)
        cached_at, cached = _DEPARTMENTS.get(key, (0.0, {}))
        if time.monotonic() - cached_at > 60 or not codes <= cached.keys():
            rows = await execute(
                self._session, select(t.departments.c.code, t.departments.c.name, t.departments.c.fiscal_code)
            )
            cached = {r.code: {"code": r.code, "name": r.name, "fiscal_code": r.fiscal_code} for r in rows}
            _DEPARTMENTS[key] = (time.monotonic(), cached)
        return {code: cached[code] for code in codes if code in cached}

    async def _payers(self, citizen_ids: set[str]) -> dict[str, str]:
        rows = await execute(
            self._session, select(t.citizens.c.id, t.citizens.c.name).where(t.citizens.c.id.in_(citizen_ids))
        )
        return {row.id: row.name or "—" for row in rows}

    async def _issue_receipts(self, orders: Sequence[Order]) -> None:
        """One receipt per department of each order, all stored in one insert."""
        departments = await self._departments({x.department_code for order in orders for x in order.lines})
        payers = await self._payers({order.citizen_id for order in orders})
        batch = [
            (order.id, payers.get(order.citizen_id, "—"), departments[code], [
                {"item_code": x.item_code, "name": x.name, "amount_fen": x.amount_fen, "matter_code": x.matter_code}
                for x in order.lines if x.department_code == code
            ])
            for order in orders
            for code in sorted(departments.keys() & {x.department_code for x in order.lines})
        ]  # fmt: skip
        await self._deps.issuer.issue_many(self._session, batch)

    # --- refunding ----------------------------------------------------------------------------------
    async def refund(
        self, order_id: str, department_code: str, amount_fen: int | None, reason: str, actor: str, idempotency_key: str
    ) -> Refund:
        """Refund (part of) one department's share: through the channel, reversing exactly that share."""

        # The channel's request number comes from the caller's idempotency key: a retry after a crash
        # repeats the same request (the channel refunds once), and two different refunds never share one.
        request_id = hashlib.sha256(f"{actor}|{idempotency_key}".encode()).hexdigest()[:10].upper()

        async def work() -> dict[str, Any]:
            refund = await self._refund(order_id, department_code, amount_fen, reason, actor, request_id)
            return msgspec.to_builtins(refund)  # type: ignore[no-any-return]

        request = {"order": order_id, "department": department_code, "amount": amount_fen, "reason": reason}
        response = await self._idempotent(actor, idempotency_key, "refund", request, work)
        return msgspec.convert(response, Refund)

    async def _refund(
        self, order_id: str, department_code: str, amount_fen: int | None, reason: str, actor: str, request_id: str
    ) -> Refund:
        # Take the order's lock before reading it: a concurrent refund of the same order waits here and
        # then sees this one's amounts (PostgreSQL row lock; SQLite's single writer).
        await self._session.execute(
            update(t.payment_orders)
            .where(t.payment_orders.c.id == order_id)
            .values(refunded_fen=t.payment_orders.c.refunded_fen)
        )
        order = await get_order(self._session, order_id)
        if order is None:
            raise PaymentError("NOT_FOUND", what=order_id)
        if order.status not in ("paid", "refunded"):
            raise PaymentError("ORDER_NOT_REFUNDABLE", status=order.status)
        paid, refunded = order.department_fen(department_code)
        amount = paid - refunded if amount_fen is None else amount_fen
        if amount <= 0 or amount > paid - refunded:
            raise PaymentError("REFUND_EXCEEDS_SHARE", available=to_yuan(paid - refunded))
        out_request_no = f"{order.out_trade_no}R{request_id}"
        try:
            await self._deps.channel.refund(order.out_trade_no, out_request_no, amount, reason)
        except ChannelError as error:
            raise PaymentError("CHANNEL_REFUSED", detail=error.code) from None
        refund_id = str(uuid.uuid4())
        await self._session.execute(
            t.refunds.insert().values(
                id=refund_id,
                order_id=order.id,
                out_request_no=out_request_no,
                department_code=department_code,
                amount_fen=amount,
                reason=reason[:200],
                status="done",
                requested_by=actor,
                created_at=datetime.now(UTC),
            )
        )
        channel = f"channel:{self._deps.channel.name}"
        await ledger.post(
            self._session,
            kind="refund",
            reference=out_request_no,
            memo=f"refund {reason}"[:200],
            order_id=order.id,
            postings=[(f"dept:{department_code}", amount), (channel, -amount)],
        )
        await self._allocate_refund(order, department_code, amount)
        receipt = await self._reverse_receipt(order, department_code, amount, paid, refunded)
        return Refund(
            id=refund_id,
            order_id=order.id,
            out_request_no=out_request_no,
            department_code=department_code,
            amount_fen=amount,
            reason=reason,
            receipt=receipt,
        )

    async def _allocate_refund(self, order: Order, department_code: str, amount: int) -> None:
        left = amount
        for line in order.lines:
            if line.department_code != department_code or left == 0:
                continue
            take = min(left, line.amount_fen - line.refunded_fen)
            if take:
                await self._session.execute(
                    update(t.order_lines)
                    .where(t.order_lines.c.order_id == order.id, t.order_lines.c.line_no == line.line_no)
                    .values(refunded_fen=t.order_lines.c.refunded_fen + take)
                )
                left -= take
        total_refunded = order.refunded_fen + amount  # read under the order's lock (see _refund)
        await self._session.execute(
            update(t.payment_orders)
            .where(t.payment_orders.c.id == order.id, t.payment_orders.c.refunded_fen == order.refunded_fen)
            .values(refunded_fen=total_refunded, status="refunded" if total_refunded == order.total_fen else "paid")
        )

    async def _reverse_receipt(
        self, order: Order, department_code: str, amount: int, paid: int, refunded: int
    ) -> Receipt | None:
        original = next(
            (
                r
                for r in await receipts_of_order(self._session, order.id)
                if r.department_code == department_code and r.kind == "normal"
            ),
            None,
        )
        if original is None:
            return None
        fully = refunded + amount == paid
        await self._session.execute(
            update(t.receipts)
            .where(t.receipts.c.id == original.id)
            .values(status="reversed" if fully else "partially_reversed")
        )
        items = [
            {
                "item_code": "REFUND",
                "name": {"zh-Hans": "冲红", "zh-Hant": "沖紅", "en": "Reversal"},
                "amount_fen": -amount,
                "reverses": f"{original.bill_code}-{original.bill_number}",
            }
        ]
        return await self._deps.issuer.issue(
            self._session,
            order_id=order.id,
            department=original.issuer,
            payer=original.payer,
            items=items,
            kind="red",
            reverses=original.id,
        )

    # --- reconciling ---------------------------------------------------------------------------------
    async def reconcile_order(self, order: Order) -> str:
        """Ask the channel about one open order: "credited", "closed", or "open" (still waiting)."""
        state = await self._deps.channel.query(order.out_trade_no)
        if state.status in ("TRADE_SUCCESS", "TRADE_FINISHED") and state.total_fen == order.total_fen:
            return "credited" if await self.credit(order, state.trade_no, state.paid_at) else "open"
        if state.status == "TRADE_CLOSED":
            await self._session.execute(
                update(t.payment_orders)
                .where(t.payment_orders.c.id == order.id, t.payment_orders.c.status == "open")
                .values(status="closed", closed_at=datetime.now(UTC))
            )
            return "closed"
        return "open"

    async def close_at_channel(self, order: Order, launch_window: timedelta) -> str:
        """Make a locally closed order unpayable at the channel too: "closed", "credited" or "waiting".

        A refused application's order closes here at once, but the citizen may hold an order string
        or QR code the channel still accepts. An opened trade is closed at the channel; a trade never
        opened is settled once every launch's payment window has passed (payOrder refuses a closed
        order, so no new one starts). A trade paid meanwhile is credited, never lost: finance refunds it.
        """
        state = await self._deps.channel.query(order.out_trade_no)
        if state.status in ("TRADE_SUCCESS", "TRADE_FINISHED") and state.total_fen == order.total_fen:
            credited = await self.credit(order, state.trade_no, state.paid_at)
            log.warning("payments.paid_after_closing", out_trade_no=order.out_trade_no, order_id=order.id)
            return "credited" if credited else "waiting"
        if state.status == "WAIT_BUYER_PAY":
            await self._deps.channel.close(order.out_trade_no)
        elif state.status == "NOT_EXIST" and (order.closed_at or order.created_at) + launch_window > datetime.now(UTC):
            return "waiting"  # an order string launched before closing may still be opened
        await self._session.execute(
            update(t.payment_orders)
            .where(t.payment_orders.c.id == order.id, t.payment_orders.c.status == "closed")
            .values(channel_closed_at=datetime.now(UTC))
        )
        return "closed"
