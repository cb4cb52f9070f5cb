"""Department day totals: the four figures that must agree, and each difference explained.

Per department and Beijing day: the channel's bill (what the latest reconciliation run saw), the books
(collected, refunded, fees, net: the ledger's postings in the day's period), the receipts (issued minus
reversed) and the clearing instruction. Explanations are gettext msgids with an amount, said in the
reader's language by the transport.
"""

from __future__ import annotations

from datetime import date

import msgspec
from sqlalchemy.ext.asyncio import AsyncSession

from payments.closing import clearing
from payments.closing.books import Figures, day_figures

BILL_BOOKS = "The channel's bill and the books"
BOOKS_RECEIPTS = "The books and the receipts"
BOOKS_CLEARING = "The books and the clearing instruction"
OPEN_BREAKS = "Differences the reconciliation found that are still open"
RESOLVED_BREAKS = "Differences resolved: written off, accepted, or corrected in the day they were resolved"
TIMING = "Timing: the channel and the books saw these on different days (near midnight, or booked later)"
RECEIPT_TIMING = "Receipts issued on another day than the booking, or fees of a department that issues none"
NOT_CLEARED = "Not cleared yet: the clearing instruction is issued once the day is closed"
CLEARED_OTHERWISE = "The clearing instruction was issued from the day's period before a late correction"
UNATTRIBUTED_BILL = "On the bill, but no order of ours says which department's it is"
TEXTS = [
    BILL_BOOKS,
    BOOKS_RECEIPTS,
    BOOKS_CLEARING,
    OPEN_BREAKS,
    RESOLVED_BREAKS,
    TIMING,
    RECEIPT_TIMING,
    NOT_CLEARED,
    CLEARED_OTHERWISE,
    UNATTRIBUTED_BILL,
]


class Difference(msgspec.Struct, frozen=True, kw_only=True):
    """Two figures that do not agree: by how much, and why (msgid, fen) parts summing to it."""

    between: str
    amount_fen: int
    explanations: list[tuple[str, int]]


class DepartmentTotals(msgspec.Struct, frozen=True, kw_only=True):
    """One department's day."""

    day: date
    department_code: str
    bill_fen: int | None
    collected_fen: int
    refunded_fen: int
    fees_fen: int
    receipts_issued_fen: int
    receipts_reversed_fen: int
    clearing_fen: int | None  # None: not issued yet
    differences: list[Difference]

    @property
    def books_net_fen(self) -> int:
        """Collected minus refunded (the channel's fees are borne by the platform)."""
        return self.collected_fen - self.refunded_fen

    @property
    def receipts_net_fen(self) -> int:
        """Issued minus reversed."""
        return self.receipts_issued_fen - self.receipts_reversed_fen

    @property
    def agree(self) -> bool:
        """All four figures agree."""
        return not self.differences


async def department_totals(
    session: AsyncSession, day: date, channels: list[str], departments: frozenset[str] | None = None
) -> list[DepartmentTotals]:
    """Every department's totals of the day (those of `departments` only, when given), by code."""
    found = await day_figures(session, day, channels)
    cleared: dict[str, int] = {}
    for instruction in await clearing.instructions(session, day):
        cleared[instruction.department_code] = cleared.get(instruction.department_code, 0) + instruction.amount_fen
    by_department: dict[str, list[Figures]] = {}
    for (code, _), figures in sorted(found.figures.items()):
        if departments is None or code in departments:
            by_department.setdefault(code, []).append(figures)
    return [_totals(day, code, parts, cleared.get(code)) for code, parts in by_department.items()]


def _totals(day: date, code: str, parts: list[Figures], cleared: int | None) -> DepartmentTotals:
    billed = [p.bill_fen for p in parts if p.bill_fen is not None]
    totals = DepartmentTotals(
        day=day,
        department_code=code,
        bill_fen=sum(billed) if billed else None,
        collected_fen=sum(p.collected_fen for p in parts),
        refunded_fen=sum(p.refunded_fen for p in parts),
        fees_fen=sum(p.fees_fen for p in parts),
        receipts_issued_fen=sum(p.receipts_issued_fen for p in parts),
        receipts_reversed_fen=sum(p.receipts_reversed_fen for p in parts),
        clearing_fen=cleared,
        differences=[],
    )
    differences: list[Difference] = []
    net = totals.books_net_fen
    if totals.bill_fen is not None and totals.bill_fen != net:
        gap = totals.bill_fen - net
        parts_said = [(OPEN_BREAKS, sum(p.open_breaks_fen for p in parts))]
        parts_said.append((RESOLVED_BREAKS, sum(p.resolved_breaks_fen for p in parts)))
        if not code:
            parts_said = [(UNATTRIBUTED_BILL, gap)]
        parts_said.append((TIMING, gap - sum(fen for _, fen in parts_said)))
        differences.append(Difference(between=BILL_BOOKS, amount_fen=gap, explanations=_said(parts_said)))
    if code and totals.receipts_net_fen != net:
        gap = net - totals.receipts_net_fen
        differences.append(Difference(between=BOOKS_RECEIPTS, amount_fen=gap, explanations=[(RECEIPT_TIMING, gap)]))
    if code and (cleared or 0) != net:
        gap = net - (cleared or 0)
        why = NOT_CLEARED if cleared is None else CLEARED_OTHERWISE
        differences.append(Difference(between=BOOKS_CLEARING, amount_fen=gap, explanations=[(why, gap)]))
    return msgspec.structs.replace(totals, differences=differences)


def _said(parts: list[tuple[str, int]]) -> list[tuple[str, int]]:
    return [(why, fen) for why, fen in parts if fen]
