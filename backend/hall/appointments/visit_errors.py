"""Why a visit's step was refused: a check-in at the hall, or a booking from an application."""

from __future__ import annotations

from enum import StrEnum

from backend.errors import register


class VisitErrorCode(StrEnum):
    """A pass that does not check in (forged, superseded, another hall, outside its window, not
    confirmed), or an application that needs no visit."""

    CHECK_IN_CODE_INVALID = "CHECK_IN_CODE_INVALID"
    CHECK_IN_OTHER_HALL = "CHECK_IN_OTHER_HALL"
    CHECK_IN_TOO_EARLY = "CHECK_IN_TOO_EARLY"
    CHECK_IN_TOO_LATE = "CHECK_IN_TOO_LATE"
    APPOINTMENT_NOT_CONFIRMED = "APPOINTMENT_NOT_CONFIRMED"
    NO_VISIT_NEEDED = "NO_VISIT_NEEDED"


MESSAGES: dict[StrEnum, str] = {
    VisitErrorCode.CHECK_IN_CODE_INVALID: (
        "This pass is not valid: it was changed, or the appointment was moved. Open the appointment in the app "
        "for its current pass."
    ),
    VisitErrorCode.CHECK_IN_OTHER_HALL: "This appointment is at another hall: check in at the hall it was booked at.",
    VisitErrorCode.CHECK_IN_TOO_EARLY: "It is too early to check in: check-in opens at {opens}.",
    VisitErrorCode.CHECK_IN_TOO_LATE: (
        "The appointment's time is over (it ended at {ended}): book again, or take a ticket as a walk-in."
    ),
    VisitErrorCode.APPOINTMENT_NOT_CONFIRMED: (
        "This appointment cannot be checked in: it is not confirmed (it was cancelled, moved, or its visit is over)."
    ),
    VisitErrorCode.NO_VISIT_NEEDED: "This application needs no visit to a hall.",
}
register(MESSAGES)
