"""Appointments' error codes: why a booking, a move, a cancellation or a policy change was refused."""

from __future__ import annotations

from enum import StrEnum

from backend.errors import register


class AppointmentErrorCode(StrEnum):
    """Why an appointment could not be booked, confirmed, moved or cancelled."""

    SLOT_FULL = "SLOT_FULL"
    SLOT_NOT_FOUND = "SLOT_NOT_FOUND"
    HALL_DOES_NOT_HANDLE_MATTER = "HALL_DOES_NOT_HANDLE_MATTER"
    OUTSIDE_BOOKING_WINDOW = "OUTSIDE_BOOKING_WINDOW"
    TOO_LITTLE_NOTICE = "TOO_LITTLE_NOTICE"
    ALREADY_BOOKED_FOR_MATTER = "ALREADY_BOOKED_FOR_MATTER"
    TOO_MANY_APPOINTMENTS = "TOO_MANY_APPOINTMENTS"
    BOOKING_SUSPENDED = "BOOKING_SUSPENDED"
    APPOINTMENT_NOT_FOUND = "APPOINTMENT_NOT_FOUND"
    HOLD_EXPIRED = "HOLD_EXPIRED"
    APPOINTMENT_NOT_CHANGEABLE = "APPOINTMENT_NOT_CHANGEABLE"
    SAME_SLOT = "SAME_SLOT"
    INVALID_POLICY = "INVALID_POLICY"
    NOT_YOUR_HALL = "NOT_YOUR_HALL"


MESSAGES: dict[StrEnum, str] = {
    AppointmentErrorCode.SLOT_FULL: "This time is fully booked: choose another time.",
    AppointmentErrorCode.SLOT_NOT_FOUND: "There is no bookable time at {starts_at} for this matter at this hall.",
    AppointmentErrorCode.HALL_DOES_NOT_HANDLE_MATTER: "This hall does not handle this matter in person.",
    AppointmentErrorCode.OUTSIDE_BOOKING_WINDOW: (
        "Appointments can be booked up to {days} days ahead (until {last_day})."
    ),
    AppointmentErrorCode.TOO_LITTLE_NOTICE: "Book at least {minutes} minutes before the appointment's time.",
    AppointmentErrorCode.ALREADY_BOOKED_FOR_MATTER: (
        "You already have an appointment for this matter ({reference}): move or cancel it instead."
    ),
    AppointmentErrorCode.TOO_MANY_APPOINTMENTS: "You can hold at most {limit} appointments at a time.",
    AppointmentErrorCode.BOOKING_SUSPENDED: (
        "Booking is suspended until {until} because of missed appointments. You can still visit without one."
    ),
    AppointmentErrorCode.APPOINTMENT_NOT_FOUND: "No such appointment.",
    AppointmentErrorCode.HOLD_EXPIRED: "The time held for you was released: book again.",
    AppointmentErrorCode.APPOINTMENT_NOT_CHANGEABLE: "This appointment can no longer be changed ({status}).",
    AppointmentErrorCode.SAME_SLOT: "The appointment is already at that time.",
    AppointmentErrorCode.INVALID_POLICY: "The booking policy is not valid: {why}",
    AppointmentErrorCode.NOT_YOUR_HALL: "You do not manage this hall.",
}
register(MESSAGES)
