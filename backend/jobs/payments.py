"""The payment jobs on the process's Resources; the passes themselves are payments.jobs'."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import structlog

from backend.resources import Resources
from payments import jobs

log = structlog.get_logger("payments")


async def reconcile(resources: Resources) -> dict[str, Any]:
    """Ask the channel about the orders open longer than its notifications take (payments.jobs.reconcile)."""
    older_than = datetime.now(UTC) - timedelta(minutes=jobs.ASK_AFTER_MINUTES)
    return await jobs.reconcile(resources.sessions, resources.payments, older_than)


async def expire_unpaid(resources: Resources) -> dict[str, Any]:
    """Close the orders left unpaid too long and withdraw their applications (payments.jobs.expire_unpaid)."""
    return {"expired": await jobs.expire_unpaid(resources.sessions, resources.payments, datetime.now(UTC))}


async def bill_check(resources: Resources) -> dict[str, Any]:
    """Reconcile each channel's bill of the day before once it is ready (nothing to do until then, or once
    done): payments.jobs.reconcile_due_bills. Finance staff read the runs and breaks in
    `reconciliationRuns` / `reconciliationBreaks`; the log line is for the operators' alerts."""
    runs = await jobs.reconcile_due_bills(resources.sessions, resources.payments)
    for run in runs:
        if run.verdict != "reconciled":
            log.warning(
                "payments.reconciliation_verdict", channel=run.channel, day=run.day.isoformat(), verdict=run.verdict
            )
    return {
        "runs": [
            {"channel": r.channel, "day": r.day.isoformat(), "verdict": r.verdict, "breaks": r.counts.get("breaks", 0)}
            for r in runs
        ]
    }
