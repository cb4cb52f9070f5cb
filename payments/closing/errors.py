"""Closing's error codes: resolving a break, closing a day, clearing to departments."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from backend.errors import DomainError, register


class ClosingErrorCode(StrEnum):
    """Why finance staff's resolution, closing or clearing was refused."""

    FUTURE_DAY = "FUTURE_DAY"
    DAY_HAS_OPEN_BREAKS = "DAY_HAS_OPEN_BREAKS"
    DAY_WITHOUT_RUNS = "DAY_WITHOUT_RUNS"
    DAY_ALREADY_CLOSED = "DAY_ALREADY_CLOSED"
    DAY_NOT_CLOSED = "DAY_NOT_CLOSED"
    OWN_WRITE_OFF = "OWN_WRITE_OFF"
    BREAK_ALREADY_RESOLVED = "BREAK_ALREADY_RESOLVED"
    WRITE_OFF_PENDING = "WRITE_OFF_PENDING"
    NO_WRITE_OFF_PROPOSED = "NO_WRITE_OFF_PROPOSED"
    NOTE_REQUIRED = "NOTE_REQUIRED"
    RESOLUTION_NOT_APPLICABLE = "RESOLUTION_NOT_APPLICABLE"
    CHANNEL_DOES_NOT_CONFIRM = "CHANNEL_DOES_NOT_CONFIRM"


register(
    {
        ClosingErrorCode.FUTURE_DAY: "{day} has not come yet: only a day that has begun can be closed or cleared.",
        ClosingErrorCode.DAY_HAS_OPEN_BREAKS: "{day} cannot be closed yet: {open}.",
        ClosingErrorCode.DAY_WITHOUT_RUNS: (
            "{day} cannot be closed: its bills were never reconciled ({channels}). Run the reconciliation first."
        ),
        ClosingErrorCode.DAY_ALREADY_CLOSED: "{day} is already closed: a closed day never changes.",
        ClosingErrorCode.DAY_NOT_CLOSED: "{day} is not closed yet: close the day first.",
        ClosingErrorCode.OWN_WRITE_OFF: "You proposed this write-off: another finance staff member must approve it.",
        ClosingErrorCode.BREAK_ALREADY_RESOLVED: "This difference is already resolved: a resolution is final.",
        ClosingErrorCode.WRITE_OFF_PENDING: (
            "A write-off of this difference waits for a second person's approval: approve it, or ask its proposer."
        ),
        ClosingErrorCode.NO_WRITE_OFF_PROPOSED: "No write-off of this difference waits for approval.",
        ClosingErrorCode.NOTE_REQUIRED: "Say why: a resolution needs a note.",
        ClosingErrorCode.RESOLUTION_NOT_APPLICABLE: "This difference cannot be resolved that way: {why}",
        ClosingErrorCode.CHANNEL_DOES_NOT_CONFIRM: (
            "The payment channel does not confirm this payment (it says: {status}), so nothing was credited."
        ),
    }
)


class ClosingError(DomainError):
    """A closing refusal: a ClosingErrorCode and its parameters."""

    def __init__(self, code: ClosingErrorCode, *, field: str | None = None, **params: Any) -> None:
        super().__init__(code, field=field, **params)
