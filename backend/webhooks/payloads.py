"""The body an app is sent for one event: rendered once at fan-out, so every retry sends the same bytes.

The citizen is named by the app's pairwise subject (the `sub` its tokens carry), never by our id, and
`data` holds only what the scopes the citizen granted the app allow: an app told of a payment without
`applications:read` learns the order and the amount, not which application it paid for.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import UTC
from typing import Any

import msgspec

from backend.applications import texts
from backend.applications.states import Status
from backend.catalog.snapshot import CatalogSnapshot
from backend.i18n import Catalogs, Locale
from backend.identity.clients import APP_CLIENT_ID, STAFF_CLIENT_ID
from backend.identity.oidc import pairwise_subject
from backend.outbox.events import EventType, OutboxEvent

MAX_BODY_BYTES = 20 * 1024
"""A body stays small: receivers behind gateways refuse big requests, and ids are enough to look up more."""

APPLICATIONS = "applications:read"
_encode = msgspec.json.Encoder().encode


def subject_of(pairwise_key: bytes, client_id: str, citizen_id: str) -> str:
    """The `sub` the app knows the citizen by (as backend.identity.access.subject_for gives its tokens)."""
    if client_id in (APP_CLIENT_ID, STAFF_CLIENT_ID):
        return citizen_id
    return pairwise_subject(pairwise_key, client_id, citizen_id)


def yuan(fen: Any) -> str | None:
    """An amount in fen as yuan with two decimals ("12.50"): exact, never a float."""
    if fen is None:
        return None
    whole, cents = divmod(int(fen), 100)
    return f"{whole}.{cents:02d}"


class Renderer:
    """Renders events for apps, with the catalog's names and the statuses' labels in three languages."""

    def __init__(self, pairwise_key: bytes, messages: Catalogs, catalog: CatalogSnapshot) -> None:
        self._key = pairwise_key
        self._messages = messages
        self._catalog = catalog

    def body(self, event: OutboxEvent, client_id: str, scopes: Collection[str]) -> str:
        """The compact JSON body of `event` for the app `client_id` holding `scopes`."""
        payload: dict[str, Any] = {
            "type": event.type.value,
            "timestamp": event.occurred_at.astimezone(UTC).isoformat().replace("+00:00", "Z"),
            "data": self.data(event, client_id, scopes),
        }
        rendered = _encode(payload).decode()
        if len(rendered.encode()) > MAX_BODY_BYTES:  # only names could grow it: keep the ids
            payload["data"] = {k: v for k, v in payload["data"].items() if not isinstance(v, dict)}
            rendered = _encode(payload).decode()
        return rendered

    def data(self, event: OutboxEvent, client_id: str, scopes: Collection[str]) -> dict[str, Any]:
        """What the app may know of the event."""
        facts = event.data
        data: dict[str, Any] = {}
        if event.citizen_id is not None:
            data["subject"] = subject_of(self._key, client_id, event.citizen_id)
        if event.type.value.startswith("application."):
            data |= self._application(facts)
        elif event.type in (EventType.PAYMENT_SUCCEEDED, EventType.REFUND_SUCCEEDED):
            for key in ("refund_id", "order_id"):
                if key in facts:
                    data[key] = facts[key]
            data["amount"] = yuan(facts.get("amount_fen"))
            if APPLICATIONS in scopes and facts.get("application_id"):
                data["application_id"] = facts["application_id"]
        elif event.type.value.startswith("certificate."):
            data |= self._certificate(facts)
            if APPLICATIONS in scopes and facts.get("application_id"):
                data["application_id"] = facts["application_id"]
        else:  # consent.granted / consent.revoked
            data["scopes"] = sorted(facts.get("scopes") or [])
        return data

    def _application(self, facts: dict[str, Any]) -> dict[str, Any]:
        code = facts.get("matter_code")
        matter = self._catalog.by_code.get(code) if code else None
        status = facts.get("status")
        return {
            "application_id": facts.get("application_id"),
            "reference": facts.get("reference"),
            "matter": {"code": code, "name": dict(matter.name) if matter else None},
            "status": {"code": status, "label": self._labels(status)},
        }

    def _labels(self, status: str | None) -> dict[str, str] | None:
        if status is None:
            return None
        try:
            msgid = texts.STATUS_LABELS[Status(status)]
        except ValueError:
            return None
        return {locale.value: self._messages.gettext(locale, msgid) for locale in Locale}

    def _certificate(self, facts: dict[str, Any]) -> dict[str, Any]:
        code = facts.get("type_code")
        kind = self._catalog.certificate_types.get(code) if code else None
        return {
            "certificate_id": facts.get("certificate_id"),
            "type": {"code": code, "name": dict(kind.name) if kind else None},
        }
