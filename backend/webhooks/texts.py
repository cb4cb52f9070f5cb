"""What a developer is told when one of the app's webhook endpoints was disabled (English msgids,
translated in locales/)."""

from __future__ import annotations

from enum import StrEnum

from backend.i18n import Catalogs, Locale


class DisabledReason(StrEnum):
    """Why a subscription stopped receiving deliveries (webhook_subscriptions.disabled_reason)."""

    GONE = "gone"  # the endpoint answered 410 Gone
    FAILING = "failing"  # its deliveries failed for 5 days
    DEVELOPER = "developer"  # a developer turned it off


NOTICES: dict[DisabledReason, str] = {
    DisabledReason.GONE: (
        "Your webhook endpoint {url} was disabled: it answered 410 Gone. "
        "Deliveries wait; enable the endpoint again to receive them."
    ),
    DisabledReason.FAILING: (
        "Your webhook endpoint {url} was disabled: its deliveries failed for {days} days. "
        "Deliveries wait; fix the endpoint and enable it again to receive them."
    ),
    DisabledReason.DEVELOPER: "Your webhook endpoint {url} was disabled by a developer of the app.",
}

FAILING_DAYS = 5
"""Days of failed deliveries (no success in between) before an endpoint is disabled."""


def notice(messages: Catalogs, locale: Locale, reason: str, url: str) -> str:
    """The developer's notice of a disabled endpoint, in the developer's language."""
    return messages.gettext(locale, NOTICES[DisabledReason(reason)], url=url, days=FAILING_DAYS)
