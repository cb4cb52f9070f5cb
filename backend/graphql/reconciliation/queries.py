"""Reconciling the channels' daily bills with the books: runs and breaks (issue 18)."""

from __future__ import annotations

from datetime import date

import strawberry

from backend.graphql import permissions
from backend.graphql.context import Info
from backend.graphql.pagination import PageInfo, check_page_size, time_cursor, time_position
from backend.graphql.payments.types import PaymentChannel
from backend.graphql.reconciliation.types import (
    BreakFilterInput,
    ReconciliationBreak,
    ReconciliationBreakPage,
    ReconciliationRun,
)
from backend.identity.models import Role
from payments.reconciliation import reading

FINANCE = permissions.HasRole(Role.FINANCE, Role.ADMIN)


@strawberry.type
class ReconciliationQuery:
    @permissions.field("Reconciliation runs, newest first (finance staff).", permission=FINANCE)
    async def reconciliation_runs(
        self, info: Info, first: int, day: date | None = None, channel: PaymentChannel | None = None
    ) -> list[ReconciliationRun]:
        size = check_page_size(first, info.context.settings.max_page_size)
        found = await reading.runs(
            info.context.session, day=day, channel=channel.value if channel else None, limit=size
        )
        return [ReconciliationRun.build(run, info) for run in found]

    @permissions.field("Breaks the runs found, newest first (finance staff).", permission=FINANCE)
    async def reconciliation_breaks(
        self, info: Info, first: int, filter: BreakFilterInput | None = None, after: str | None = None
    ) -> ReconciliationBreakPage:
        size = check_page_size(first, info.context.settings.max_page_size)
        wanted = filter or BreakFilterInput()
        found = await reading.breaks(
            info.context.session,
            reading.BreakFilter(
                status=wanted.status.value if wanted.status else None,
                day=wanted.day,
                channel=wanted.channel.value if wanted.channel else None,
                priority=wanted.priority.value if wanted.priority else None,
            ),
            limit=size + 1,
            after=time_position(after),
        )
        page = found[:size]
        return ReconciliationBreakPage(
            items=[ReconciliationBreak.build(item, info) for item in page],
            page_info=PageInfo(
                has_next_page=len(found) > size,
                has_previous_page=after is not None,
                start_cursor=time_cursor(page[0].detected_at, page[0].id) if page else None,
                end_cursor=time_cursor(page[-1].detected_at, page[-1].id) if page else None,
            ),
        )
