"""Appointments: booking, confirming, moving, cancelling; a hall's booking policy."""

from __future__ import annotations

from typing import Any

import strawberry

from backend.errors import DomainError
from backend.graphql import permissions
from backend.graphql.context import Info
from backend.graphql.hall import clock
from backend.graphql.hall.appointments.queries import CITIZEN
from backend.graphql.hall.appointments.types import (
    Appointment,
    BookAppointmentInput,
    BookAppointmentPayload,
    CancelAppointmentPayload,
    ConfirmAppointmentPayload,
    HallPolicy,
    HallPolicyInput,
    RescheduleAppointmentPayload,
    SetHallPolicyPayload,
)
from backend.graphql.pipeline import caller, mutate, mutation
from backend.hall.appointments import booking, policies
from backend.hall.appointments.errors import AppointmentErrorCode
from backend.hall.appointments.models import Appointment as Model
from backend.hall.appointments.models import Policy
from backend.identity.models import Role

POLICY_SETTERS = permissions.HasRole(Role.HALL_MANAGER, Role.ADMIN)


def _built(found: Model | None, info: Info) -> Appointment | None:
    return Appointment.build(found, info) if found else None


def _slot_id(raw: strawberry.ID | None) -> int | None:
    if raw is None:
        return None
    try:
        return int(str(raw))
    except ValueError:
        raise DomainError(AppointmentErrorCode.SLOT_NOT_FOUND, field="slotId", starts_at=str(raw)) from None


@strawberry.type
class AppointmentMutation:
    """Appointments: booking, confirming, moving, cancelling."""

    @mutation(
        "Hold a place at a hall for a matter (a slot by id, or the hall and the slot's start): confirm it within "
        "the hall's hold time, or it is released.",
        permission=CITIZEN,
    )
    async def book_appointment(self, info: Info, input: BookAppointmentInput) -> BookAppointmentPayload:
        citizen = caller(info).subject_id
        snapshot = await info.context.catalog_snapshot()
        deps = info.context.resources.applications

        async def work() -> Any:
            return await booking.book(
                info.context.session,
                snapshot,
                deps.calendar,
                citizen,
                input.hall_code,
                input.matter_code,
                starts_at=input.starts_at,
                slot_id=_slot_id(input.slot_id),
                application_id=str(input.application_id) if input.application_id else None,
                locale=info.context.locale.value,
                now=deps.clock(),
            )

        found, errors = await mutate(info, work)
        return BookAppointmentPayload(appointment=_built(found, info), errors=errors)

    @mutation("Confirm a place held for you.", permission=CITIZEN)
    async def confirm_appointment(self, info: Info, id: strawberry.ID) -> ConfirmAppointmentPayload:
        citizen = caller(info).subject_id
        await info.context.catalog_snapshot()
        now = clock.now(info)
        found, errors = await mutate(info, lambda: booking.confirm(info.context.session, citizen, str(id), now))
        return ConfirmAppointmentPayload(appointment=_built(found, info), errors=errors)

    @mutation(
        "Cancel your appointment before its time (free). Its place reopens to others after the hall's "
        "anti-trading delay.",
        permission=CITIZEN,
    )
    async def cancel_appointment(self, info: Info, id: strawberry.ID) -> CancelAppointmentPayload:
        citizen = caller(info).subject_id
        await info.context.catalog_snapshot()
        now = clock.now(info)
        found, errors = await mutate(info, lambda: booking.cancel(info.context.session, citizen, str(id), now))
        return CancelAppointmentPayload(appointment=_built(found, info), errors=errors)

    @mutation(
        "Move your appointment to another slot of its matter: the new place is taken before the old one is "
        "let go; the appointment gets a new reference and check-in code.",
        permission=CITIZEN,
    )
    async def reschedule_appointment(
        self, info: Info, id: strawberry.ID, slot_id: strawberry.ID
    ) -> RescheduleAppointmentPayload:
        citizen = caller(info).subject_id
        snapshot = await info.context.catalog_snapshot()
        deps = info.context.resources.applications

        async def work() -> Any:
            target = _slot_id(slot_id)
            assert target is not None
            session = info.context.session
            return await booking.reschedule(session, snapshot, deps.calendar, citizen, str(id), target, deps.clock())

        found, errors = await mutate(info, work)
        return RescheduleAppointmentPayload(appointment=_built(found, info), errors=errors)

    @mutation(
        "Set a hall's booking policy (its hall manager or an admin); values left out stay as they are. Slots "
        "already made keep their places; days not yet opened use the new policy.",
        permission=POLICY_SETTERS,
    )
    async def set_hall_policy(self, info: Info, input: HallPolicyInput) -> SetHallPolicyPayload:
        staff = caller(info)
        now = clock.now(info)

        async def work() -> Policy:
            if not staff.has_role(Role.ADMIN) and not staff.has_role(Role.HALL_MANAGER, input.hall_code):
                raise DomainError(AppointmentErrorCode.NOT_YOUR_HALL, field="hallCode")
            snapshot = await info.context.catalog_snapshot()
            if not any(h.code == input.hall_code for h in snapshot.halls):
                raise DomainError(AppointmentErrorCode.INVALID_POLICY, field="hallCode", why="no such hall")
            current = await policies.policy_of(info.context.session, input.hall_code)
            changes = {k: v for k, v in vars(input).items() if k != "hall_code"}
            wanted = policies.changed(current, **changes)
            return await policies.set_policy(info.context.session, wanted, staff.subject_id, now)

        stored, errors = await mutate(info, work)
        policy = HallPolicy(**{k: getattr(stored, k) for k in stored.__struct_fields__}) if stored else None
        return SetHallPolicyPayload(policy=policy, errors=errors)
