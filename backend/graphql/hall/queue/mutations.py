"""Queues: taking a ticket, checking in, officers' counters and calls. Each runs through the mutation
pipeline; in the same transaction the citizens now near their turn get their SMS, and once it commits the
hall's live subscribers are told the queue moved."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from backend.graphql import permissions
from backend.graphql.context import Info
from backend.graphql.errors import PayloadError
from backend.graphql.hall import clock
from backend.graphql.hall.queue.common import (
    HALL_STAFF,
    OFFICER,
    check_runs_hall,
    citizen_view,
    departments,
    officer_view,
    publish,
)
from backend.graphql.hall.queue.types import (
    CalledTicket,
    CallNextPayload,
    CheckInTicketPayload,
    CloseCounterPayload,
    Counter,
    FinishTicketPayload,
    IssueTicketPayload,
    MarkTicketMissedPayload,
    OpenCounterPayload,
    RecallTicketPayload,
    StartServingPayload,
    TakeTicketPayload,
    Ticket,
    TicketPriority,
    TransferTicketPayload,
)
from backend.graphql.pipeline import caller, mutate, mutation
from backend.hall.queue import calls, counters, estimates, tickets
from backend.hall.queue import models as qm
from backend.identity.models import Scope

CITIZEN = permissions.IsCitizen(Scope.HALL)
Act = Callable[[], Awaitable[qm.Ticket]]


def _moving(info: Info, act: Act) -> Act:
    """The act, then the near-turn SMS of its queue, in one transaction."""

    async def work() -> qm.Ticket:
        ticket = await act()
        resources = info.context.resources
        await estimates.notify_near(
            info.context.session,
            resources.identity.sms,
            resources.messages,
            ticket.hall_code,
            ticket.category_code,
            clock.now(info),
        )
        return ticket

    return work


async def _issued(info: Info, act: Act) -> tuple[Ticket | None, list[PayloadError]]:
    done, errors = await mutate(info, _moving(info, act))
    if done is None:
        return None, errors
    await publish(info, done.hall_code)
    return await citizen_view(info, done), []


async def _called(info: Info, act: Act) -> tuple[CalledTicket | None, list[PayloadError]]:
    done, errors = await mutate(info, _moving(info, act))
    if done is None:
        return None, errors
    await publish(info, done.hall_code)
    return await officer_view(info, done), []


TicketStep = Callable[[AsyncSession, str, str | None, datetime], Awaitable[qm.Ticket]]


async def _officer_step(
    info: Info, ticket_id: strawberry.ID, step: TicketStep
) -> tuple[CalledTicket | None, list[PayloadError]]:
    """One step of the officer's own called ticket (recall, missed, serving, finished), now."""
    officer = caller(info).subject_id
    return await _called(info, lambda: step(info.context.session, str(ticket_id), officer, clock.now(info)))


def _number(value: strawberry.ID) -> int:
    """A counter's id (an unknown counter for anything but digits)."""
    text = str(value)
    return int(text) if text.isdigit() else -1


