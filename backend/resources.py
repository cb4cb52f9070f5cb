"""What lives as long as the process: created at start-up, shared by every request."""

from __future__ import annotations

from dataclasses import dataclass

from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from backend.applications.unit import ApplicationDeps
from backend.assistant.relay import AssistantRelay
from backend.broadcast import Broadcast
from backend.catalog.snapshot import CatalogCache
from backend.i18n import Catalogs
from backend.identity.service import IdentityDeps
from backend.job_queue import JobQueue
from backend.outbox.relay import Relay
from backend.search.service import SearchService
from backend.settings import Settings
from payments.notifications import Arrival, NotificationBatcher
from payments.service import PaymentDeps


@dataclass
class Resources:
    """The engine, session factory, Redis client and message catalogs of one process."""

    settings: Settings
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    redis: Redis
    broadcast: Broadcast
    messages: Catalogs
    identity: IdentityDeps
    applications: ApplicationDeps
    catalog: CatalogCache
    search: SearchService
    payments: PaymentDeps
    notifications: NotificationBatcher[Arrival]
    assistant: AssistantRelay
    jobs: JobQueue
    """The shared job queue (backend.job_queue; the worker is backend.jobs)."""
    relay: Relay
    """The outbox's relay (backend.outbox)."""
