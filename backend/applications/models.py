"""Read models and commands of applications (msgspec Structs)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import msgspec


class Application(msgspec.Struct, frozen=True, kw_only=True):
    """One application: a matter's, or a bundle's (whose items are applications too)."""

    id: str
    reference: str
    citizen_id: str
    parent_id: str | None
    kind: str
    matter_code: str | None
    bundle_code: str | None
    department_code: str | None
    status: str
    form: dict[str, Any]
    sources: dict[str, Any]
    materials: dict[str, Any]
    decision: dict[str, Any] | None
    fees_due: str
    promised_days: int
    deadline: date | None
    max_trips: int
    trips_needed: int
    fields_total: int
    fields_prefilled: int
    materials_replaced: int
    submitted_at: datetime
    decided_at: datetime | None
    updated_at: datetime
    version: int

    @property
    def trips_saved(self) -> int:
        """Trips the matter's promise allowed for that this application did not need."""
        return max(self.max_trips - self.trips_needed, 0)


class TimelineEvent(msgspec.Struct, frozen=True, kw_only=True):
    """One step on an application's timeline: who, when, what, why."""

    id: int
    application_id: str
    at: datetime
    actor_type: str
    actor_id: str | None
    actor_name: str | None
    action: str
    from_status: str | None
    to_status: str
    reason: dict[str, Any] | None


class Notification(msgspec.Struct, frozen=True, kw_only=True):
    """An inbox item; its text is rendered in the reader's locale."""

    id: str
    citizen_id: str
    application_id: str | None
    kind: str
    params: dict[str, Any]
    created_at: datetime
    read_at: datetime | None


class Draft(msgspec.Struct, frozen=True, kw_only=True):
    """A citizen's unfinished form, kept server-side so another device can resume it."""

    id: str
    citizen_id: str
    target: str
    form_values: dict[str, Any]
    materials: dict[str, Any]
    version: int
    updated_at: datetime


class DataConsent(msgspec.Struct, frozen=True, kw_only=True):
    """A record that an application used fields of a certificate."""

    id: int
    citizen_id: str
    application_id: str
    certificate_id: str
    fields: list[str]
    at: datetime


class Reason(msgspec.Struct, frozen=True, kw_only=True):
    """Why an officer asked for a supplement or refused: free text plus the fields concerned."""

    text: str
    fields: list[str] = msgspec.field(default_factory=list)