@strawberry.type
class QueueMutation:
    @mutation(
        "Take a queue ticket by app: at your own district's hall or the city hall, while it is open on a "
        "working day and the people already waiting leave time to serve you before it closes.",
        permission=CITIZEN,
    )
    async def take_ticket(self, info: Info, hall_code: str, matter_code: str) -> TakeTicketPayload:
        citizen_id = caller(info).subject_id
        people = info.context.identity.people
        citizen = await people.citizen(citizen_id)
        verified = citizen.id_number if citizen.verified_at is not None else None
        home = await people.home_region(citizen_id) if verified else None
        snapshot = await info.context.catalog_snapshot()

        async def act() -> qm.Ticket:
            return await tickets.take_ticket(
                info.context.session,
                snapshot,
                citizen_id=citizen_id,
                id_number=verified,
                home_region=home,
                hall_code=hall_code,
                matter_code=matter_code,
                locale=info.context.locale.value,
                now=clock.now(info),
            )

        ticket, errors = await _issued(info, act)
        return TakeTicketPayload(ticket=ticket, errors=errors)

    @mutation(
        "Give a ticket at the hall (kiosk or officer): the priority declared there (elderly also from the ID "
        "number's birth date); with an ID number of an account holder, they get the SMS and the live position.",
        permission=HALL_STAFF,
    )
    async def issue_ticket(
        self,
        info: Info,
        hall_code: str,
        matter_code: str,
        priority: TicketPriority = TicketPriority.NONE,
        id_number: str | None = None,
    ) -> IssueTicketPayload:
        snapshot = await info.context.catalog_snapshot()

        async def act() -> qm.Ticket:
            check_runs_hall(info, hall_code)
            return await tickets.issue_ticket(
                info.context.session,
                snapshot,
                hall_code=hall_code,
                matter_code=matter_code,
                priority=qm.Priority(priority.value),
                id_number=id_number,
                locale=info.context.locale.value,
                now=clock.now(info),
            )

        ticket, errors = await _issued(info, act)
        return IssueTicketPayload(ticket=ticket, errors=errors)

    @mutation(
        "Check in an appointment by its QR code at the hall: its ticket, called at the slot's time (the same "
        "ticket on a second scan).",
        permission=HALL_STAFF,
    )
    async def check_in_ticket(self, info: Info, code: str, hall_code: str) -> CheckInTicketPayload:
        snapshot = await info.context.catalog_snapshot()

        async def act() -> qm.Ticket:
            check_runs_hall(info, hall_code)
            secret = info.context.resources.identity.master_secret
            return await tickets.check_in_ticket(
                info.context.session,
                snapshot,
                code=code,
                hall_code=hall_code,
                now=clock.now(info),
                secret=secret,
            )

        ticket, errors = await _issued(info, act)
        return CheckInTicketPayload(ticket=ticket, errors=errors)

    @mutation("Open a window at the hall for your department's categories.", permission=OFFICER)
    async def open_counter(self, info: Info, hall_code: str, window: str, categories: list[str]) -> OpenCounterPayload:
        snapshot = await info.context.catalog_snapshot()

        async def work() -> qm.Counter:
            return await counters.open_counter(
                info.context.session,
                snapshot,
                hall_code=hall_code,
                window=window,
                categories=categories,
                officer_id=caller(info).subject_id,
                departments=departments(info),
                now=clock.now(info),
            )

        opened, errors = await mutate(info, work)
        if opened is not None:
            await publish(info, opened.hall_code)
        return OpenCounterPayload(counter=Counter.build(opened) if opened else None, errors=errors)

    @mutation("Close your window; tickets sent to it go back to their queue, keeping their place.", permission=OFFICER)
    async def close_counter(self, info: Info, counter_id: strawberry.ID) -> CloseCounterPayload:
        officer = caller(info).subject_id

        async def work() -> qm.Counter:
            return await counters.close_counter(info.context.session, _number(counter_id), officer, clock.now(info))

        closed, errors = await mutate(info, work)
        if closed is not None:
            await publish(info, closed.hall_code)
        return CloseCounterPayload(counter=Counter.build(closed) if closed else None, errors=errors)

    @mutation(
        "Call the next ticket to your window: appointments due first, then priority, then arrival. Its "
        "holder's name (masked) is shown only now.",
        permission=OFFICER,
    )
    async def call_next(self, info: Info, counter_id: strawberry.ID) -> CallNextPayload:
        officer = caller(info).subject_id
        number = _number(counter_id)
        ticket, errors = await _called(
            info,
            lambda: calls.call_next(info.context.session, number, officer, clock.now(info)),
        )
        return CallNextPayload(ticket=ticket, errors=errors)

    @mutation("Call your ticket again (at most 3 calls: after the third it is missed).", permission=OFFICER)
    async def recall_ticket(self, info: Info, ticket_id: strawberry.ID) -> RecallTicketPayload:
        ticket, errors = await _officer_step(info, ticket_id, calls.recall)
        return RecallTicketPayload(ticket=ticket, errors=errors)

    @mutation("Nobody came to your call: the ticket is missed.", permission=OFFICER)
    async def mark_ticket_missed(self, info: Info, ticket_id: strawberry.ID) -> MarkTicketMissedPayload:
        ticket, errors = await _officer_step(info, ticket_id, calls.mark_missed)
        return MarkTicketMissedPayload(ticket=ticket, errors=errors)

    @mutation("Send your ticket to another window or category; it keeps its place in the queue.", permission=OFFICER)
    async def transfer_ticket(
        self,
        info: Info,
        ticket_id: strawberry.ID,
        to_counter_id: strawberry.ID | None = None,
        to_category: str | None = None,
    ) -> TransferTicketPayload:
        officer = caller(info).subject_id
        snapshot = await info.context.catalog_snapshot()
        target = _number(to_counter_id) if to_counter_id is not None else None

        async def act() -> qm.Ticket:
            return await calls.transfer(
                info.context.session,
                snapshot,
                str(ticket_id),
                officer,
                clock.now(info),
                to_counter_id=target,
                to_category=to_category,
            )

        ticket, errors = await _called(info, act)
        return TransferTicketPayload(ticket=ticket, errors=errors)

    @mutation("The citizen is at your window.", permission=OFFICER)
    async def start_serving(self, info: Info, ticket_id: strawberry.ID) -> StartServingPayload:
        ticket, errors = await _officer_step(info, ticket_id, calls.start_serving)
        return StartServingPayload(ticket=ticket, errors=errors)

    @mutation("Served: the visit becomes rateable (好差评).", permission=OFFICER)
    async def finish_ticket(self, info: Info, ticket_id: strawberry.ID) -> FinishTicketPayload:
        ticket, errors = await _officer_step(info, ticket_id, calls.finish)
        return FinishTicketPayload(ticket=ticket, errors=errors)
