"""The bill's fees into the ledger: one entry per matched payment, posted once, in three statements.

The channel's fee is what its bill says (no fixed rate is assumed at crediting): fees:<channel> debit,
channel:<channel> credit, kind "fee", reference out_trade_no. The ledger's unique (kind, reference)
means a re-run posts nothing twice; a fee posted earlier that the bill now states otherwise is a
fee_difference break.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Table, and_, bindparam, exists, func, insert, literal, select
from sqlalchemy.ext.asyncio import AsyncSession

from backend.db.types import UTCDateTime
from payments import ledger
from payments import tables as t
from payments.reconciliation.breaks import BreakItem


async def post(session: AsyncSession, bill: Table, channel: str, now: datetime) -> tuple[int, int]:
    """Post the fee of every payment in the bill that matches an order of `channel` and has none yet;
    (entries posted, fen)."""
    entries, postings, orders = t.journal_entries, t.postings, t.payment_orders
    fee_account, channel_account = f"fees:{channel}", f"channel:{channel}"
    await ledger.ensure_accounts(session, [fee_account, channel_account])
    last = int((await session.execute(select(func.coalesce(func.max(entries.c.id), 0)))).scalar_one())
    already = exists(select(1).where(entries.c.kind == "fee", entries.c.reference == bill.c.reference))
    chosen = (
        select(
            literal("fee").label("kind"),
            bill.c.reference,
            orders.c.id,
            (literal("channel fee ") + bill.c.reference).label("memo"),
            bindparam("now", now, type_=UTCDateTime),
        )
        .select_from(bill.join(orders, orders.c.out_trade_no == bill.c.reference))
        .where(
            bill.c.kind == "payment",
            bill.c.fee_fen != 0,
            orders.c.channel == channel,
            orders.c.total_fen == bill.c.amount_fen,
            ~already,
        )
    )
    await session.execute(insert(entries).from_select(["kind", "reference", "order_id", "memo", "at"], chosen))
    new = (
        select(entries.c.id, bill.c.fee_fen)
        .select_from(entries.join(bill, and_(bill.c.kind == "payment", bill.c.reference == entries.c.reference)))
        .where(entries.c.kind == "fee", entries.c.id > last)
    )
    for account, sign in ((fee_account, 1), (channel_account, -1)):
        fee = new.subquery()
        await session.execute(
            insert(postings).from_select(
                ["entry_id", "account", "amount_fen"],
                select(fee.c.id, literal(account), fee.c.fee_fen * sign),
            )
        )
    fee = new.subquery()
    count, fen = (await session.execute(select(func.count(), func.coalesce(func.sum(fee.c.fee_fen), 0)))).one()
    return int(count), int(fen)


async def differences(session: AsyncSession, bill: Table, channel: str) -> list[BreakItem]:
    """Fees posted earlier that the bill states otherwise."""
    entries, postings = t.journal_entries, t.postings
    rows = await session.execute(
        select(bill.c.reference, bill.c.trade_no, bill.c.fee_fen, postings.c.amount_fen)
        .select_from(
            bill.join(entries, and_(entries.c.kind == "fee", entries.c.reference == bill.c.reference)).join(
                postings, and_(postings.c.entry_id == entries.c.id, postings.c.account == f"fees:{channel}")
            )
        )
        .where(bill.c.kind == "payment", postings.c.amount_fen != bill.c.fee_fen)
    )
    return [
        BreakItem("fee_difference", "fee", r.reference, r.trade_no, int(r.fee_fen), int(r.amount_fen)) for r in rows
    ]
