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
    """Check the day before's bill once the channel has it ready (nothing to do until then, or once done)."""
    report = await jobs.check_due_bill(resources.sessions, resources.payments)
    if report is None:
        return {"day": None}
    if not report.clean:  # finance staff read them in `billChecks`; the log line is for the operators' alerts
        log.warning("payments.bill_discrepancies", day=report.day.isoformat(), count=len(report.discrepancies))
    return {"day": report.day.isoformat(), "clean": report.clean, "discrepancies": len(report.discrepancies)}
