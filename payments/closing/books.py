"""A Beijing day's figures per department and channel, from each of the four sources that must agree:
the channel's bill (as the latest reconciliation run saw it), the books (the ledger's postings in the
day's period), the receipts (issued minus reversed) and the clearing due to the department.

Amounts are integer fen. `as_of` bounds what a closed day's record reads besides the ledger (receipts,
runs, breaks written after the day was closed are not its), so recomputing the record later gives the
same figures.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta

import msgspec
from sqlalchemy import ColumnElement, func, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from payments import tables as t
from payments.channels.base import DEFAULT_CHANNEL
from payments.closing.period import closing_times, cuts, day_start, moment_period, period
from payments.closing.resolutions import LONG, MISMATCH, SHORT
from payments.orders import orders_by_trade_no
from payments.reconciliation.reading import Break

UNATTRIBUTED = ""  # a bill's payment no order of ours explains: nobody's department yet


class Figures(msgspec.Struct, kw_only=True):
    """One department's figures of one day through one channel (fen)."""

    department_code: str
    channel: str
    bill_fen: int | None = None  # None: the channel's bill of the day was never reconciled
    collected_fen: int = 0
    refunded_fen: int = 0
    fees_fen: int = 0  # the channel's fees on the department's payments, borne by the platform
    receipts_issued_fen: int = 0
    receipts_reversed_fen: int = 0
    open_breaks_fen: int = 0  # what open breaks put on the bill that the books do not have
    resolved_breaks_fen: int = 0  # the same, of breaks already resolved (posted in the day they were)

    @property
    def books_net_fen(self) -> int:
        """What the books say the department is owed of the day: collected minus refunded."""
        return self.collected_fen - self.refunded_fen

    @property
    def receipts_net_fen(self) -> int:
        """Receipts issued minus reversed."""
        return self.receipts_issued_fen - self.receipts_reversed_fen


class DayFigures(msgspec.Struct, kw_only=True):
    """Every department's figures of a day, and which runs the bill's figures come from."""

    day: date
    cut: int | None  # the ledger's cut when the day is closed
    runs: dict[str, list[dict[str, object]]]  # per channel: its runs of the day, oldest first
    figures: dict[tuple[str, str], Figures]
    breaks: list[Break]


def _of(found: dict[tuple[str, str], Figures], department: str, channel: str) -> Figures:
    key = (department, channel)
    if key not in found:
        found[key] = Figures(department_code=department, channel=channel)
    return found[key]


