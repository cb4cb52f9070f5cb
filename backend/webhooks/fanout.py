"""Fan-out: each relayed event becomes one delivery per subscribed endpoint allowed to hear it.

Runs in the relay's transaction (backend.outbox.relay), so deliveries exist if and only if the events
are marked relayed. An app hears an event about a citizen only while the citizen's consent to it is
live and includes the scope the event needs (SCOPE_OF); the consent events go to the app they are
about only, and `consent.revoked` goes although the consent is gone: it tells the app to delete what
it holds. Once committed, one delivery job per endpoint sends them (backend.webhooks.delivery).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from backend.db import tables as t
from backend.db.upsert import insert_for
from backend.outbox.events import SCOPE_OF, EventType, OutboxEvent
from backend.outbox.relay import AfterCommit
from backend.webhooks.delivery import enqueue_delivery
from backend.webhooks.payloads import Renderer

if TYPE_CHECKING:
    from backend.catalog.snapshot import CatalogCache
    from backend.i18n import Catalogs
    from backend.job_queue import JobQueue

CONSENT_EVENTS = (EventType.CONSENT_GRANTED, EventType.CONSENT_REVOKED)


def new_delivery_id() -> str:
    """A delivery's id: its `webhook-id`, the same on every retry."""
    return f"msg_{uuid.uuid4().hex}"


class WebhookConsumer:
    """Writes webhook deliveries for relayed events and wakes their endpoints' delivery jobs."""

    def __init__(
        self, jobs: JobQueue, pairwise_key: bytes, messages: Catalogs, catalog: CatalogCache, *, heartbeat: int
    ) -> None:
        self._jobs = jobs
        self._key = pairwise_key
        self._messages = messages
        self._catalog = catalog
        self._heartbeat = heartbeat

    async def consume(self, session: AsyncSession, events: Sequence[OutboxEvent]) -> AfterCommit | None:
        """Insert the deliveries of `events` (once per event and endpoint, whoever relays twice)."""
        subscriptions = await _active_subscriptions(session)
        wanted = {kind for _, _, kinds in subscriptions for kind in kinds}
        events = [event for event in events if event.type.value in wanted and event.citizen_id is not None]
        if not events:
            return None
        consents = await _live_consents(
            session, {e.citizen_id for e in events if e.citizen_id}, {c for _, c, _ in subscriptions}
        )
        renderer = Renderer(self._key, self._messages, await self._catalog.get())
        now = datetime.now(UTC)
        rows: list[dict[str, Any]] = []
        for event in events:
            assert event.citizen_id is not None
            for subscription_id, client_id, kinds in subscriptions:
                if event.type.value not in kinds:
                    continue
                scopes = _scopes_heard(event, client_id, consents.get((event.citizen_id, client_id)))
                if scopes is None:
                    continue
                rows.append(
                    {
                        "id": new_delivery_id(),
                        "event_id": event.id,
                        "event_type": event.type.value,
                        "subscription_id": subscription_id,
                        "citizen_id": event.citizen_id,
                        "body": renderer.body(event, client_id, scopes),
                        "status": "pending",
                        "attempts": 0,
                        "next_attempt_at": now,
                        "created_at": now,
                    }
                )
        if not rows:
            return None
        insert = insert_for(session, t.webhook_deliveries).on_conflict_do_nothing(
            index_elements=["event_id", "subscription_id"]
        )
        await session.execute(insert, rows)
        touched = sorted({row["subscription_id"] for row in rows})

        async def wake() -> None:
            for subscription_id in touched:
                await enqueue_delivery(self._jobs, subscription_id, heartbeat=self._heartbeat)

        return wake


def _scopes_heard(event: OutboxEvent, client_id: str, consented: list[str] | None) -> list[str] | None:
    """The scopes `event` is rendered with for the app, or None when the app must not hear it."""
    if event.type in CONSENT_EVENTS:
        if event.client_id != client_id:
            return None
        # revoked: the consent row is gone; the event names what was withdrawn
        return list(event.data.get("scopes") or []) if consented is None else consented
    needed = SCOPE_OF[event.type]
    if consented is None or needed is None or needed not in consented:
        return None
    return consented


async def _active_subscriptions(session: AsyncSession) -> list[tuple[str, str, frozenset[str]]]:
    s = t.webhook_subscriptions
    rows = await session.execute(select(s.c.id, s.c.client_id, s.c.event_types).where(s.c.status == "active"))
    return [(row.id, row.client_id, frozenset(row.event_types)) for row in rows]


async def _live_consents(
    session: AsyncSession, citizens: set[str], clients: set[str]
) -> dict[tuple[str, str], list[str]]:
    c = t.consents
    rows = await session.execute(
        select(c.c.citizen_id, c.c.client_id, c.c.scopes).where(
            c.c.citizen_id.in_(sorted(citizens)), c.c.client_id.in_(sorted(clients)), c.c.revoked_at.is_(None)
        )
    )
    return {(row.citizen_id, row.client_id): list(row.scopes) for row in rows}
