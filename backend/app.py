"""create_app(settings) -> Litestar. Wiring only: routes, middleware, lifespan."""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import structlog
from litestar import Litestar

from backend.applications.unit import ApplicationDeps
from backend.assistant.relay import AssistantRelay
from backend.broadcast import Broadcast
from backend.catalog.snapshot import CHANGED_CHANNEL, CatalogCache
from backend.certificates.runtime import build_numbers
from backend.certificates.trustlog import log_key
from backend.db.engine import create_engine, redact_url, session_factory
from backend.graphql.documents import TrustedDocuments, register_platform_documents
from backend.graphql.http import graphql_get, graphql_post
from backend.graphql.schema import build_schema
from backend.graphql.ws import graphql_ws
from backend.i18n import catalogs
from backend.identity.runtime import build_identity
from backend.kv import connect, ensure_redis_url
from backend.logs import configure_logging
from backend.middleware import request_context_middleware, response_headers
from backend.parties import PlatformParties
from backend.payment_events import PlatformPaymentEvents
from backend.resources import Resources
from backend.rest import oidc
from backend.rest import payments as payment_routes
from backend.rest.cors import AllowedOrigins, cors_middleware
from backend.rest.errors import unexpected_error
from backend.rest.health import health
from backend.rest.pages import Pages
from backend.rest.uploads import download, upload
from backend.search.service import SearchService
from backend.settings import PROJECT_ROOT, Settings, get_settings
from payments.notifications import notification_batcher
from payments.runtime import build_payments

log = structlog.get_logger("backend.app")


def create_app(settings: Settings | None = None) -> Litestar:
    """The ASGI application for `settings` (the environment's when None)."""
    settings = settings or get_settings()
    configure_logging(settings.log_level, settings.log_format)

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        redis_url, embedded = ensure_redis_url(settings.redis_url, settings.data_dir)
        engine = create_engine(settings.resolved_database_url)
        redis = connect(redis_url)
        sessions = session_factory(engine)
        catalog = CatalogCache(sessions)
        broadcast = Broadcast(redis)
        documents = app.state.documents = TrustedDocuments()

        def catalog_changed() -> None:
            catalog.mark_stale()
            documents.responses.clear()  # the cached public answers show the old catalog

        # An import tells every instance at once; after a lost connection, check (a notice may be lost).
        broadcast.watch(CHANGED_CHANNEL, catalog_changed)
        messages = catalogs(settings.locales_dir)
        identity = await build_identity(settings, sessions, redis, messages)
        applications = ApplicationDeps(
            identity.sms,
            messages,
            identity.registry,
            log_key(identity.master_secret),
            build_numbers(settings),
            payment_days=settings.order_unpaid_days,
        )
        events = PlatformPaymentEvents(applications, lambda _session: catalog.get())
        payments = build_payments(settings, identity.master_secret, PlatformParties(), events=events)
        app.state.resources = Resources(
            settings=settings,
            engine=engine,
            sessions=sessions,
            redis=redis,
            broadcast=broadcast,
            messages=messages,
            identity=identity,
            applications=applications,
            catalog=catalog,
            search=SearchService(catalog, sessions),
            payments=payments,
            notifications=notification_batcher(sessions, payments),
            assistant=AssistantRelay(settings.assistant_url, settings.assistant_timeout, identity.master_secret),
        )
        app.state.pages = Pages(messages)  # the sign-in and consent pages (REST transport)
        app.state.cors_origins = AllowedOrigins(sessions)  # who may call us from a web page
        await catalog.get()  # load the catalog now, not on the first request
        await broadcast.start()
        schema = build_schema(settings.introspection)
        await register_platform_documents(sessions, schema, PROJECT_ROOT / "graphql" / "operations")
        # Everything built at start-up lives for the whole process: keep it out of GC passes.
        gc.collect()
        gc.freeze()
        log.info(
            "app.started",
            database=redact_url(settings.resolved_database_url),
            redis="embedded" if embedded else redact_url(redis_url),
            env=settings.env.value,
        )
        try:
            yield
        finally:
            await broadcast.close()
            await redis.aclose()
            await engine.dispose()
            await app.state.resources.payments.close()
            await app.state.resources.assistant.close()
            if embedded:
                embedded.stop()
            log.info("app.stopped")

    return Litestar(
        route_handlers=[
            graphql_post,
            graphql_get,
            graphql_ws,
            upload,
            download,
            health,
            *oidc.ROUTES,
            *payment_routes.ROUTES,
        ],
        middleware=[request_context_middleware, cors_middleware],
        before_send=[response_headers],
        exception_handlers={Exception: unexpected_error},
        lifespan=[lifespan],
        openapi_config=None,
        logging_config=None,
        debug=False,
    )


def app_from_env() -> Litestar:
    """Factory for `uvicorn --factory backend.app:app_from_env` (used by `onewindow serve`)."""
    return create_app()
