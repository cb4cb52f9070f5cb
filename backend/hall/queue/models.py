"""The queue's boundary data: tickets, counters, their states and priorities."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

import msgspec


class TicketStatus(StrEnum):
    """issued -> called (up to 3 calls) -> serving -> finished; called -> missed; any waiting -> cancelled.
    A transfer puts a ticket back to issued at another counter or category, keeping its place."""

    ISSUED = "issued"
    CALLED = "called"
    SERVING = "serving"
    FINISHED = "finished"
    MISSED = "missed"
    CANCELLED = "cancelled"


class Priority(StrEnum):
    """Who is called before the others of their queue (after appointments due)."""

    NONE = "none"
    ELDERLY = "elderly"  # 70 or older: from the ID number's birth date, or declared at the hall
    DISABLED = "disabled"  # declared at the kiosk or by the officer
    PREGNANT = "pregnant"  # declared at the kiosk or by the officer


WEIGHTS = {Priority.NONE: 0, Priority.ELDERLY: 1, Priority.DISABLED: 1, Priority.PREGNANT: 1}
"""Novo SGA's priority weights: any priority goes before the normal queue, among them by arrival."""

MAX_CALLS = 3
"""Berlin ZMS: a ticket is called at most three times, then it is missed."""


class Channel(StrEnum):
    """How the ticket was taken."""

    APP = "app"
    HALL = "hall"
    APPOINTMENT = "appointment"


class Ticket(msgspec.Struct, frozen=True, kw_only=True):
    """One row of `tickets`."""

    id: str
    hall_code: str
    category_code: str
    day: date
    number: int
    label: str
    matter_code: str
    channel: Channel
    citizen_id: str | None
    appointment_id: str | None
    due_at: datetime | None
    priority: Priority
    priority_weight: int
    status: TicketStatus
    calls: int
    counter_id: int | None
    target_counter_id: int | None
    officer_id: str | None
    locale: str
    issued_at: datetime
    called_at: datetime | None
    serving_at: datetime | None
    ended_at: datetime | None
    notified_at: datetime | None

    @classmethod
    def of(cls, row: Any) -> Ticket:
        """A ticket from a row of `tickets`."""
        data = dict(row._mapping)
        data["channel"] = Channel(data["channel"])
        data["priority"] = Priority(data["priority"])
        data["status"] = TicketStatus(data["status"])
        return cls(**data)


class Counter(msgspec.Struct, frozen=True, kw_only=True):
    """One row of `hall_counters`: a window an officer opened."""

    id: int
    hall_code: str
    window: str
    categories: tuple[str, ...]
    officer_id: str
    opened_at: datetime
    closed_at: datetime | None
    last_call_at: datetime | None

    @classmethod
    def of(cls, row: Any) -> Counter:
        """A counter from a row of `hall_counters`."""
        data = dict(row._mapping)
        data["categories"] = tuple(c for c in data["categories"].split(",") if c)
        return cls(**data)
