"""The visit's words a person reads: the reminders (SMS and inbox notice) and how times are written."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from backend.applications.workdays import SHANGHAI
from backend.i18n import Catalogs, Locale, pick

DAY_BEFORE = "day_before"
HOUR_BEFORE = "hour_before"
NOTICE_KIND = "hall_visit_reminder"
"""The inbox notice's kind; its params hold the texts in every locale, rendered when read."""

SMS: dict[str, str] = {
    DAY_BEFORE: (
        "[onewindow] Reminder: appointment {reference} ({matter}) tomorrow at {time} at {hall}, {address}. "
        "Show the QR code in the app at the entrance."
    ),
    HOUR_BEFORE: (
        "[onewindow] Your appointment {reference} ({matter}) is at {time}, in about an hour, at {hall}, {address}."
    ),
}
NOTICES: dict[str, str] = {
    DAY_BEFORE: (
        "Your appointment {reference} ({matter}) is tomorrow at {time} at {hall}, {address}. Bring what the "
        "appointment lists, and show its QR code at the entrance."
    ),
    HOUR_BEFORE: "Your appointment {reference} ({matter}) is at {time}, in about an hour, at {hall}, {address}.",
}
CALENDAR_DESCRIPTION = "Appointment {reference}. Show the QR code in the app at the entrance."
CALENDAR_BRING = "Bring:"
CALENDAR_NOTHING = "Nothing to bring: your electronic certificates provide every material."
CALENDAR_ALARM = "Appointment {reference} at {hall} in an hour"

TEXTS: dict[str, str] = {
    **{f"sms.{k}": v for k, v in SMS.items()},
    **{f"notice.{k}": v for k, v in NOTICES.items()},
    "calendar.description": CALENDAR_DESCRIPTION,
    "calendar.bring": CALENDAR_BRING,
    "calendar.nothing": CALENDAR_NOTHING,
    "calendar.alarm": CALENDAR_ALARM,
}


def beijing_time(moment: datetime) -> str:
    """A moment as people in the city read it: Beijing date and time, to the minute."""
    return moment.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M")


def locale_of(value: str) -> Locale:
    """An appointment's stored locale (Simplified Chinese when it is none of the three)."""
    try:
        return Locale(value)
    except ValueError:
        return Locale.ZH_HANS


def render(messages: Catalogs, locale: Locale, which: str, params: dict[str, Any], *, sms: bool = False) -> str:
    """A reminder (`which`: DAY_BEFORE or HOUR_BEFORE) in `locale`; names in params are locale maps."""
    said = {k: pick(v, locale) if isinstance(v, dict) else v for k, v in params.items()}
    return messages.gettext(locale, (SMS if sms else NOTICES)[which], **said)


def render_notice(messages: Catalogs, locale: Locale, params: dict[str, Any]) -> str:
    """A stored reminder notice in the reader's locale."""
    return render(messages, locale, params["which"], {k: v for k, v in params.items() if k != "which"})
