"""Resolving breaks, closing a day, clearing to departments (issue 18): what finance does, each through
the mutation pipeline (one unit of work; a refusal is a coded, localized payload error).

Clearing is issued by its own mutation after closing (not on close): the closing person checks the
signed record first, and a clearing file goes to the bank only when someone asks for it."""

from __future__ import annotations

from datetime import date
from typing import Any

import strawberry

from backend.graphql.closing.queries import FINANCE, channels
from backend.graphql.closing.types import (
    BreakResolutionKind,
    ClearingInstruction,
    CloseDayPayload,
    ClosedDay,
    IssueClearingPayload,
    ResolveBreakPayload,
    ResolvedBreak,
)
from backend.graphql.context import Info
from backend.graphql.errors import PayloadError
from backend.graphql.pipeline import caller, mutate, mutation
from backend.identity.staff import names_of
from payments.closing import clearing, days
from payments.closing.resolutions import Resolutions
from payments.reconciliation.reading import Break


@strawberry.type
class ClosingMutation:
    @mutation(
        "Resolve a reconciliation difference, saying why: credit (the channel's answer credits the order), "
        "refund (to the payer), write_off (proposed; a second finance staff member approves) or accepted.",
        permission=FINANCE,
    )
    async def resolve_break(
        self, info: Info, id: strawberry.ID, resolution: BreakResolutionKind, note: str | None = None
    ) -> ResolveBreakPayload:
        actor = caller(info).subject_id
        work = Resolutions(info.context.session, info.context.resources.payments)
        found, errors = await mutate(info, lambda: work.resolve(str(id), resolution.value, note, actor))
        return await _payload(info, found, errors)

    @mutation(
        "Approve a write-off another finance staff member proposed: the difference is resolved and written off.",
        permission=FINANCE,
    )
    async def approve_write_off(self, info: Info, id: strawberry.ID) -> ResolveBreakPayload:
        actor = caller(info).subject_id
        work = Resolutions(info.context.session, info.context.resources.payments)
        found, errors = await mutate(info, lambda: work.approve_write_off(str(id), actor))
        return await _payload(info, found, errors)

    @mutation(
        "Close a Beijing day once every channel's bill of it is reconciled: its record is hashed and signed, "
        "and the day never changes again (later corrections post in an open day).",
        permission=FINANCE,
    )
    async def close_day(self, info: Info, day: date) -> CloseDayPayload:
        actor = caller(info).subject_id
        secret = info.context.resources.identity.master_secret

        async def work() -> Any:
            return await days.close_day(info.context.session, day, channels(info), actor, secret)

        closed, errors = await mutate(info, work)
        return CloseDayPayload(closed_day=ClosedDay.build(closed, info) if closed else None, errors=errors)

    @mutation(
        "Issue a closed day's clearing instructions to the departments (again: nothing more is issued).",
        permission=FINANCE,
    )
    async def issue_clearing(self, info: Info, day: date) -> IssueClearingPayload:
        actor = caller(info).subject_id
        await info.context.catalog_snapshot()
        issued, errors = await mutate(info, lambda: clearing.issue(info.context.session, day, actor))
        return IssueClearingPayload(
            instructions=[ClearingInstruction.build(x, info) for x in issued or []], errors=errors
        )


async def _payload(info: Info, found: Break | None, errors: list[PayloadError]) -> ResolveBreakPayload:
    """The break as it now stands, who acted on it named."""
    if found is None:
        return ResolveBreakPayload(difference=None, errors=errors)
    names = await names_of(info.context.session, {x for x in (found.proposed_by, found.resolved_by) if x})
    return ResolveBreakPayload(difference=ResolvedBreak.build(found, info, names), errors=errors)
