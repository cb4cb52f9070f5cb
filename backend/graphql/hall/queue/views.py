"""The hall-level GraphQL types: which hall now, the hall manager's day and staffing hint."""

from __future__ import annotations

import strawberry

from backend.graphql.context import Info
from backend.hall.queue import manager, nearby, texts
from backend.i18n import pick


@strawberry.type(description="One hall's queue for a matter right now.")
class HallQueueNow:
    hall_code: str
    hall_name: str
    address: str
    category_name: str
    nearness: str = strawberry.field(description="same_district, city_hall or other_district.")
    nearness_label: str
    open_now: bool
    open_label: str
    counters_open: int
    waiting: int
    estimated_wait_minutes: int | None = strawberry.field(
        description="What a ticket taken now would wait; null when closed or no counter serves the queue."
    )

    @classmethod
    def build(cls, model: nearby.HallNow, info: Info) -> HallQueueNow:
        """From the domain's answer, in the caller's language."""
        locale = info.context.locale
        return cls(
            hall_code=model.hall.code,
            hall_name=pick(model.hall.name, locale),
            address=pick(model.hall.address, locale),
            category_name=pick(model.category.name, locale),
            nearness=model.nearness.value,
            nearness_label=info.context.gettext(texts.NEARNESS_LABELS[model.nearness.value]),
            open_now=model.open_now,
            open_label=info.context.gettext(texts.OPEN if model.open_now else texts.CLOSED),
            counters_open=model.counters_open,
            waiting=model.waiting,
            estimated_wait_minutes=model.wait_minutes,
        )


@strawberry.type(description="The halls handling a matter, nearest first, and where to go now.")
class WhichHallNow:
    halls: list[HallQueueNow]
    recommended_hall_code: str | None
    why: str = strawberry.field(description="A sentence saying why, in the caller's language.")

    @classmethod
    def build(cls, model: nearby.Answer, info: Info) -> WhichHallNow:
        """The answer with its sentence."""
        best = model.recommended
        if best is None:
            why = info.context.gettext(texts.RECOMMEND_NONE)
        else:
            name = pick(best.hall.name, info.context.locale)
            why = info.context.gettext(texts.RECOMMEND, hall=name, minutes=best.wait_minutes)
        return cls(
            halls=[HallQueueNow.build(h, info) for h in model.halls],
            recommended_hall_code=best.hall.code if best else None,
            why=why,
        )


@strawberry.type(description="One queue's day so far.")
class QueueToday:
    category_code: str
    category_name: str
    prefix: str
    waiting: int
    called: int
    served: int
    missed: int
    average_wait_minutes: float | None
    longest_wait_minutes: float | None
    counters_open: int

    @classmethod
    def build(cls, model: manager.CategoryToday, info: Info) -> QueueToday:
        """From the domain's figures."""
        return cls(
            category_code=model.category.code,
            category_name=pick(model.category.name, info.context.locale),
            prefix=model.category.prefix,
            waiting=model.waiting,
            called=model.called,
            served=model.served,
            missed=model.missed,
            average_wait_minutes=model.average_wait_minutes,
            longest_wait_minutes=model.longest_wait_minutes,
            counters_open=model.counters_open,
        )


@strawberry.type(description="A hall's queues today: the hall manager's view.")
class HallToday:
    hall_code: str
    no_shows: int = strawberry.field(description="Today's appointments whose citizen did not come.")
    queues: list[QueueToday]

    @classmethod
    def build(cls, model: manager.HallToday, info: Info) -> HallToday:
        """From the domain's day."""
        return cls(
            hall_code=model.hall_code,
            no_shows=model.no_shows,
            queues=[QueueToday.build(q, info) for q in model.categories],
        )


@strawberry.type(description="How many counters a queue needs next hour for the target wait (Erlang C), and why.")
class StaffingHint:
    category_code: str
    category_name: str
    walk_ins_per_hour: float
    booked_per_hour: float
    handling_minutes: float
    served_per_counter_hour: float
    load_erlangs: float
    counters_needed: int
    counters_open: int
    expected_wait_minutes: float | None

    @classmethod
    def build(cls, model: manager.StaffingLine, info: Info) -> StaffingHint:
        """From the domain's line."""
        return cls(
            category_code=model.category.code,
            category_name=pick(model.category.name, info.context.locale),
            walk_ins_per_hour=model.walk_ins_per_hour,
            booked_per_hour=model.booked_per_hour,
            handling_minutes=model.handling_minutes,
            served_per_counter_hour=model.served_per_counter_hour,
            load_erlangs=model.load_erlangs,
            counters_needed=model.counters_needed,
            counters_open=model.counters_open,
            expected_wait_minutes=model.expected_wait_minutes,
        )
