"""create_app(settings) -> Litestar. Wiring only: routes, middleware, lifespan."""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import structlog
from litestar import Litestar

from backend.catalog.snapshot import CHANGED_CHANNEL
from backend.db.engine import redact_url
from backend.graphql.documents import TrustedDocuments, register_platform_documents
from backend.graphql.http import graphql_get, graphql_post
from backend.graphql.schema import build_schema
from backend.graphql.ws import graphql_ws
from backend.logs import configure_logging
from backend.middleware import request_context_middleware, response_headers
from backend.rest import finance as finance_routes
from backend.rest import hall_visits as hall_visit_routes
from backend.rest import oidc
from backend.rest import payments as payment_routes
from backend.rest.cors import AllowedOrigins, cors_middleware
from backend.rest.errors import unexpected_error
from backend.rest.health import health
from backend.rest.pages import Pages
from backend.rest.uploads import download, upload
from backend.runtime import open_resources
from backend.settings import PROJECT_ROOT, Settings, get_settings

log = structlog.get_logger("backend.app")


def create_app(settings: Settings | None = None) -> Litestar:
    """The ASGI application for `settings` (the environment's when None)."""
    settings = settings or get_settings()
    configure_logging(settings.log_level, settings.log_format)

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        async with open_resources(settings) as opened:
            resources = app.state.resources = opened.resources
            documents = app.state.documents = TrustedDocuments()

            def catalog_changed() -> None:
                resources.catalog.mark_stale()
                documents.responses.clear()  # the cached public answers show the old catalog

            # An import tells every instance at once; after a lost connection, check (a notice may be lost).
            resources.broadcast.watch(CHANGED_CHANNEL, catalog_changed)
            app.state.pages = Pages(resources.messages)  # the sign-in and consent pages (REST transport)
            app.state.cors_origins = AllowedOrigins(resources.sessions)  # who may call us from a web page
            await resources.catalog.get()  # load the catalog now, not on the first request
            await resources.broadcast.start()
            schema = build_schema(settings.introspection)
            await register_platform_documents(resources.sessions, schema, PROJECT_ROOT / "graphql" / "operations")
            # Everything built at start-up lives for the whole process: keep it out of GC passes.
            gc.collect()
            gc.freeze()
            log.info(
                "app.started",
                database=redact_url(settings.resolved_database_url),
                redis="embedded" if opened.embedded else redact_url(opened.redis_url),
                env=settings.env.value,
            )
            try:
                yield
            finally:
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
            *finance_routes.ROUTES,
            *hall_visit_routes.ROUTES,
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
