"""The bill's fees into the books: a sub-ledger row per matched payment, one journal entry per run.

The channel's fee is what its bill says (no fixed rate is assumed at crediting). A city's day is a million
payments: one ledger entry each took a minute and a half (a million entries, two million postings, their
foreign keys and the (kind, reference) index), so each payment's fee is a row of `payment_fees` (channel,
out_trade_no, fee) and the run posts their sum once: fees:<channel> debit, channel:<channel> credit, kind
"fee", reference fee:<channel>:<day>:<run id>; every row it wrote names that entry. A payment has at most one
row (its key), so a re-run records nothing twice; a fee recorded earlier that the bill now states otherwise
is a fee_difference break.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Select, Table, and_, exists, func, insert, literal, select
from sqlalchemy.ext.asyncio import AsyncSession

from payments import ledger
from payments import tables as t
from payments.reconciliation.breaks import BreakItem


def _new_fees(bill: Table, channel: str) -> Select[tuple[str, str, int]]:
    """The bill's matched payments of `channel` with a fee and no row yet: (out_trade_no, order_id, fee_fen)."""
    orders, fees = t.payment_orders, t.payment_fees
    recorded = exists(select(1).where(fees.c.channel == channel, fees.c.out_trade_no == bill.c.reference))
    return (
        select(bill.c.reference, orders.c.id, bill.c.fee_fen)
        .select_from(bill.join(orders, orders.c.out_trade_no == bill.c.reference))
        .where(
            bill.c.kind == "payment",
            bill.c.fee_fen != 0,
            orders.c.channel == channel,
            orders.c.total_fen == bill.c.amount_fen,
            ~recorded,
        )
    )


async def post(
    session: AsyncSession, bill: Table, channel: str, day: date, run_id: int, now: datetime
) -> tuple[int, int]:
    """Record the fee of every payment in the bill that matches an order of `channel` and has none yet, and
    post their sum as one entry (none when there is nothing new); (payments recorded, fen)."""
    new = _new_fees(bill, channel).subquery()
    count, fen = (await session.execute(select(func.count(), func.coalesce(func.sum(new.c.fee_fen), 0)))).one()
    count, fen = int(count), int(fen)
    if not count or not fen:  # nothing new; or fees that cancel out, which no entry can post (left for a later bill)
        return 0, 0
    fee_account, channel_account = f"fees:{channel}", f"channel:{channel}"
    reference = f"fee:{channel}:{day.isoformat()}:{run_id}"
    entry_id = await ledger.post(
        session,
        kind="fee",
        reference=reference,
        memo=f"channel fees of {count} payments",
        postings=[(fee_account, fen), (channel_account, -fen)],
    )
    chosen = _new_fees(bill, channel).add_columns(literal(channel), literal(day), literal(run_id), literal(entry_id))
    # The same rows as counted above, in this very transaction: another run of the channel's day writing the
    # same payments in between collides on the key and fails this one, it never doubles a fee.
    await session.execute(
        insert(t.payment_fees).from_select(
            ["out_trade_no", "order_id", "fee_fen", "channel", "day", "run_id", "entry_id"], chosen
        )
    )
    return count, fen


async def differences(session: AsyncSession, bill: Table, channel: str) -> list[BreakItem]:
    """Fees recorded earlier that the bill states otherwise."""
    fees = t.payment_fees
    rows = await session.execute(
        select(bill.c.reference, bill.c.trade_no, bill.c.fee_fen, fees.c.fee_fen.label("recorded_fen"))
        .select_from(bill.join(fees, and_(fees.c.channel == channel, fees.c.out_trade_no == bill.c.reference)))
        .where(bill.c.kind == "payment", fees.c.fee_fen != bill.c.fee_fen)
    )
    return [
        BreakItem("fee_difference", "fee", r.reference, r.trade_no, int(r.fee_fen), int(r.recorded_fen)) for r in rows
    ]