def _spread(amount: int, shares: list[tuple[str, int]]) -> list[tuple[str, int]]:
    """An amount spread over departments in proportion to their shares (the remainder to the last)."""
    total = sum(share for _, share in shares)
    if not shares or total == 0:
        return [(UNATTRIBUTED, amount)]
    spread = [(code, amount * share // total) for code, share in shares[:-1]]
    return [*spread, (shares[-1][0], amount - sum(part for _, part in spread))]


async def day_figures(
    session: AsyncSession, day: date, channels: list[str], *, as_of: datetime | None = None, cut: int | None = None
) -> DayFigures:
    """The day's figures; `as_of` and `cut` for a closed day's record (see the module)."""
    closed = await cuts(session)
    if cut is not None:
        closed[day] = cut
    elif day in closed:  # a closed day reads as it was closed (what came later is an open day's)
        as_of = (await closing_times(session))[day]
    found: dict[tuple[str, str], Figures] = {}
    in_period = period(day, closed)
    await _books(session, in_period, found)
    await _receipts(session, day, as_of, found)
    runs, breaks = await _runs_and_breaks(session, day, channels, as_of)
    await _bill(session, day, runs, breaks, found, as_of)
    return DayFigures(day=day, cut=closed.get(day), runs=runs, figures=found, breaks=breaks)


async def _books(session: AsyncSession, in_period: object, found: dict[tuple[str, str], Figures]) -> None:
    entries, postings, orders = t.journal_entries.c, t.postings.c, t.payment_orders.c
    channel = func.coalesce(orders.channel, DEFAULT_CHANNEL)
    rows = await session.execute(
        select(postings.account, channel.label("channel"), entries.kind, func.sum(postings.amount_fen).label("fen"))
        .select_from(t.postings)
        .join(t.journal_entries, entries.id == postings.entry_id)
        .join(t.payment_orders, orders.id == entries.order_id)
        .where(in_period, postings.account.like("dept:%"), entries.kind.in_(("split", "refund")))  # type: ignore[arg-type]
        .group_by(postings.account, channel, entries.kind)
    )
    for row in rows:
        figures = _of(found, row.account.split(":", 1)[1], row.channel)
        if row.kind == "split":
            figures.collected_fen += -int(row.fen)
        else:
            figures.refunded_fen += int(row.fen)
    # The fees: each payment's (the sub-ledger) spread over its lines, of the fee entries in the period
    lines, paid_fees = t.order_lines.c, t.payment_fees.c
    fees = await session.execute(
        select(
            lines.department_code,
            channel.label("channel"),
            func.sum(paid_fees.fee_fen * lines.amount_fen / orders.total_fen).label("fen"),
        )
        .select_from(t.payment_fees)
        .join(t.journal_entries, entries.id == paid_fees.entry_id)
        .join(t.payment_orders, orders.id == paid_fees.order_id)
        .join(t.order_lines, lines.order_id == orders.id)
        .where(in_period, entries.kind == "fee")  # type: ignore[arg-type]
        .group_by(lines.department_code, channel)
    )
    for row in fees:
        _of(found, row.department_code, row.channel).fees_fen += int(row.fen or 0)


async def _receipts(
    session: AsyncSession, day: date, as_of: datetime | None, found: dict[tuple[str, str], Figures]
) -> None:
    receipts, orders = t.receipts.c, t.payment_orders.c
    channel = func.coalesce(orders.channel, DEFAULT_CHANNEL)
    closed = await closing_times(session)
    if as_of is not None:
        closed[day] = as_of
    rows = await session.execute(
        select(
            receipts.department_code, channel.label("channel"), receipts.kind, func.sum(receipts.total_fen).label("fen")
        )
        .join(t.payment_orders, orders.id == receipts.order_id)
        .where(moment_period(receipts.issued_at, day, closed))
        .group_by(receipts.department_code, channel, receipts.kind)
    )
    for row in rows:
        figures = _of(found, row.department_code, row.channel)
        if row.kind == "red":
            figures.receipts_reversed_fen += -int(row.fen)
        else:
            figures.receipts_issued_fen += int(row.fen)


async def _runs_and_breaks(
    session: AsyncSession, day: date, channels: list[str], as_of: datetime | None
) -> tuple[dict[str, list[dict[str, object]]], list[Break]]:
    run = t.reconciliation_runs.c
    query = select(t.reconciliation_runs).where(run.day == day, run.channel.in_(channels)).order_by(run.id)
    if as_of is not None:
        query = query.where(run.started_at <= as_of)
    runs: dict[str, list[dict[str, object]]] = {name: [] for name in channels}
    for row in await session.execute(query):
        runs[row.channel].append(
            {"id": row.id, "verdict": row.verdict, "totals": row.totals, "counts": row.counts, "reason": row.reason}
        )
    breaks_c = t.reconciliation_breaks.c
    columns = [breaks_c[name] for name in Break.__struct_fields__]
    query_breaks = select(*columns).where(breaks_c.day == day, breaks_c.channel.in_(channels)).order_by(breaks_c.id)
    if as_of is not None:
        query_breaks = query_breaks.where(breaks_c.detected_at <= as_of)
    breaks = [Break(**row._mapping) for row in await session.execute(query_breaks)]
    return runs, breaks


async def _bill(
    session: AsyncSession,
    day: date,
    runs: dict[str, list[dict[str, object]]],
    breaks: list[Break],
    found: dict[tuple[str, str], Figures],
    as_of: datetime | None,
) -> None:
    """The bill per department, from the books the run matched (payments and refunds by the channel's
    own time) and what its breaks say the bill has that the books do not (and the other way round)."""
    reconciled = [name for name, of_channel in runs.items() if of_channel]
    if not reconciled:
        return
    orders, lines, refunds = t.payment_orders.c, t.order_lines.c, t.refunds.c
    start, end = day_start(day), day_start(day + timedelta(days=1))
    paid_at = func.coalesce(orders.channel_paid_at, orders.paid_at)
    bill: dict[tuple[str, str], int] = defaultdict(int)
    channel = func.coalesce(orders.channel, DEFAULT_CHANNEL)
    for row in await session.execute(
        select(lines.department_code, channel.label("channel"), func.sum(lines.amount_fen).label("fen"))
        .join(t.payment_orders, orders.id == lines.order_id)
        .where(paid_at >= start, paid_at < end, channel.in_(reconciled), _by(orders.paid_at, as_of))
        .group_by(lines.department_code, channel)
    ):
        bill[(row.department_code, row.channel)] += int(row.fen)
    refunded_at = func.coalesce(refunds.channel_refunded_at, refunds.created_at)
    for row in await session.execute(
        select(refunds.department_code, channel.label("channel"), func.sum(refunds.amount_fen).label("fen"))
        .join(t.payment_orders, orders.id == refunds.order_id)
        .where(
            refunds.status == "done",
            refunded_at >= start,
            refunded_at < end,
            channel.in_(reconciled),
            _by(refunds.created_at, as_of),
        )
        .group_by(refunds.department_code, channel)
    ):
        bill[(row.department_code, row.channel)] -= int(row.fen)
    known = await orders_by_trade_no(session, [b.reference for b in breaks if b.entry_kind == "payment"])
    for found_break in breaks:
        if found_break.entry_kind != "payment" or found_break.channel not in reconciled:
            continue
        order = known.get(found_break.reference)
        credited = order is not None and order.paid_at is not None and (as_of is None or order.paid_at <= as_of)
        if found_break.kind == LONG and credited:
            continue  # credited since: the books above count it by the channel's time already
        shares = [(x.department_code, x.amount_fen) for x in order.lines] if order else []
        effect = _bill_effect(found_break)
        # A 长款 is on the bill but (unless credited since, on its own day) not matched by the books above;
        # a 短款 is in the books above but not on the bill.
        for code, part in _spread(effect, shares):
            bill[(code, found_break.channel)] += part
            figures = _of(found, code, found_break.channel)
            if found_break.status == "resolved":
                figures.resolved_breaks_fen += part
            else:
                figures.open_breaks_fen += part
    for (_, channel_name), figures in found.items():
        if channel_name in reconciled:
            figures.bill_fen = 0
    for (code, channel_name), fen in bill.items():
        _of(found, code, channel_name).bill_fen = fen


def _by(moment: ColumnElement[datetime], as_of: datetime | None) -> ColumnElement[bool]:
    """Written by `as_of` (always, without one)."""
    return moment <= as_of if as_of is not None else true()


def _bill_effect(found: Break) -> int:
    """What a payment break puts on the bill beyond the books the run matched (fen)."""
    if found.kind == LONG:
        return found.channel_fen or 0
    if found.kind == SHORT:
        return -(found.platform_fen or 0)
    if found.kind == MISMATCH:
        return (found.channel_fen or 0) - (found.platform_fen or 0)
    return 0
