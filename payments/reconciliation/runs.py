"""A run: one channel's bill of one Beijing day compared with the books, and its verdict.

running -> reconciled (the bill and the books agree, or every difference was settled or is pending),
breaks (open breaks remain for people), or incomplete with a reason (the bill is not out yet, the
channel could not be reached): never "0 matched" for a bill nobody read. A day still going on in
Beijing, or later, is refused without asking the channel.
"""

from __future__ import annotations

import time
from datetime import UTC, date, datetime
from typing import Any, Literal

import msgspec
import structlog
from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from backend.errors import DomainError
from payments import tables as t
from payments.channels.base import BILL_NOT_READY, ChannelError
from payments.reconciliation import breaks, fees, loading, matching
from payments.reconciliation.days import today
from payments.reconciliation.errors import ReconciliationErrorCode
from payments.reconciliation.settling import Settler
from payments.service import PaymentDeps

log = structlog.get_logger("payments")

Verdict = Literal["running", "reconciled", "breaks", "incomplete"]
JOB_ACTOR = "job:reconcile"


class Run(msgspec.Struct, frozen=True, kw_only=True):
    """A run as stored: counts and totals (fen) are what finance staff and the export read."""

    id: int
    channel: str
    day: date
    verdict: Verdict
    reason: str | None
    counts: dict[str, Any]
    totals: dict[str, int]
    started_by: str
    started_at: datetime
    finished_at: datetime | None


class Reconciliation:
    """Runs in the caller's unit of work."""

    def __init__(self, session: AsyncSession, deps: PaymentDeps) -> None:
        self._session = session
        self._deps = deps

    async def run(
        self, channel: str, day: date, actor: str = JOB_ACTOR, progress: loading.Progress | None = None
    ) -> Run:
        """Reconcile `channel`'s bill of `day`; the finished run (incomplete is a run too, not a refusal)."""
        if channel not in self._deps.channels:
            raise DomainError(ReconciliationErrorCode.UNKNOWN_CHANNEL, field="channel", channel=channel)
        if day > today():
            raise DomainError(ReconciliationErrorCode.DAY_IN_FUTURE, field="day", day=day.isoformat())
        started = datetime.now(UTC)
        run_id = int(
            (
                await self._session.execute(
                    insert(t.reconciliation_runs)
                    .values(
                        channel=channel,
                        day=day,
                        verdict="running",
                        counts={},
                        totals={},
                        started_by=actor,
                        started_at=started,
                    )
                    .returning(t.reconciliation_runs.c.id)
                )
            ).scalar_one()
        )
        source = self._deps.channel_named(channel)
        try:
            content = await source.bill(day)
        except ChannelError as error:
            reason = "bill_not_ready" if error.code == BILL_NOT_READY else f"channel_unavailable:{error.code}"
            log.warning("payments.reconciliation_incomplete", channel=channel, day=day.isoformat(), reason=reason)
            return await self._finish(run_id, "incomplete", reason, {}, {})
        clock = _Stopwatch()
        table = loading.bill_table(run_id)
        bill = await loading.load(self._session, table, source.parse_bill(content), progress)
        del content
        clock.lap("load")
        compared = await matching.compare(self._session, table, channel, day)
        clock.lap("compare")
        outcomes = await Settler(self._session, self._deps, channel, day).settle(compared.differences)
        clock.lap("ask_again")
        now = datetime.now(UTC)
        # A fee this day's runs posted before that the bill now states otherwise (the first run of a day has
        # none to check: its payments' fees are posted by it, from this very bill)
        fee_items = (
            await fees.differences(self._session, table, channel) if await self._ran_before(channel, day) else []
        )
        fees_posted, fees_fen = await fees.post(self._session, table, channel, day, run_id, now)
        clock.lap("post_fees")
        items = [
            breaks.BreakItem(
                o.kind or "channel_only",
                o.difference.entry_kind,
                o.difference.reference,
                o.difference.trade_no,
                o.difference.channel_fen,
                o.difference.platform_fen,
            )
            for o in outcomes
            if o.state == "break"
        ]
        items += fee_items
        recorded = await breaks.record(self._session, run_id, channel, day, items, actor, now)
        await loading.drop(self._session, table)
        clock.lap("breaks")
        by_kind: dict[str, int] = {}
        for item in items:
            by_kind[item.kind] = by_kind.get(item.kind, 0) + 1
        continuity: dict[str, Any] = {
            "open_before": recorded.open_before,
            "opened": recorded.opened,
            "closed": recorded.settled,
            "open_after": recorded.open_after,
            "holds": recorded.continuity_holds,
        }
        counts: dict[str, Any] = {
            "bill_rows": bill.rows,
            "bill_payments": bill.payments,
            "bill_refunds": bill.refunds,
            "books_payments": compared.books["payment"][0],
            "books_refunds": compared.books["refund"][0],
            "matched": compared.matched,
            "settled": sum(1 for o in outcomes if o.state == "settled"),
            "pending": sum(1 for o in outcomes if o.state == "pending"),
            "breaks": len(items),
            "breaks_by_kind": by_kind,
            "fees_posted": fees_posted,
            "seconds": clock.laps,
            "continuity": continuity,
        }
        totals = {
            "bill_payments_fen": bill.payments_fen,
            "bill_refunds_fen": bill.refunds_fen,
            "bill_fees_fen": bill.fees_fen,
            "books_payments_fen": compared.books["payment"][1],
            "books_refunds_fen": compared.books["refund"][1],
            "matched_fen": compared.matched_fen,
            "fees_posted_fen": fees_fen,
        }
        if not recorded.continuity_holds:
            log.error(
                "payments.reconciliation_continuity", channel=channel, day=day.isoformat(), **counts["continuity"]
            )
        verdict: Verdict = "breaks" if recorded.open_of_day else "reconciled"
        return await self._finish(run_id, verdict, None, counts, totals)

    async def _ran_before(self, channel: str, day: date) -> bool:
        runs = t.reconciliation_runs
        earlier = await self._session.execute(
            select(runs.c.id)
            .where(runs.c.channel == channel, runs.c.day == day, runs.c.verdict.in_(("reconciled", "breaks")))
            .limit(1)
        )
        return earlier.first() is not None

    async def _finish(
        self, run_id: int, verdict: Verdict, reason: str | None, counts: dict[str, Any], totals: dict[str, int]
    ) -> Run:
        runs = t.reconciliation_runs
        row = (
            await self._session.execute(
                update(runs)
                .where(runs.c.id == run_id)
                .values(verdict=verdict, reason=reason, counts=counts, totals=totals, finished_at=datetime.now(UTC))
                .returning(*runs.c)
            )
        ).one()
        return run_of(row)


class _Stopwatch:
    """Where a run's time went (kept in its counts: a city-scale day is watched, not guessed at)."""

    def __init__(self) -> None:
        self.laps: dict[str, float] = {}
        self._last = time.perf_counter()

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.laps[name] = round(now - self._last, 3)
        self._last = now


def run_of(row: Any) -> Run:
    """A stored run."""
    return Run(
        id=row.id,
        channel=row.channel,
        day=row.day,
        verdict=row.verdict,
        reason=row.reason,
        counts=row.counts,
        totals=row.totals,
        started_by=row.started_by,
        started_at=row.started_at,
        finished_at=row.finished_at,
    )
