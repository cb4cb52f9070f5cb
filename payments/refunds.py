"""Refunding (part of) one department's share: the channel is called between two short transactions.

1. Reserve: the idempotency key, then (under the order's lock) the share: a refund row `pending`
   with its channel request number. Committed.
2. Ask the channel to refund, outside any transaction (the request number makes a repeat harmless).
3. Book: `pending` -> `done` (the gate: once), the ledger reversal, the order's lines, the red-letter
   receipt, and the key's answer. Committed.

A refusal from the channel gives the share back. When the outcome is unknown (the channel was not
reached, or has not confirmed yet) the refund stays pending: the same key asked again, or the
reconciling job, asks the channel again and books it. Requests that arrive with the same key while
the first is at work wait for its answer.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import msgspec
import structlog
from sqlalchemy import delete, or_, select, true, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from backend.db.engine import unit_of_work
from backend.errors import CommonErrorCode, DomainError
from payments import duplicates, idempotency, ledger
from payments import tables as t
from payments.channels.base import DEFAULT_CHANNEL, ChannelError, Notification
from payments.errors import PaymentError, PaymentErrorCode
from payments.orders import Line, Order, OrderStatus, get_order
from payments.receipts import Receipt, receipts_of_order
from payments.refund_shares import (
    PLATFORM_CAUSES,
    PendingRefund,
    Refund,
    booked_refund,
    refund_of,
    refused_matter,
    reserve_share,
)
from payments.service import PaymentDeps

log = structlog.get_logger("payments.refunds")

# A reservation this old belongs to a request that died between its steps: the same key takes it over.
TAKE_OVER_SECONDS = 60.0
# What the channel answers when it cannot say whether the refund happened (it may still).
UNCERTAIN = frozenset(
    {"UNREACHABLE", "GATEWAY_ERROR", "REFUND_UNCONFIRMED", "ACQ.SYSTEM_ERROR", "SYSTEM_ERROR", "REFUND_PROCESSING"}
)


class Refunds:
    """Refunds, each in its own short transactions (see the module's docstring)."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession], deps: PaymentDeps) -> None:
        self._sessions = sessions
        self._deps = deps

    async def refund(
        self,
        order_id: str,
        department_code: str,
        amount_fen: int | None,
        reason: str,
        actor: str,
        idempotency_key: str,
        *,
        departments: frozenset[str] | None = None,
    ) -> Refund:
        """Refund (part of) one department's share, once per key: the same key gets the same answer.

        `departments`: the shares the actor may refund (an officer's own departments); None: any (finance).
        """
        if departments is not None and department_code not in departments:
            raise DomainError(CommonErrorCode.NOT_YOUR_DEPARTMENT, field="departmentCode")
        request = {"order": order_id, "department": department_code, "amount": amount_fen, "reason": reason}
        stored = await idempotency.reserved_once(
            self._sessions,
            lambda session: idempotency.reserve(session, actor, idempotency_key, "refund", request),
            take_over_after=TAKE_OVER_SECONDS,
        )
        if stored is not None:
            return msgspec.convert(stored, Refund)
        try:
            async with self._sessions() as session, unit_of_work(session):
                found = await reserve_share(
                    session, order_id, department_code, amount_fen, reason, actor, idempotency_key
                )
                if isinstance(found, Refund):  # booked already (by the job, after this key was given up)
                    await idempotency.answer(session, actor, idempotency_key, msgspec.to_builtins(found))
                    return found
        except PaymentError:
            async with self._sessions() as session, unit_of_work(session):
                await idempotency.release(session, actor, idempotency_key)
            raise
        return await self._finish(found)

    async def finish_pending(self, older_than: datetime, *, order_id: str | None = None) -> int:
        """Ask the channel again about refunds left pending before `older_than`, and book them; how many.

        The platform's own refunds (a refusal's, a closed order's: no request waits on them) are asked
        at once, whatever their age; `order_id` limits the pass to one order's.
        """
        is_pending = t.refunds.c.status == "pending"
        due = or_(t.refunds.c.created_at < older_than, t.refunds.c.requested_by.in_(PLATFORM_CAUSES))
        of_order = t.refunds.c.order_id == order_id if order_id is not None else true()
        async with self._sessions() as session:
            rows = (
                await session.execute(
                    select(t.refunds, t.payment_orders.c.out_trade_no, t.payment_orders.c.channel)
                    .join(t.payment_orders, t.payment_orders.c.id == t.refunds.c.order_id)
                    .where(is_pending, due, of_order)
                )
            ).all()
        booked = 0
        for row in rows:
            pending = _pending(row)
            try:
                await self._finish(pending)
                booked += 1
            except PaymentError as error:
                log.warning("payments.refund_still_pending", out_request_no=row.out_request_no, code=error.code)
        return booked

    async def finish_platform_refunds(self, order_id: str) -> int:
        """Ask the channel now about the platform's own pending refunds of one order (a refusal's, a
        closed order's), and book them; how many. What the channel does not confirm waits for the job."""
        return await self.finish_pending(datetime(1970, 1, 1, tzinfo=UTC), order_id=order_id)

    async def _finish(self, pending: PendingRefund) -> Refund:
        """Ask the channel (no transaction open), then book what it did."""
        try:
            done = await self._deps.channel_named(pending.channel).refund(
                pending.out_trade_no, pending.out_request_no, pending.amount_fen, pending.reason
            )
        except ChannelError as error:
            async with self._sessions() as session, unit_of_work(session):
                if pending.idempotency_key is not None:
                    await idempotency.release(session, pending.actor, pending.idempotency_key)
                if error.code not in UNCERTAIN:  # refused: the share is free again
                    await session.execute(
                        delete(t.refunds).where(t.refunds.c.id == pending.id, t.refunds.c.status == "pending")
                    )
            if error.code == "REFUND_PROCESSING":  # accepted: its notification (or the job's query) books it
                raise PaymentError(PaymentErrorCode.REFUND_PROCESSING) from None
            if error.code in UNCERTAIN:
                log.warning("payments.refund_uncertain", out_request_no=pending.out_request_no, code=error.code)
                raise PaymentError(PaymentErrorCode.CHANNEL_UNAVAILABLE, detail=error.code) from None
            raise PaymentError(PaymentErrorCode.CHANNEL_REFUSED, detail=error.code) from None
        async with self._sessions() as session, unit_of_work(session):
            refund = await self._book(session, pending, done.refunded_at)
            if pending.idempotency_key is not None:
                await idempotency.answer(session, pending.actor, pending.idempotency_key, msgspec.to_builtins(refund))
        return refund

    async def book_notified(self, session: AsyncSession, note: Notification) -> str:
        """Book the refund a channel's notification confirms, in the caller's unit of work; the outcome.

        REFUND.SUCCESS books the pending refund (or a second payment's refund); any other status
        (ABNORMAL is not final) books nothing: the reconciling job asks the channel again.
        """
        if note.status != "REFUND_SUCCESS":
            return f"ignored:{note.status}"
        number = note.request_no or ""
        row = (
            await session.execute(
                select(t.refunds, t.payment_orders.c.out_trade_no, t.payment_orders.c.channel)
                .join(t.payment_orders, t.payment_orders.c.id == t.refunds.c.order_id)
                .where(t.refunds.c.out_request_no == number)
            )
        ).first()
        if row is None:
            duplicate = await duplicates.by_request_no(session, number)
            if duplicate is None:
                return "rejected:unknown_refund"
            if note.refund_fen != duplicate.amount_fen:
                return "rejected:amount"
            booked = await duplicates.book_refund(session, duplicate, self._deps.events, note.refunded_at)
            return "second_payment_refunded" if booked else "duplicate"
        if note.refund_fen != row.amount_fen:
            return "rejected:amount"
        if row.status != "pending":
            return "duplicate"
        await self._book(session, _pending(row), note.refunded_at)
        return "refund_booked"

    async def finish_duplicates(self, ids: set[str] | None = None) -> int:
        """Refund second payments through their channels (all unrefunded ones when `ids` is None) and
        book what the channel confirms at once; how many were booked."""
        async with self._sessions() as session:
            found = await duplicates.unrefunded(session, ids)
        booked = 0
        for duplicate in found:
            channel = self._deps.channel_named(duplicate.channel)
            try:
                done = await channel.refund(
                    duplicate.out_trade_no, duplicate.out_request_no, duplicate.amount_fen, duplicates.REASON
                )
            except ChannelError as error:  # processing, or unreachable: the notification or the job books it
                log.warning("payments.second_payment_refund_pending", number=duplicate.out_request_no, code=error.code)
                continue
            async with self._sessions() as session, unit_of_work(session):
                booked += await duplicates.book_refund(session, duplicate, self._deps.events, done.refunded_at)
        return booked

    async def _book(self, session: AsyncSession, pending: PendingRefund, refunded_at: datetime | None) -> Refund:
        await session.execute(
            update(t.payment_orders)
            .where(t.payment_orders.c.id == pending.order_id)
            .values(refunded_fen=t.payment_orders.c.refunded_fen)
        )
        gate = await session.execute(
            update(t.refunds)
            .where(t.refunds.c.id == pending.id, t.refunds.c.status == "pending")
            # the channel's time puts it on its bill's day (reconciliation falls back to created_at without it)
            .values(status="done", channel_refunded_at=refunded_at)
        )
        if gate.rowcount != 1:  # type: ignore[attr-defined]
            return await self._booked(session, pending)  # another request (or the job) booked it meanwhile
        order = await get_order(session, pending.order_id)
        assert order is not None
        paid, refunded = order.department_fen(pending.department_code)
        channel = f"channel:{pending.channel}"
        await ledger.post(
            session,
            kind="refund",
            reference=pending.out_request_no,
            memo=f"refund {pending.reason}"[:200],
            order_id=order.id,
            postings=[(f"dept:{pending.department_code}", pending.amount_fen), (channel, -pending.amount_fen)],
        )
        matter = refused_matter(pending.actor, pending.idempotency_key)
        taken = await _allocate(session, order, pending.department_code, pending.amount_fen, matter)
        receipt = await self._reverse_receipt(session, order, pending.department_code, taken, paid, refunded)
        if receipt is not None:
            await session.execute(update(t.refunds).where(t.refunds.c.id == pending.id).values(receipt_id=receipt.id))
        # The payer hears of it with the booking (inbox and SMS), whoever asked for it
        await self._deps.events.refunded(
            session, order, pending.amount_fen, PLATFORM_CAUSES.get(pending.actor, "requested"), refund_id=pending.id
        )
        return refund_of(pending, receipt)

    async def _booked(self, session: AsyncSession, pending: PendingRefund) -> Refund:
        """The refund as whoever booked it first did (another request with the key, or the job)."""
        row = (await session.execute(select(t.refunds).where(t.refunds.c.id == pending.id))).one()
        return await booked_refund(session, row)

    async def _reverse_receipt(
        self,
        session: AsyncSession,
        order: Order,
        department_code: str,
        taken: list[tuple[Line, int]],
        paid: int,
        refunded: int,
    ) -> Receipt | None:
        original = next(
            (
                r
                for r in await receipts_of_order(session, order.id)
                if r.department_code == department_code and r.kind == "normal"
            ),
            None,
        )
        if original is None:
            return None
        fully = refunded + sum(take for _, take in taken) == paid
        await session.execute(
            update(t.receipts)
            .where(t.receipts.c.id == original.id)
            .values(status="reversed" if fully else "partially_reversed")
        )
        # Each fee given back, by the code and name the original receipt listed it under, negated; the
        # reversal cites the original's code and number, and is of its category (signed with it).
        items: list[dict[str, Any]] = [
            {
                "item_code": line.item_code,
                "name": line.name,
                "amount_fen": -take,
                "matter_code": line.matter_code,
                "reverses": f"{original.bill_code}-{original.bill_number}",
                "original_bill_code": original.bill_code,
                "original_bill_number": original.bill_number,
                "fee_kind": original.category,
            }
            for line, take in taken
        ]
        return await self._deps.issuer.issue(
            session,
            order_id=order.id,
            department=original.issuer,
            payer=original.payer,
            items=items,
            kind="red",
            reverses=original.id,
        )


def _pending(row: Any) -> PendingRefund:
    """A pending refund from its row joined with its order's trade number and channel."""
    return PendingRefund(
        id=row.id,
        order_id=row.order_id,
        out_trade_no=row.out_trade_no,
        channel=row.channel or DEFAULT_CHANNEL,
        out_request_no=row.out_request_no,
        department_code=row.department_code,
        amount_fen=row.amount_fen,
        reason=row.reason,
        actor=row.requested_by,
        idempotency_key=row.idempotency_key,
    )


async def _allocate(
    session: AsyncSession, order: Order, department_code: str, amount: int, matter_code: str | None = None
) -> list[tuple[Line, int]]:
    """Spread a refund over the department's lines (`matter_code`'s first: a refused bundle item's),
    and move the order's refunded total (under its lock); what was taken from each line."""
    taken: list[tuple[Line, int]] = []
    left = amount
    for line in sorted(
        order.lines, key=lambda x: (matter_code is not None and x.matter_code != matter_code, x.line_no)
    ):
        if line.department_code != department_code or left == 0:
            continue
        take = min(left, line.amount_fen - line.refunded_fen)
        if take:
            await session.execute(
                update(t.order_lines)
                .where(t.order_lines.c.order_id == order.id, t.order_lines.c.line_no == line.line_no)
                .values(refunded_fen=t.order_lines.c.refunded_fen + take)
            )
            taken.append((line, take))
            left -= take
    total_refunded = order.refunded_fen + amount
    await session.execute(
        update(t.payment_orders)
        .where(t.payment_orders.c.id == order.id, t.payment_orders.c.refunded_fen == order.refunded_fen)
        .values(
            refunded_fen=total_refunded,
            status=OrderStatus.REFUNDED if total_refunded == order.total_fen else OrderStatus.PAID,
        )
    )
    return taken
