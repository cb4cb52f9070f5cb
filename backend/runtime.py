"""What a process of the platform opens at start-up and closes at the end: the web server's lifespan and
the job worker build the same Resources here, so a job sees exactly what a request sees."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from backend.applications.unit import ApplicationDeps
from backend.assistant.relay import AssistantRelay
from backend.broadcast import Broadcast
from backend.catalog.snapshot import CatalogCache
from backend.certificates.runtime import build_numbers
from backend.certificates.trustlog import log_key
from backend.db.engine import create_engine, session_factory
from backend.finished_cases import open_online_rating
from backend.i18n import catalogs
from backend.identity.runtime import build_identity
from backend.job_queue import JobQueue, open_queue
from backend.kv import EmbeddedRedis, connect, ensure_redis_url
from backend.outbox.events import WAKE
from backend.outbox.live import LiveConsumer
from backend.outbox.relay import Relay
from backend.parties import PlatformParties
from backend.payment_events import PlatformPaymentEvents
from backend.resources import Resources
from backend.search.service import SearchService
from backend.settings import Settings
from backend.webhooks.fanout import WebhookConsumer
from payments.notifications import notification_batcher
from payments.runtime import build_payments


class Opened:
    """The process's resources, and where its Redis came from (for the start-up log)."""

    def __init__(self, resources: Resources, redis_url: str, embedded: EmbeddedRedis | None) -> None:
        self.resources = resources
        self.redis_url = redis_url
        self.embedded = embedded


@asynccontextmanager
async def open_resources(settings: Settings) -> AsyncIterator[Opened]:
    """Build the Resources of one process; close everything on the way out."""
    redis_url, embedded = ensure_redis_url(settings.redis_url, settings.data_dir)
    engine = create_engine(settings.resolved_database_url)
    redis = connect(redis_url)
    sessions = session_factory(engine)
    jobs = JobQueue(open_queue(redis_url))
    catalog = CatalogCache(sessions)
    messages = catalogs(settings.locales_dir)
    identity = await build_identity(settings, sessions, redis, messages)
    # Apps' webhooks hear the events too: the citizen is named by each app's pairwise subject.
    webhooks = WebhookConsumer(jobs, identity.pairwise_key, messages, catalog, heartbeat=settings.job_heartbeat_seconds)
    relay = Relay(sessions, [LiveConsumer(redis), webhooks])
    # A transaction that wrote events wakes the relay once it commits (backend.outbox.events.record).
    sessions.configure(info={WAKE: relay.wake})
    applications = ApplicationDeps(
        identity.sms,
        messages,
        identity.registry,
        log_key(identity.master_secret),
        build_numbers(settings),
        payment_days=settings.order_unpaid_days,
        on_finished=open_online_rating,
    )
    events = PlatformPaymentEvents(applications, lambda _session: catalog.get())
    payments = build_payments(settings, identity.master_secret, PlatformParties(), events=events)
    resources = Resources(
        settings=settings,
        engine=engine,
        sessions=sessions,
        redis=redis,
        broadcast=Broadcast(redis),
        messages=messages,
        identity=identity,
        applications=applications,
        catalog=catalog,
        search=SearchService(catalog, sessions),
        payments=payments,
        notifications=notification_batcher(sessions, payments),
        assistant=AssistantRelay(settings.assistant_url, settings.assistant_timeout, identity.master_secret),
        jobs=jobs,
        relay=relay,
    )
    try:
        yield Opened(resources, redis_url, embedded)
    finally:
        await resources.broadcast.close()
        await jobs.close()
        await redis.aclose()
        await engine.dispose()
        await payments.close()
        await resources.assistant.close()
        if embedded:
            embedded.stop()
