"""Reconciliation runs and breaks as finance staff read them: labels in the reader's language, amounts
in yuan."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import Enum

import strawberry

from backend.graphql.context import Info
from backend.graphql.errors import PayloadError
from backend.graphql.pagination import PageInfo
from backend.graphql.payments.types import PaymentChannel
from payments.money import yuan
from payments.reconciliation import labels
from payments.reconciliation.reading import Break
from payments.reconciliation.runs import Run


@strawberry.enum(description="Where a break is in its life.")
class BreakStatus(Enum):
    NEW = "new"
    PERSISTING = "persisting"
    RESOLVED = "resolved"
    OPEN = "open"  # new or persisting (a filter only)


@strawberry.enum(description="How urgent a break is: P1 most.")
class BreakPriority(Enum):
    P1 = "P1"
    P2 = "P2"
    P3 = "P3"
    P4 = "P4"


def _money(fen: int | None) -> Decimal | None:
    return yuan(fen) if fen is not None else None


@strawberry.type(description="Whether the open breaks add up: open before + opened - closed = open after.")
class Continuity:
    open_before: int
    opened: int
    closed: int
    open_after: int
    holds: bool


@strawberry.type(description="One comparison of a channel's bill of a Beijing day with the books.")
class ReconciliationRun:
    id: strawberry.ID
    channel: str
    channel_label: str
    day: date
    verdict: str = strawberry.field(description="running, reconciled, breaks or incomplete.")
    verdict_label: str
    reason: str | None = strawberry.field(description="Why the run is incomplete, in the reader's language.")
    bill_rows: int
    matched: int
    settled: int = strawberry.field(description="Differences the run settled itself by asking the channel again.")
    pending: int = strawberry.field(description="Timing differences the neighbouring day has: not breaks.")
    breaks: int
    bill_payments: Decimal
    bill_refunds: Decimal
    bill_fees: Decimal
    books_payments: Decimal
    books_refunds: Decimal
    fees_posted: Decimal
    continuity: Continuity | None
    started_by: str
    started_at: datetime
    finished_at: datetime | None

    @classmethod
    def build(cls, run: Run, info: Info) -> ReconciliationRun:
        """The run in the caller's language."""
        context = info.context
        code, detail = labels.reason_parts(run.reason)
        reason = context.gettext(labels.REASONS[code], day=run.day.isoformat(), detail=detail) if code else None
        counts, totals = run.counts, run.totals
        flow = counts.get("continuity")
        return cls(
            id=strawberry.ID(str(run.id)),
            channel=run.channel,
            channel_label=context.gettext(labels.CHANNELS.get(run.channel, run.channel)),
            day=run.day,
            verdict=run.verdict,
            verdict_label=context.gettext(labels.VERDICT_LABELS[run.verdict]),
            reason=reason,
            bill_rows=counts.get("bill_rows", 0),
            matched=counts.get("matched", 0),
            settled=counts.get("settled", 0),
            pending=counts.get("pending", 0),
            breaks=counts.get("breaks", 0),
            bill_payments=yuan(totals.get("bill_payments_fen", 0)),
            bill_refunds=yuan(totals.get("bill_refunds_fen", 0)),
            bill_fees=yuan(totals.get("bill_fees_fen", 0)),
            books_payments=yuan(totals.get("books_payments_fen", 0)),
            books_refunds=yuan(totals.get("books_refunds_fen", 0)),
            fees_posted=yuan(totals.get("fees_posted_fen", 0)),
            continuity=Continuity(**flow) if flow else None,
            started_by=run.started_by,
            started_at=run.started_at,
            finished_at=run.finished_at,
        )


@strawberry.type(description="A difference between a channel's bill and the books that people must resolve.")
class ReconciliationBreak:
    id: strawberry.ID
    channel: str
    channel_label: str
    day: date
    kind: str = strawberry.field(
        description="channel_only (长款), platform_only (短款), amount_mismatch, fee_difference."
    )
    kind_label: str
    entry_kind_label: str
    reference: str = strawberry.field(description="Our order number, or the refund's request number.")
    trade_no: str | None = strawberry.field(description="The channel's trade number.")
    channel_amount: Decimal | None = strawberry.field(description="In the channel's bill (refunds negative).")
    platform_amount: Decimal | None = strawberry.field(description="In our books (refunds negative).")
    priority: BreakPriority
    priority_label: str
    status: BreakStatus
    status_label: str
    detected_at: datetime
    resolution_label: str | None
    resolution_note: str | None
    resolved_by: str | None
    resolved_at: datetime | None

    @classmethod
    def build(cls, item: Break, info: Info) -> ReconciliationBreak:
        """The break in the caller's language."""
        say = info.context.gettext
        resolution = labels.RESOLUTION_LABELS.get(item.resolution or "")
        return cls(
            id=strawberry.ID(item.id),
            channel=item.channel,
            channel_label=say(labels.CHANNELS.get(item.channel, item.channel)),
            day=item.day,
            kind=item.kind,
            kind_label=say(labels.KIND_LABELS.get(item.kind, item.kind)),
            entry_kind_label=say(labels.ENTRY_KINDS.get(item.entry_kind, item.entry_kind)),
            reference=item.reference,
            trade_no=item.trade_no,
            channel_amount=_money(item.channel_fen),
            platform_amount=_money(item.platform_fen),
            priority=BreakPriority(item.priority),
            priority_label=say(labels.PRIORITY_LABELS[item.priority]),
            status=BreakStatus(item.status),
            status_label=say(labels.STATUS_LABELS[item.status]),
            detected_at=item.detected_at,
            resolution_label=say(resolution) if resolution else None,
            resolution_note=item.resolution_note,
            resolved_by=item.resolved_by,
            resolved_at=item.resolved_at,
        )


@strawberry.input(description="Which breaks: every field optional.")
class BreakFilterInput:
    status: BreakStatus | None = None
    day: date | None = None
    channel: PaymentChannel | None = None
    priority: BreakPriority | None = None


@strawberry.type
class ReconciliationBreakPage:
    items: list[ReconciliationBreak]
    page_info: PageInfo


@strawberry.type
class ReconcileDayPayload:
    runs: list[ReconciliationRun]
    errors: list[PayloadError]
