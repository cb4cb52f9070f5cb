"""Queues: tickets, positions, counters, which hall now, the hall manager's view."""

from __future__ import annotations

import strawberry

from backend.errors import CommonErrorCode, DomainError
from backend.graphql import permissions
from backend.graphql.context import Info
from backend.graphql.hall import clock
from backend.graphql.hall.queue.common import MANAGER, OFFICER, check_manages, citizen_view
from backend.graphql.hall.queue.types import Counter, Ticket, TicketPriority, WaitingTicket, matter_name
from backend.graphql.hall.queue.views import HallToday, StaffingHint, WhichHallNow
from backend.graphql.pagination import check_page_size
from backend.hall.queue import counters, estimates, manager, nearby, ordering, texts, tickets
from backend.hall.queue.hours import beijing_day
from backend.identity.models import Scope

CITIZEN = permissions.IsCitizen(Scope.HALL)


@strawberry.type
class QueueQuery:
    @permissions.field(
        "Your queue tickets of today, newest first, with position and estimated wait.", permission=CITIZEN
    )
    async def my_tickets(self, info: Info) -> list[Ticket]:
        citizen = permissions.caller(info).subject_id
        found = await tickets.tickets_of(info.context.session, citizen, beijing_day(clock.now(info)))
        return [await citizen_view(info, x) for x in found]

    @permissions.field("One of your queue tickets, with position and estimated wait.", permission=CITIZEN)
    async def ticket(self, info: Info, id: strawberry.ID) -> Ticket | None:
        found = await tickets.get_ticket(info.context.session, str(id))
        if found is None or found.citizen_id != permissions.caller(info).subject_id:
            return None
        return await citizen_view(info, found)

    @permissions.field("Your open windows.", permission=OFFICER)
    async def my_counters(self, info: Info) -> list[Counter]:
        officer = permissions.caller(info).subject_id
        rows = await counters.open_counters_of(info.context.session, officer)
        return [Counter.build(c) for c in rows]

    @permissions.field(
        "The tickets waiting for your window, in the order they will be called: number, matter, priority and "
        "minutes waited, never the name.",
        permission=OFFICER,
    )
    async def counter_queue(self, info: Info, counter_id: strawberry.ID, first: int = 20) -> list[WaitingTicket]:
        size = check_page_size(first, info.context.settings.max_page_size)
        counter = await counters.get_counter(
            info.context.session, int(str(counter_id)) if str(counter_id).isdigit() else -1
        )
        if counter is None or counter.officer_id != permissions.caller(info).subject_id:
            raise DomainError(CommonErrorCode.NOT_FOUND, field="counterId")
        now = clock.now(info)
        snapshot = await info.context.catalog_snapshot()
        waiting = await estimates.waiting_at(info.context.session, counter, now, size)
        return [
            WaitingTicket(
                id=strawberry.ID(x.id),
                label=x.label,
                matter_name=matter_name(snapshot, x.matter_code, info),
                priority=TicketPriority(x.priority.value),
                priority_label=info.context.gettext(texts.PRIORITY_LABELS[x.priority]),
                waited_minutes=int((now - x.issued_at).total_seconds() // 60),
                appointment_due=ordering.is_due(x, now),
            )
            for x in waiting
        ]

    @permissions.field(
        "Which hall now: the halls handling the matter, nearest first by district (yours, the city hall, "
        "others), each with its wait; the shortest wait near you is recommended. Anyone may ask."
    )
    async def which_hall_now(self, info: Info, matter_code: str, region_code: str | None = None) -> WhichHallNow:
        snapshot = await info.context.catalog_snapshot()
        answer = await nearby.which_hall_now(info.context.session, snapshot, matter_code, region_code, clock.now(info))
        return WhichHallNow.build(answer, info)

    @permissions.field(
        "The hall's queues today: waiting, called, served, missed, average and longest wait, open counters, "
        "no-shows. For its hall manager.",
        permission=MANAGER,
    )
    async def hall_today(self, info: Info, hall_code: str) -> HallToday:
        check_manages(info, hall_code)
        snapshot = await info.context.catalog_snapshot()
        return HallToday.build(
            await manager.hall_today(info.context.session, snapshot, hall_code, clock.now(info)),
            info,
        )

    @permissions.field(
        "How many counters each queue needs next hour so the mean wait stays under the target (Erlang C), "
        "with the figures used. For the hall's manager.",
        permission=MANAGER,
    )
    async def staffing_hint(self, info: Info, hall_code: str, target_wait_minutes: int = 15) -> list[StaffingHint]:
        check_manages(info, hall_code)
        if not 1 <= target_wait_minutes <= 240:
            raise DomainError(CommonErrorCode.INVALID_VALUE, field="targetWaitMinutes")
        snapshot = await info.context.catalog_snapshot()
        lines = await manager.staffing_hint(
            info.context.session, snapshot, hall_code, target_wait_minutes, clock.now(info)
        )
        return [StaffingHint.build(x, info) for x in lines]
