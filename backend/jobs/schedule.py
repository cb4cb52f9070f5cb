"""The scheduled jobs: what runs when, on any number of workers, once per slot.

Each entry is a name, a cron expression (croniter; six fields put seconds last) and what one run does
with the process's Resources. `once_per_slot` runs claim their slot in `job_runs` first (see runs.py):
SAQ already enqueues a scheduled job under one key, and the claim closes the last gap (a worker that
computed the same slot just after the first run finished). Frequent sweeps that are safe to repeat
(the outbox relay) skip the claim and its row.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import msgspec

from backend.jobs import certificates, hall_appointments, hall_visits, payments, platform, ratings
from backend.resources import Resources
from backend.webhooks import delivery

Run = Callable[[Resources], Awaitable[dict[str, Any]]]


class Scheduled(msgspec.Struct, frozen=True):
    """One scheduled job."""

    name: str
    cron: str
    run: Run
    once_per_slot: bool = True
    timeout: int = 300
    """Seconds a run may take before it is cancelled (and retried)."""


async def relay_outbox(resources: Resources) -> dict[str, Any]:
    """Relay the events whose writer could not (crashed after its commit, or had no relay at hand)."""
    return {"relayed": await resources.relay.run()}


SCHEDULE: tuple[Scheduled, ...] = (
    Scheduled("outbox.relay", "* * * * * */2", relay_outbox, once_per_slot=False, timeout=60),
    Scheduled("payments.reconcile", "*/5 * * * *", payments.reconcile),
    Scheduled("payments.expire_unpaid", "20 * * * *", payments.expire_unpaid, timeout=900),
    # Hourly: the bill of the day before is ready at 10:00 Beijing, and a late bill is tried again.
    Scheduled("payments.bill_check", "40 * * * *", payments.bill_check, timeout=900),
    Scheduled("certificates.remind", "30 * * * *", certificates.remind, timeout=900),
    # 00:10 Beijing (UTC+8 all year, cron reads UTC): the day just closed is copied from Redis.
    Scheduled("platform.usage_persist", "10 16 * * *", platform.usage_persist),
    # Every 5 minutes: an hour-before reminder arrives 55 to 60 minutes before the slot.
    Scheduled("hall.remind_visits", "*/5 * * * *", hall_visits.remind),
    # Hourly: a rating due (7 days after its service) counts as 基本满意; an overdue 差评 goes to 12345.
    Scheduled("ratings.default_unrated", "15 * * * *", ratings.default_unrated, timeout=900),
    Scheduled("ratings.escalate_overdue", "25 * * * *", ratings.escalate_overdue, timeout=900),
    Scheduled("webhooks.sweep", "* * * * * */5", delivery.sweep, once_per_slot=False, timeout=60),
    # Every minute: booking reopens its own slot's places lazily; this keeps every other count true.
    Scheduled("hall.appointments_sweep", "* * * * *", hall_appointments.sweep_appointments, timeout=60),
)
"""Every scheduled job. Add a job here (its function in the module of its domain's jobs)."""
