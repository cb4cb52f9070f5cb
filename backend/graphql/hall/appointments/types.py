"""GraphQL types of appointments: a slot as a citizen sees it, an appointment with its labels in the
reader's language, the payloads and the page."""

from __future__ import annotations

from datetime import datetime

import strawberry

from backend.graphql.context import Info
from backend.graphql.errors import PayloadError
from backend.graphql.hall.appointments import visit
from backend.graphql.pagination import time_cursor
from backend.hall.appointments import listing, texts
from backend.hall.appointments.models import Appointment as Model
from backend.hall.appointments.models import AppointmentStatus
from backend.hall.categories import categories_of
from backend.i18n import pick

AppointmentStatusEnum = strawberry.enum(AppointmentStatus, name="AppointmentStatus", description=Model.__doc__)


@strawberry.type(description="A bookable time of one service category at a hall.")
class AppointmentSlot:
    id: strawberry.ID
    starts_at: datetime
    ends_at: datetime
    capacity: int = strawberry.field(description="Places open to booking (the rest is kept for walk-ins).")
    places_left: int
    bookable: bool
    why_not: str | None = strawberry.field(description="Why it cannot be booked, in your language.")

    @classmethod
    def build(cls, view: listing.SlotView, info: Info) -> AppointmentSlot:
        slot = view.slot
        why = info.context.gettext(listing.REASONS[view.reason], **view.params) if view.reason else None
        return cls(
            id=strawberry.ID(str(slot.id)),
            starts_at=slot.starts_at,
            ends_at=slot.ends_at,
            capacity=slot.capacity,
            places_left=slot.places_left,
            bookable=view.bookable,
            why_not=why,
        )


@strawberry.type(description="An appointment at a service hall (预约).")
class Appointment:
    id: strawberry.ID
    reference: str = strawberry.field(description="What to quote at the hall, e.g. YY-GZGA-1209-7K3Q9X.")
    status: AppointmentStatusEnum  # type: ignore[valid-type]
    status_label: str = strawberry.field(description="Its state, in your language.")
    hall_code: str
    hall_name: str
    category_code: str
    category_name: str = strawberry.field(description="The service category (the department's counters).")
    matter_code: str
    matter_name: str
    slot_id: strawberry.ID
    starts_at: datetime
    ends_at: datetime
    held_until: datetime | None = strawberry.field(description="A held place is released after this unless confirmed.")
    confirmed_at: datetime | None
    cancelled_at: datetime | None
    rescheduled_from: strawberry.ID | None
    application_id: strawberry.ID | None
    created_at: datetime
    cursor: str
    model: strawberry.Private[Model]

    @classmethod
    def build(cls, found: Model, info: Info) -> Appointment:
        """Labelled in the reader's language (the catalog snapshot must be loaded)."""
        snapshot, locale = info.context.snapshot, info.context.locale
        hall = next((h for h in snapshot.halls if h.code == found.hall_code), None)
        category = next((c for c in categories_of(snapshot, found.hall_code) if c.code == found.category_code), None)
        matter = snapshot.by_code.get(found.matter_code)
        return cls(
            id=strawberry.ID(found.id),
            reference=found.reference,
            status=found.status,
            status_label=info.context.gettext(texts.STATUS_LABELS[found.status]),
            hall_code=found.hall_code,
            hall_name=pick(hall.name, locale) if hall else found.hall_code,
            category_code=found.category_code,
            category_name=pick(category.name, locale) if category else found.category_code,
            matter_code=found.matter_code,
            matter_name=pick(matter.name, locale) if matter else found.matter_code,
            slot_id=strawberry.ID(str(found.slot_id)),
            starts_at=found.starts_at,
            ends_at=found.ends_at,
            held_until=found.held_until,
            confirmed_at=found.confirmed_at,
            cancelled_at=found.cancelled_at,
            rescheduled_from=strawberry.ID(found.rescheduled_from) if found.rescheduled_from else None,
            application_id=strawberry.ID(found.application_id) if found.application_id else None,
            created_at=found.created_at,
            cursor=time_cursor(found.starts_at, found.id),
            model=found,
        )

    @strawberry.field(description="The QR pass that checks you in at the hall (a confirmed appointment's).")
    async def check_in_pass(self, info: Info) -> visit.CheckInPass | None:
        return await visit.check_in_pass(self.model, info)

    @strawberry.field(description="The matter's materials you must still bring to the hall.")
    async def materials_to_bring(self, info: Info) -> list[visit.MaterialToBring]:
        return await visit.materials_to_bring(self.model, info)

    @strawberry.field(description="A link to the appointment's calendar file (.ics).")
    async def calendar_link(self, info: Info) -> str | None:
        return await visit.calendar_link(self.model, info)


@strawberry.type
class AppointmentPage:
    items: list[Appointment]
    end_cursor: str | None
    has_next_page: bool


@strawberry.type
class AppointmentPayload:
    appointment: Appointment | None
    errors: list[PayloadError]


@strawberry.type
class BookAppointmentPayload(AppointmentPayload):
    pass


@strawberry.type
class ConfirmAppointmentPayload(AppointmentPayload):
    pass


@strawberry.type
class CancelAppointmentPayload(AppointmentPayload):
    pass


@strawberry.type
class RescheduleAppointmentPayload(AppointmentPayload):
    pass


@strawberry.type(description="A hall's booking policy.")
class HallPolicy:
    hall_code: str
    slot_minutes: int = strawberry.field(description="Length of a slot (60: by the hour).")
    booking_window_days: int = strawberry.field(description="How many days ahead citizens may book.")
    min_notice_minutes: int = strawberry.field(description="Booking closes this long before a slot.")
    walk_in_percent: int = strawberry.field(description="Share of each slot's places kept for walk-ins.")
    hold_minutes: int = strawberry.field(description="How long a held place waits for confirmation.")
    anti_trading_minutes: int = strawberry.field(description="A cancelled place stays closed this long.")
    handling_minutes: int = strawberry.field(description="Average time at a counter.")


@strawberry.input
class HallPolicyInput:
    hall_code: str
    slot_minutes: int | None = None
    booking_window_days: int | None = None
    min_notice_minutes: int | None = None
    walk_in_percent: int | None = None
    hold_minutes: int | None = None
    anti_trading_minutes: int | None = None
    handling_minutes: int | None = None


@strawberry.type
class SetHallPolicyPayload:
    policy: HallPolicy | None
    errors: list[PayloadError]


@strawberry.input(description="What to book: a slot by id, or a matter at a hall and the slot's start.")
class BookAppointmentInput:
    slot_id: strawberry.ID | None = None
    hall_code: str | None = None
    matter_code: str
    starts_at: datetime | None = None
    application_id: strawberry.ID | None = None
