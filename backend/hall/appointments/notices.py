"""What a citizen is told about missed appointments: an inbox notice (rendered in the reader's language
when read) and an SMS (in the appointment's language)."""

from __future__ import annotations

from typing import Any

from backend.i18n import Catalogs, Locale

WARNING = "hall_no_show_warning"
STRIKE = "hall_no_show_strike"
SUSPENDED = "hall_booking_suspended"
KINDS = frozenset({WARNING, STRIKE, SUSPENDED})

NOTICES: dict[str, str] = {
    WARNING: (
        "You missed your appointment {reference} at {hall} on {day}. This time it is only a warning. From now on, "
        "if you miss {limit} appointments within {window} days without cancelling, you cannot book for {days} days. "
        "Cancel in the app when you cannot come: it is free."
    ),
    STRIKE: (
        "You missed your appointment {reference} at {hall} on {day}: {count} of {limit} missed appointments "
        "within {window} days. At {limit}, booking is suspended for {days} days. "
        "Cancel in the app when you cannot come."
    ),
    SUSPENDED: (
        "You missed your appointment {reference} at {hall} on {day}, the {limit}th within {window} days: you cannot "
        "book appointments until {until}. You can still visit the hall and take a queue number."
    ),
}
SMS: dict[str, str] = {
    WARNING: (
        "[onewindow] You missed appointment {reference}. Only a warning this time: {limit} missed within {window} "
        "days suspend booking for {days} days. Cancel in the app if you cannot come."
    ),
    STRIKE: "[onewindow] You missed appointment {reference}: {count} of {limit} within {window} days.",
    SUSPENDED: "[onewindow] You missed appointment {reference}: booking is suspended until {until}.",
}
TEXTS: dict[str, str] = {**{f"notice.{k}": v for k, v in NOTICES.items()}, **{f"sms.{k}": v for k, v in SMS.items()}}


def _localized(locale: Locale, params: dict[str, Any]) -> dict[str, Any]:
    hall = params.get("hall") or {}
    name = (hall.get(locale.value) or hall.get("zh-Hans", "")) if isinstance(hall, dict) else str(hall)
    return {**params, "hall": name}


def render(messages: Catalogs, locale: Locale, kind: str, params: dict[str, Any]) -> str:
    """An inbox notice's text in `locale`."""
    return messages.gettext(locale, NOTICES[kind], **_localized(locale, params))


def sms(messages: Catalogs, locale: Locale, kind: str, params: dict[str, Any]) -> str:
    """The SMS of a notice in `locale`."""
    return messages.gettext(locale, SMS[kind], **_localized(locale, params))
