"""The queue's GraphQL types: tickets (the citizen's and the officer's views), counters, payloads."""

from __future__ import annotations

from datetime import datetime
from enum import Enum

import strawberry

from backend.catalog.snapshot import CatalogSnapshot
from backend.graphql.context import Info
from backend.graphql.errors import PayloadError
from backend.hall.categories import categories_of
from backend.hall.queue import models as qm
from backend.hall.queue import texts
from backend.hall.queue.estimates import Place
from backend.i18n import pick


@strawberry.enum(description="Who is called before the others of their queue.")
class TicketPriority(Enum):
    NONE = "none"
    ELDERLY = "elderly"
    DISABLED = "disabled"
    PREGNANT = "pregnant"


@strawberry.enum(description="issued -> called (at most 3 calls) -> serving -> finished; called -> missed.")
class TicketState(Enum):
    ISSUED = "issued"
    CALLED = "called"
    SERVING = "serving"
    FINISHED = "finished"
    MISSED = "missed"
    CANCELLED = "cancelled"


def matter_name(snapshot: CatalogSnapshot, code: str, info: Info) -> str:
    """The matter's name in the caller's language (its code if the catalog no longer has it)."""
    matter = snapshot.by_code.get(code)
    return pick(matter.name, info.context.locale) if matter is not None else code


def category_name(snapshot: CatalogSnapshot, hall_code: str, code: str, info: Info) -> str:
    """The category's (department's) short name in the caller's language."""
    found = next((c for c in categories_of(snapshot, hall_code) if c.code == code), None)
    return pick(found.name, info.context.locale) if found is not None else code


@strawberry.type(description="A queue ticket as its holder sees it: where it stands and how long it may wait.")
class Ticket:
    id: strawberry.ID
    label: str = strawberry.field(description="The number called out and shown: A001.")
    hall_code: str
    hall_name: str
    category_code: str
    category_name: str
    matter_code: str
    matter_name: str
    state: TicketState
    state_label: str
    priority: TicketPriority
    priority_label: str
    issued_at: datetime
    due_at: datetime | None = strawberry.field(description="An appointment's slot time: called at its time.")
    calls: int
    window: str | None = strawberry.field(description="The window that called it.")
    position: int | None = strawberry.field(description="1 is next; null once it is no longer waiting.")
    ahead: int | None
    estimated_wait_minutes: int | None = strawberry.field(
        description="Position x average handling minutes / open counters; null with no counter open."
    )
    counters_open: int | None

    @classmethod
    def build(
        cls, model: qm.Ticket, place: Place | None, window: str | None, snapshot: CatalogSnapshot, info: Info
    ) -> Ticket:
        """The citizen's view of a ticket."""
        hall = next((h for h in snapshot.halls if h.code == model.hall_code), None)
        return cls(
            id=strawberry.ID(model.id),
            label=model.label,
            hall_code=model.hall_code,
            hall_name=pick(hall.name, info.context.locale) if hall is not None else model.hall_code,
            category_code=model.category_code,
            category_name=category_name(snapshot, model.hall_code, model.category_code, info),
            matter_code=model.matter_code,
            matter_name=matter_name(snapshot, model.matter_code, info),
            state=TicketState(model.status.value),
            state_label=info.context.gettext(texts.STATUS_LABELS[model.status]),
            priority=TicketPriority(model.priority.value),
            priority_label=info.context.gettext(texts.PRIORITY_LABELS[model.priority]),
            issued_at=model.issued_at,
            due_at=model.due_at,
            calls=model.calls,
            window=window,
            position=place.position if place else None,
            ahead=place.ahead if place else None,
            estimated_wait_minutes=place.wait_minutes if place else None,
            counters_open=place.counters_open if place else None,
        )


@strawberry.type(description="A waiting ticket on the officer's list: the matter, never the name (no cherry-picking).")
class WaitingTicket:
    id: strawberry.ID
    label: str
    matter_name: str
    priority: TicketPriority
    priority_label: str
    waited_minutes: int
    appointment_due: bool = strawberry.field(description="An appointment whose slot has begun: called first.")


@strawberry.type(description="The ticket an officer called: now with its holder's name, masked.")
class CalledTicket:
    id: strawberry.ID
    label: str
    matter_code: str
    matter_name: str
    category_code: str
    state: TicketState
    state_label: str
    priority: TicketPriority
    priority_label: str
    calls: int
    appointment_id: str | None
    holder_name: str | None = strawberry.field(description="李** : masked; null for a walk-in without an account.")

    @classmethod
    def build(cls, model: qm.Ticket, name: str | None, snapshot: CatalogSnapshot, info: Info) -> CalledTicket:
        """The officer's view of the ticket they called."""
        return cls(
            id=strawberry.ID(model.id),
            label=model.label,
            matter_code=model.matter_code,
            matter_name=matter_name(snapshot, model.matter_code, info),
            category_code=model.category_code,
            state=TicketState(model.status.value),
            state_label=info.context.gettext(texts.STATUS_LABELS[model.status]),
            priority=TicketPriority(model.priority.value),
            priority_label=info.context.gettext(texts.PRIORITY_LABELS[model.priority]),
            calls=model.calls,
            appointment_id=model.appointment_id,
            holder_name=name,
        )


@strawberry.type(description="A window an officer opened, serving its categories.")
class Counter:
    id: strawberry.ID
    hall_code: str
    window: str
    categories: list[str]
    opened_at: datetime
    closed_at: datetime | None

    @classmethod
    def build(cls, model: qm.Counter) -> Counter:
        """From the domain's counter."""
        return cls(
            id=strawberry.ID(str(model.id)),
            hall_code=model.hall_code,
            window=model.window,
            categories=list(model.categories),
            opened_at=model.opened_at,
            closed_at=model.closed_at,
        )


@strawberry.type
class TakeTicketPayload:
    ticket: Ticket | None
    errors: list[PayloadError]


@strawberry.type
class IssueTicketPayload:
    ticket: Ticket | None
    errors: list[PayloadError]


@strawberry.type
class CheckInTicketPayload:
    ticket: Ticket | None
    errors: list[PayloadError]


@strawberry.type
class OpenCounterPayload:
    counter: Counter | None
    errors: list[PayloadError]


@strawberry.type
class CloseCounterPayload:
    counter: Counter | None
    errors: list[PayloadError]


@strawberry.type
class CallNextPayload:
    ticket: CalledTicket | None
    errors: list[PayloadError]


@strawberry.type
class RecallTicketPayload:
    ticket: CalledTicket | None
    errors: list[PayloadError]


@strawberry.type
class MarkTicketMissedPayload:
    ticket: CalledTicket | None
    errors: list[PayloadError]


@strawberry.type
class TransferTicketPayload:
    ticket: CalledTicket | None
    errors: list[PayloadError]


@strawberry.type
class StartServingPayload:
    ticket: CalledTicket | None
    errors: list[PayloadError]


@strawberry.type
class FinishTicketPayload:
    ticket: CalledTicket | None
    errors: list[PayloadError]
