"""English source texts (gettext msgids) of what a developer reads about webhooks: each event type,
a subscription's state and why it was turned off, a delivery's state."""

from __future__ import annotations

from backend.outbox.events import EventType

EVENT_DESCRIPTIONS: dict[EventType, str] = {
    EventType.APPLICATION_SUBMITTED: "A citizen submitted an application.",
    EventType.APPLICATION_STATUS_CHANGED: "An application moved to another status.",
    EventType.APPLICATION_PAYMENT_REQUIRED: "An application waits for the citizen to pay its fees.",
    EventType.APPLICATION_ISSUED: "An application was approved and its certificates issued.",
    EventType.APPLICATION_REFUSED: "An application was refused.",
    EventType.PAYMENT_SUCCEEDED: "A citizen paid an order of fees.",
    EventType.REFUND_SUCCEEDED: "A refund reached the citizen.",
    EventType.CONSENT_GRANTED: "A citizen allowed your app (or allowed it more).",
    EventType.CONSENT_REVOKED: "A citizen withdrew their consent from your app: delete what you hold about them.",
    EventType.CERTIFICATE_ISSUED: "An electronic certificate was issued to a citizen.",
    EventType.CERTIFICATE_REVOKED: "One of a citizen's electronic certificates was revoked.",
}
"""What each event tells an app."""

SUBSCRIPTION_STATUS: dict[str, str] = {
    "active": "Receiving events",
    "disabled": "Turned off: no events are sent",
}

DISABLED_REASONS: dict[str, str] = {
    "gone": "Turned off because the endpoint answered 410 Gone",
    "failing": "Turned off because every delivery failed for 5 days",
    "developer": "Turned off by a developer of the app",
}
"""Why a subscription was turned off (webhook_subscriptions.disabled_reason) -> what a developer reads."""

DELIVERY_STATUS: dict[str, str] = {
    "pending": "Waiting to be sent",
    "succeeded": "Delivered",
    "failed": "Given up after the last retry",
    "cancelled": "Not sent: cancelled",
}
"""A delivery's state (webhook_deliveries.status) -> what a developer reads."""

NO_ANSWER = "No answer"
"""An attempt the endpoint never answered (timeout, refused connection, blocked address)."""

TEXTS: dict[str, str] = {
    **{f"event.{kind.value}": text for kind, text in EVENT_DESCRIPTIONS.items()},
    **{f"subscription.{code}": text for code, text in SUBSCRIPTION_STATUS.items()},
    **{f"disabled.{code}": text for code, text in DISABLED_REASONS.items()},
    **{f"delivery.{code}": text for code, text in DELIVERY_STATUS.items()},
    "no_answer": NO_ANSWER,
}
