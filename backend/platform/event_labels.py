"""What each kind of event is called where a citizen reads it (`myDataAccess`): English msgids,
translated in locales/."""

from __future__ import annotations

from backend.outbox.events import EventType

EVENT_LABELS: dict[EventType, str] = {
    EventType.APPLICATION_SUBMITTED: "An application of yours was submitted",
    EventType.APPLICATION_STATUS_CHANGED: "The progress of an application of yours",
    EventType.APPLICATION_PAYMENT_REQUIRED: "An application of yours awaiting payment",
    EventType.APPLICATION_ISSUED: "An application of yours was approved and its result issued",
    EventType.APPLICATION_REFUSED: "An application of yours was refused",
    EventType.PAYMENT_SUCCEEDED: "A payment of yours went through",
    EventType.REFUND_SUCCEEDED: "A refund to you was paid",
    EventType.CONSENT_GRANTED: "You allowed the app to use your data",
    EventType.CONSENT_REVOKED: "You withdrew the app's permission to use your data",
    EventType.CERTIFICATE_ISSUED: "A certificate was issued to you",
    EventType.CERTIFICATE_REVOKED: "A certificate of yours was revoked",
}

OTHER_EVENT = "Another notice about you"
"""The label of an event type this version does not know (recorded by a newer one)."""

TEXTS: dict[str, str] = {**{kind.value: text for kind, text in EVENT_LABELS.items()}, "other": OTHER_EVENT}
"""Every label, for the catalogs' completeness check (backend.messages)."""


def event_label_msgid(event_type: str) -> str:
    """The msgid naming `event_type` for a citizen."""
    try:
        return EVENT_LABELS[EventType(event_type)]
    except ValueError:
        return OTHER_EVENT
