"""Resolving a reconciliation break, with who and why in the audit trail.

- credit: a 长款 (the channel has a payment the books miss) whose order exists: the channel is asked
  about the order and the order is credited from its answer (Payments.reconcile_order).
- refund: a 长款 nobody owes: the money goes back to the payer through the channel (a request number
  derived from the break, so a repeat refunds nothing twice); the ledger holds it in suspense on the way.
- write_off: a 短款 (the books have a payment the channel does not): proposed by one finance staff
  member, approved by another (maker-checker); the approval moves the amount from channel:<x> to the
  expense writeoff:<x>.
- accepted: a difference finance explains away with a note; no money moves.

The status step is the gate: of any number of concurrent resolutions (or approvals) of a break, one
moves it, the others find it resolved. Entries are posted now, so resolving a closed day's break
posts in today's open period (payments/closing/period.py) and the closed day never changes.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from typing import Literal

from sqlalchemy import CursorResult, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from backend.errors import NotFoundError
from backend.i18n import Msgid
from payments import ledger
from payments import tables as t
from payments.channels.base import ChannelError
from payments.closing import audit
from payments.closing.errors import ClosingError, ClosingErrorCode
from payments.errors import PaymentError, PaymentErrorCode
from payments.orders import orders_by_trade_no
from payments.reconciliation.reading import Break
from payments.service import PaymentDeps, Payments

Resolution = Literal["credit", "refund", "write_off", "accepted"]
# How each resolution reads (msgids)
RESOLUTION_LABELS: dict[str, str] = {
    "credit": "Credited from the channel's answer",
    "refund": "Refunded to the payer",
    "write_off": "Written off",
    "accepted": "Accepted with a note",
    "settled": "Settled by asking the channel again",
}
LONG = "channel_only"  # 长款: on the channel's bill, not in the books
SHORT = "platform_only"  # 短款: in the books, not on the channel's bill
MISMATCH = "amount_mismatch"


_COLUMNS = [t.reconciliation_breaks.c[name] for name in Break.__struct_fields__]


async def get_break(session: AsyncSession, break_id: str) -> Break:
    """One break, or NOT_FOUND."""
    row = (await session.execute(select(*_COLUMNS).where(t.reconciliation_breaks.c.id == break_id))).first()
    if row is None:
        raise NotFoundError(break_id, field="id")
    return Break(**row._mapping)


def refund_request_no(break_id: str) -> str:
    """The refund's request number, the same every time for one break (the channel refunds it once)."""
    return "BRK" + hashlib.sha256(break_id.encode()).hexdigest()[:29]


def write_off_fen(found: Break) -> int:
    """What the books hold that the channel does not (a 短款's whole amount, a mismatch's excess)."""
    return (found.platform_fen or 0) - (found.channel_fen or 0)


