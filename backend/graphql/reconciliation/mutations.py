"""Reconciling the channels' daily bills with the books: runs and breaks (issue 18)."""

from __future__ import annotations

from datetime import date
from typing import Any

import strawberry

from backend.graphql.context import Info
from backend.graphql.payments.types import PaymentChannel
from backend.graphql.pipeline import caller, mutate, mutation
from backend.graphql.reconciliation.queries import FINANCE
from backend.graphql.reconciliation.types import ReconcileDayPayload, ReconciliationRun


@strawberry.type
class ReconciliationMutation:
    @mutation(
        "Reconcile a channel's bill of a Beijing day with the books now (every channel without one): a run "
        "per channel, its verdict, and the breaks it leaves in reconciliationBreaks (finance staff).",
        permission=FINANCE,
    )
    async def reconcile_day(self, info: Info, day: date, channel: PaymentChannel | None = None) -> ReconcileDayPayload:
        actor = caller(info).subject_id
        reconciliation = info.context.reconciliation
        names = [channel.value] if channel else sorted(info.context.resources.payments.channels)

        async def work() -> Any:
            return [await reconciliation.run(name, day, actor) for name in names]

        runs, errors = await mutate(info, work)
        return ReconcileDayPayload(runs=[ReconciliationRun.build(run, info) for run in runs or []], errors=errors)
