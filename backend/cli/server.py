"""`onewindow serve | migrate | export-schema | settings`: running the service and its contract."""

from __future__ import annotations

import os
import socket
import sys
from pathlib import Path

import click

from backend.cli.catalog import prepare_database
from backend.cli.common import run
from backend.settings import PROJECT_ROOT, describe_settings, get_settings


# --- serve --------------------------------------------------------------------------------------
@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=int, help="Port (0 picks a free one).")
@click.option("--workers", default=1, show_default=True, type=int, help="Worker processes.")
def serve(host: str, port: int, workers: int) -> None:
    """Serve the backend (GraphQL, health). On embedded defaults it migrates and imports first."""
    import uvicorn
    from uvicorn.supervisors import Multiprocess

    from backend.kv import ensure_redis_url
    from backend.logs import configure_logging

    settings = get_settings()
    configure_logging(settings.log_level, settings.log_format)
    if not settings.is_production:
        run(lambda: prepare_database(settings))
    # One embedded Redis for all workers: started here, its URL handed down in the environment.
    redis_url, embedded = ensure_redis_url(settings.redis_url, settings.data_dir)
    if embedded:
        embedded.supervise()
    os.environ["ONEWINDOW_REDIS_URL"] = redis_url
    get_settings.cache_clear()
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(2048)
    sock.set_inheritable(True)
    bound_port = sock.getsockname()[1]
    config = uvicorn.Config(
        "backend.app:app_from_env",
        factory=True,
        workers=workers,
        loop="uvloop",
        http="httptools",
        lifespan="on",
        access_log=False,
        log_config=None,
        server_header=False,
        timeout_graceful_shutdown=10,
        # X-Forwarded-For is believed from the configured proxies only; by default from nobody, so a
        # caller cannot pick the address its rate limits count against.
        # uvicorn's ProxyHeadersMiddleware reads X-Forwarded-For right to left, skipping these networks.
        proxy_headers=bool(settings.trusted_proxy_networks),
        forwarded_allow_ips=settings.trusted_proxy_networks or None,
    )
    listening = f"http://{host if ':' not in host else f'[{host}]'}:{bound_port}"
    base = settings.public_url or listening
    if not settings.public_url:
        # Tokens and discovery name the address this server really answers on.
        os.environ["ONEWINDOW_PUBLIC_URL"] = base
        get_settings.cache_clear()
    # The socket is already listening: a request sent after this line waits in the backlog.
    click.echo(
        f"onewindow is listening on {listening}\n"
        + (f"  Public    {base}  (ONEWINDOW_PUBLIC_URL)\n" if base != listening else "")
        + f"  GraphQL   {base}/graphql\n"
        + (f"  GraphiQL  {base}/graphql  (open in a browser)\n" if settings.graphiql_enabled else "")
        + f"  Health    {base}/health",
        err=False,
    )
    sys.stdout.flush()
    try:
        if workers > 1:
            Multiprocess(config, sockets=[sock]).run()
        else:
            uvicorn.Server(config).run(sockets=[sock])
    except KeyboardInterrupt:
        pass  # uvicorn already shut down gracefully and re-raised Ctrl-C: that is a normal stop
    finally:
        if embedded:
            embedded.stop()


# --- migrate ------------------------------------------------------------------------------------
@click.command()
@click.option("--to", "revision", default="head", show_default=True, help="Target revision.")
@click.option("--check", is_flag=True, help="Only report; exit 1 when the database is not at head.")
def migrate(revision: str, check: bool) -> None:
    """Apply database migrations (the same ones on SQLite and PostgreSQL)."""
    from backend.db import migrate as m
    from backend.db.engine import create_engine, redact_url

    settings = get_settings()

    async def work() -> int:
        engine = create_engine(settings.resolved_database_url)
        try:
            before = await m.current_revision(engine)
            head = m.head_revision()
            if check:
                click.echo(f"database {redact_url(settings.resolved_database_url)} at {before}; code at {head}")
                return 0 if before == head else 1
            await m.upgrade(engine, revision)
            after = await m.current_revision(engine)
            click.echo(f"migrated {redact_url(settings.resolved_database_url)}: {before} -> {after}")
            return 0
        finally:
            await engine.dispose()

    sys.exit(run(work))


# --- export-schema ------------------------------------------------------------------------------
@click.command("export-schema")
@click.option(
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=PROJECT_ROOT / "graphql" / "schema.graphql",
    show_default="graphql/schema.graphql",
)
@click.option("--check", is_flag=True, help="Exit 1 when the committed file differs from the code.")
def export_schema(output: Path, check: bool) -> None:
    """Write the GraphQL schema (SDL): the API contract clients build against."""
    from backend.graphql.schema import schema_sdl

    sdl = schema_sdl()
    if check:
        current = output.read_text(encoding="utf-8") if output.exists() else ""
        if current != sdl:
            raise click.ClickException(f"{output} is stale: run `uv run onewindow export-schema`")
        click.echo(f"{output} is up to date")
        return
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(sdl, encoding="utf-8")
    click.echo(f"wrote {output}")


# --- settings -----------------------------------------------------------------------------------
@click.command("settings")
def show_settings() -> None:
    """List every ONEWINDOW_* setting with its default and meaning."""
    for name, default, description in describe_settings():
        click.echo(f"{name}\n    {description}\n    default: {default or '(empty)'}")


COMMANDS = [serve, migrate, export_schema, show_settings]
