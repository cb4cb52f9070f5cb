"""Appointments: what citizens and halls read."""

from __future__ import annotations

from datetime import date

import strawberry

from backend.db.engine import unit_of_work
from backend.graphql import permissions
from backend.graphql.context import Info
from backend.graphql.hall.appointments.types import Appointment, AppointmentPage, AppointmentSlot
from backend.graphql.pagination import check_page_size, time_position
from backend.hall.appointments import listing, store
from backend.identity.models import Scope

CITIZEN = permissions.IsCitizen(Scope.HALL)


@strawberry.type
class AppointmentQuery:
    """Appointments: what citizens and halls read."""

    @permissions.field(
        "The bookable times of a matter at a hall on a Beijing day (empty when the hall is closed): places left, "
        "and why a time cannot be booked. No sign-in needed."
    )
    async def appointment_slots(self, info: Info, hall_code: str, matter_code: str, day: date) -> list[AppointmentSlot]:
        snapshot = await info.context.catalog_snapshot()
        deps = info.context.resources.applications
        # Slots are made when first looked at, and reopened places are given back: a short write.
        async with unit_of_work(info.context.session) as session:
            views = await listing.day_listing(
                session, snapshot, deps.calendar, hall_code, matter_code, day, deps.clock()
            )
        return [AppointmentSlot.build(v, info) for v in views]

    @permissions.field("Your appointments at service halls, the latest first.", permission=CITIZEN)
    async def my_appointments(self, info: Info, first: int, after: str | None = None) -> AppointmentPage:
        size = check_page_size(first, info.context.settings.max_page_size)
        citizen = permissions.caller(info).subject_id
        await info.context.catalog_snapshot()
        found = await store.of_citizen(info.context.session, citizen, size + 1, time_position(after))
        items = [Appointment.build(x, info) for x in found[:size]]
        return AppointmentPage(
            items=items, end_cursor=items[-1].cursor if items else None, has_next_page=len(found) > size
        )

    @permissions.field(
        "One of your appointments (null when there is no such appointment of yours).", permission=CITIZEN
    )
    async def appointment(self, info: Info, id: strawberry.ID) -> Appointment | None:
        citizen = permissions.caller(info).subject_id
        await info.context.catalog_snapshot()
        found = await store.get(info.context.session, str(id), citizen_id=citizen)
        return Appointment.build(found, info) if found else None
