"""Booking from an application: whether it needs a visit to a hall, where, and what to bring."""

from __future__ import annotations

import strawberry

from backend.applications.workdays import shanghai_date
from backend.graphql import permissions
from backend.graphql.catalog.places import Hall
from backend.graphql.context import Info
from backend.graphql.hall import clock
from backend.graphql.hall.appointments.visit import MaterialToBring
from backend.hall import visits
from backend.identity.models import Scope


@strawberry.type(description="An application that needs a visit to a hall: where it can be made, what to bring.")
class VisitNeeded:
    application_id: strawberry.ID
    reference: str
    matter_code: str
    halls: list[Hall] = strawberry.field(description="The halls that handle the matter in person, by code.")
    materials_to_bring: list[MaterialToBring] = strawberry.field(
        description="The matter's materials the citizen's electronic certificates do not provide."
    )


@strawberry.type
class VisitQuery:
    @permissions.field(
        "Whether your application needs a visit to a hall (to book an appointment for it): the halls that "
        "handle it and what to bring; null when it needs none.",
        permission=permissions.IsCitizen(Scope.HALL),
    )
    async def visit_needed(self, info: Info, application_id: strawberry.ID) -> VisitNeeded | None:
        ctx = info.context
        snapshot = await ctx.catalog_snapshot()
        citizen = permissions.caller(info).subject_id
        today = shanghai_date(clock.now(info))
        found = await visits.visit_needed(ctx.session, snapshot, citizen, str(application_id), today)
        if found is None:
            return None
        return VisitNeeded(
            application_id=strawberry.ID(found.application_id),
            reference=found.reference,
            matter_code=found.matter_code,
            halls=[Hall.build(h, ctx.locale) for h in found.halls],
            materials_to_bring=[MaterialToBring.build(m, ctx.locale) for m in found.materials],
        )
