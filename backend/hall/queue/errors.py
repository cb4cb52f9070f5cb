"""The queue's error codes: taking a ticket, opening a counter, calling, the hall manager's view."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from backend.errors import DomainError, register


class QueueErrorCode(StrEnum):
    """Why a ticket, a counter or a call was refused."""

    QUEUE_HALL_UNKNOWN = "QUEUE_HALL_UNKNOWN"
    QUEUE_MATTER_NOT_AT_HALL = "QUEUE_MATTER_NOT_AT_HALL"
    QUEUE_HALL_CLOSED = "QUEUE_HALL_CLOSED"
    TICKETS_CLOSED_FOR_TODAY = "TICKETS_CLOSED_FOR_TODAY"
    HALL_TOO_FAR = "HALL_TOO_FAR"
    TICKET_NEEDS_REAL_NAME = "TICKET_NEEDS_REAL_NAME"
    ALREADY_WAITING = "ALREADY_WAITING"
    NUMBERS_RUN_OUT = "NUMBERS_RUN_OUT"
    TICKET_NOT_FOUND = "TICKET_NOT_FOUND"
    TICKET_NOT_CALLED = "TICKET_NOT_CALLED"
    COUNTER_NOT_FOUND = "COUNTER_NOT_FOUND"
    WINDOW_TAKEN = "WINDOW_TAKEN"
    CATEGORY_NOT_YOURS = "CATEGORY_NOT_YOURS"
    QUEUE_NOT_YOUR_HALL = "QUEUE_NOT_YOUR_HALL"
    NOBODY_WAITING = "NOBODY_WAITING"


register(
    {
        QueueErrorCode.QUEUE_HALL_UNKNOWN: "There is no service hall {hall}.",
        QueueErrorCode.QUEUE_MATTER_NOT_AT_HALL: "This hall does not handle this matter: choose another hall.",
        QueueErrorCode.QUEUE_HALL_CLOSED: (
            "The hall is closed now: tickets are given during its opening hours on working days."
        ),
        QueueErrorCode.TICKETS_CLOSED_FOR_TODAY: (
            "No more tickets by app today: the people already waiting fill the time until the hall closes."
        ),
        QueueErrorCode.HALL_TOO_FAR: (
            "A ticket by app is for the halls of your own district and the city hall; take one at this hall."
        ),
        QueueErrorCode.TICKET_NEEDS_REAL_NAME: "Verify your real name first: a ticket by app needs it.",
        QueueErrorCode.ALREADY_WAITING: "You already hold ticket {label} in this queue.",
        QueueErrorCode.NUMBERS_RUN_OUT: "This queue has given all its numbers today.",
        QueueErrorCode.TICKET_NOT_FOUND: "There is no such ticket.",
        QueueErrorCode.TICKET_NOT_CALLED: "Ticket {label} has not been called to your counter.",
        QueueErrorCode.COUNTER_NOT_FOUND: "There is no such open counter.",
        QueueErrorCode.WINDOW_TAKEN: "Window {window} is already open.",
        QueueErrorCode.CATEGORY_NOT_YOURS: "Your department does not serve this queue.",
        QueueErrorCode.QUEUE_NOT_YOUR_HALL: "You do not run this hall.",
        QueueErrorCode.NOBODY_WAITING: "Nobody is waiting for this counter.",
    }
)


class QueueError(DomainError):
    """A queue refusal: a QueueErrorCode and its parameters."""

    def __init__(self, code: QueueErrorCode, *, field: str | None = None, **params: Any) -> None:
        super().__init__(code, field=field, **params)
