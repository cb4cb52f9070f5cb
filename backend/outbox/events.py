"""The domain events the platform tells about, and how one is written into the outbox."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

import msgspec
from sqlalchemy.ext.asyncio import AsyncSession

from backend.db import tables as t
from backend.db.engine import after_commit

WAKE = "outbox_wake"
"""The session's info key holding how to wake the relay (set by the process's session factory)."""


class EventType(StrEnum):
    """What happened, as apps subscribe to it (Standard Webhooks `type`)."""

    APPLICATION_SUBMITTED = "application.submitted"
    APPLICATION_STATUS_CHANGED = "application.status_changed"
    APPLICATION_PAYMENT_REQUIRED = "application.payment_required"
    APPLICATION_ISSUED = "application.issued"
    APPLICATION_REFUSED = "application.refused"
    PAYMENT_SUCCEEDED = "payment.succeeded"
    REFUND_SUCCEEDED = "refund.succeeded"
    CONSENT_GRANTED = "consent.granted"
    CONSENT_REVOKED = "consent.revoked"
    CERTIFICATE_ISSUED = "certificate.issued"
    CERTIFICATE_REVOKED = "certificate.revoked"


SCOPE_OF: dict[EventType, str | None] = {
    EventType.APPLICATION_SUBMITTED: "applications:read",
    EventType.APPLICATION_STATUS_CHANGED: "applications:read",
    EventType.APPLICATION_PAYMENT_REQUIRED: "applications:read",
    EventType.APPLICATION_ISSUED: "applications:read",
    EventType.APPLICATION_REFUSED: "applications:read",
    EventType.PAYMENT_SUCCEEDED: "payments",
    EventType.REFUND_SUCCEEDED: "payments",
    EventType.CONSENT_GRANTED: None,
    EventType.CONSENT_REVOKED: None,
    EventType.CERTIFICATE_ISSUED: "certificates:read",
    EventType.CERTIFICATE_REVOKED: "certificates:read",
}
"""The scope an app must hold (granted by the citizen) to be told of an event; None: the app's own
consent events, which only that app is told of."""


DATA_FIELDS: dict[EventType, tuple[str, ...]] = {
    **dict.fromkeys(
        (
            EventType.APPLICATION_SUBMITTED,
            EventType.APPLICATION_STATUS_CHANGED,
            EventType.APPLICATION_PAYMENT_REQUIRED,
            EventType.APPLICATION_ISSUED,
            EventType.APPLICATION_REFUSED,
        ),
        ("application_id", "reference", "matter_code", "status", "from_status", "action"),
    ),
    EventType.PAYMENT_SUCCEEDED: ("order_id", "application_id", "amount_fen", "channel"),
    EventType.REFUND_SUCCEEDED: ("refund_id", "order_id", "application_id", "amount_fen"),
    EventType.CONSENT_GRANTED: ("scopes",),
    EventType.CONSENT_REVOKED: ("scopes",),
    EventType.CERTIFICATE_ISSUED: ("certificate_id", "type_code", "application_id"),
    EventType.CERTIFICATE_REVOKED: ("certificate_id", "type_code", "application_id"),
}
"""The keys of each event's internal `data` (ids, codes, statuses, amounts in fen; None where unknown).
Consent events also name the app in the event's `client_id`; every other event names its citizen."""


class OutboxEvent(msgspec.Struct, frozen=True, kw_only=True):
    """A committed event as the relay hands it to consumers."""

    seq: int
    id: str
    type: EventType
    citizen_id: str | None
    client_id: str | None
    data: dict[str, Any]
    occurred_at: datetime


def new_event_id() -> str:
    """A public event id."""
    return f"evt_{uuid.uuid4().hex}"


async def record(
    session: AsyncSession,
    type: EventType,
    *,
    citizen_id: str | None,
    data: dict[str, Any],
    client_id: str | None = None,
    at: datetime | None = None,
) -> str:
    """Write an event in the caller's transaction; its id. `data` holds internal facts (ids, statuses,
    amounts in fen): what each app is shown is decided when it is relayed, by the app's scopes."""
    event_id = new_event_id()
    await session.execute(
        t.outbox_events.insert().values(
            id=event_id,
            type=type.value,
            citizen_id=citizen_id,
            client_id=client_id,
            data=data,
            occurred_at=at or datetime.now(UTC),
            relayed_at=None,
        )
    )
    wake = session.info.get(WAKE)
    if wake is not None:
        after_commit(session, WAKE, wake)
    return event_id