class Resolutions:
    """Resolving breaks in the caller's unit of work."""

    def __init__(self, session: AsyncSession, deps: PaymentDeps) -> None:
        self._session = session
        self._deps = deps

    async def resolve(self, break_id: str, resolution: Resolution, note: str | None, actor: str) -> Break:
        """Resolve a break (a write-off is only proposed here: `approve_write_off` resolves it)."""
        note = (note or "").strip()
        if not note:
            raise ClosingError(ClosingErrorCode.NOTE_REQUIRED, field="note")
        found = await get_break(self._session, break_id)
        _check_open(found)
        _check_applicable(found, resolution)
        now = datetime.now(UTC)
        breaks = t.reconciliation_breaks.c
        still_open = (breaks.id == found.id) & (breaks.status != "resolved") & breaks.proposed_by.is_(None)
        values: dict[str, object] = {"resolution": resolution, "resolution_note": note[:500]}
        if resolution == "write_off":
            values |= {"proposed_by": actor, "proposed_at": now}
        else:
            values |= {"status": "resolved", "resolved_by": actor, "resolved_at": now}
        gate: CursorResult[tuple[()]] = await self._session.execute(  # type: ignore[assignment]
            update(t.reconciliation_breaks).where(still_open).values(**values)
        )
        if gate.rowcount != 1:
            _check_open(await get_break(self._session, break_id))  # says why: resolved, or a pending write-off
            raise ClosingError(ClosingErrorCode.BREAK_ALREADY_RESOLVED)
        data: dict[str, object] = {"resolution": resolution, "reference": found.reference}
        if resolution == "credit":
            data["outcome"] = await self._credit(found)
        elif resolution == "refund":
            data["out_request_no"] = await self._refund(found, note)
        action = "proposed" if resolution == "write_off" else "resolved"
        await audit.record(
            self._session, actor, action, day=found.day, channel=found.channel, break_id=found.id, note=note, data=data
        )
        return await get_break(self._session, break_id)

    async def approve_write_off(self, break_id: str, actor: str) -> Break:
        """A second finance staff member approves a proposed write-off: resolved, and posted."""
        found = await get_break(self._session, break_id)
        if found.status == "resolved":
            raise ClosingError(ClosingErrorCode.BREAK_ALREADY_RESOLVED)
        if not found.pending_write_off or found.resolution != "write_off":
            raise ClosingError(ClosingErrorCode.NO_WRITE_OFF_PROPOSED)
        if found.proposed_by == actor:
            raise ClosingError(ClosingErrorCode.OWN_WRITE_OFF)
        breaks = t.reconciliation_breaks.c
        gate: CursorResult[tuple[()]] = await self._session.execute(  # type: ignore[assignment]
            update(t.reconciliation_breaks)
            .where(breaks.id == found.id, breaks.status != "resolved", breaks.proposed_by == found.proposed_by)
            .values(status="resolved", resolved_by=actor, resolved_at=datetime.now(UTC))
        )
        if gate.rowcount != 1:
            raise ClosingError(ClosingErrorCode.BREAK_ALREADY_RESOLVED)
        amount = write_off_fen(found)
        if amount:  # a mismatch the channel has since matched leaves nothing to move
            await ledger.post(
                self._session,
                kind="write_off",
                reference=found.id,
                memo=f"write-off {found.reference}",
                postings=[(f"writeoff:{found.channel}", amount), (f"channel:{found.channel}", -amount)],
            )
        await audit.record(
            self._session,
            actor,
            "approved",
            day=found.day,
            channel=found.channel,
            break_id=found.id,
            note=found.resolution_note,
            data={"proposed_by": found.proposed_by, "amount_fen": amount, "reference": found.reference},
        )
        return await get_break(self._session, break_id)

    async def _credit(self, found: Break) -> str:
        order = (await orders_by_trade_no(self._session, [found.reference])).get(found.reference)
        if order is None:
            raise ClosingError(ClosingErrorCode.RESOLUTION_NOT_APPLICABLE, why=Msgid(NO_ORDER))
        if order.paid_at is not None:
            return "credited before"  # a late notification credited it meanwhile: nothing more to do
        outcome = await Payments(self._session, self._deps).reconcile_order(order)
        if outcome != "credited":
            status = CHANNEL_CLOSED if outcome == "closed" else CHANNEL_NOT_PAID
            raise ClosingError(ClosingErrorCode.CHANNEL_DOES_NOT_CONFIRM, status=Msgid(status))
        return outcome

    async def _refund(self, found: Break, note: str) -> str:
        # Asked inside the unit of work: the break's row is held by the gate meanwhile, and the request
        # number is the break's own, so a retry after a failure here refunds nothing twice.
        request_no = refund_request_no(found.id)
        amount = found.channel_fen or 0
        try:
            await self._deps.channel_named(found.channel).refund(found.reference, request_no, amount, note[:80])
        except ChannelError as error:
            raise PaymentError(PaymentErrorCode.CHANNEL_REFUSED, detail=error.code) from None
        channel = f"channel:{found.channel}"
        # The money came in unbooked and goes straight back: held in suspense for the length of the act.
        await ledger.post_many(
            self._session,
            [
                ledger.Entry(
                    kind="break_received",
                    reference=found.id,
                    memo=f"unbooked payment {found.reference}",
                    postings=[(channel, amount), ("suspense", -amount)],
                ),
                ledger.Entry(
                    kind="break_refund",
                    reference=found.id,
                    memo=f"refunded to the payer {found.reference}",
                    postings=[("suspense", amount), (channel, -amount)],
                ),
            ],
        )
        return request_no


NO_ORDER = "no order has this number: refund the payment instead"
NOT_LONG = "only a payment the channel has and the books miss can be credited or refunded"
NOT_SHORT = "only a payment the books have and the channel does not can be written off"
CHANNEL_CLOSED = "Closed"  # what the channel says of the trade
CHANNEL_NOT_PAID = "Not paid"


def _check_open(found: Break) -> None:
    if found.status == "resolved":
        raise ClosingError(ClosingErrorCode.BREAK_ALREADY_RESOLVED)
    if found.pending_write_off:
        raise ClosingError(ClosingErrorCode.WRITE_OFF_PENDING)


def _check_applicable(found: Break, resolution: Resolution) -> None:
    if resolution in ("credit", "refund") and (
        found.kind != LONG or found.entry_kind != "payment" or not found.channel_fen
    ):
        raise ClosingError(ClosingErrorCode.RESOLUTION_NOT_APPLICABLE, field="resolution", why=Msgid(NOT_LONG))
    if resolution == "write_off" and (found.kind not in (SHORT, MISMATCH) or found.entry_kind != "payment"):
        raise ClosingError(ClosingErrorCode.RESOLUTION_NOT_APPLICABLE, field="resolution", why=Msgid(NOT_SHORT))
