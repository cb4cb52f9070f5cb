"""The `onewindow` command: serve, migrate, catalog import, seed, export-schema."""

from __future__ import annotations

import asyncio
import json
import os
import socket
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from backend.settings import PROJECT_ROOT, Settings, describe_settings, get_settings

T = TypeVar("T")
err = Console(stderr=True)


def _run(work: Callable[[], Awaitable[T]]) -> T:
    return asyncio.run(work())  # type: ignore[arg-type]


def _cli_locale() -> Any:
    from backend.i18n import negotiate

    # An operator's terminal language: LANG=en_US.UTF-8 -> en, zh_TW.UTF-8 -> zh-Hant.
    lang = os.environ.get("LC_ALL") or os.environ.get("LC_MESSAGES") or os.environ.get("LANG") or ""
    return negotiate(lang.split(".")[0].replace("_", "-"))


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="onewindow")
def main() -> None:
    """onewindow: one GraphQL backend for the citizen super-app (一网通办)."""


# --- serve --------------------------------------------------------------------------------------
@main.command()
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
        _run(lambda: _prepare_database(settings))
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
        proxy_headers=bool(settings.trusted_proxies),
        forwarded_allow_ips=settings.trusted_proxies or None,
    )
    base = settings.public_url or f"http://{host if ':' not in host else f'[{host}]'}:{bound_port}"
    if not settings.public_url:
        # Tokens and discovery name the address this server really answers on.
        os.environ["ONEWINDOW_PUBLIC_URL"] = base
        get_settings.cache_clear()
    # The socket is already listening: a request sent after this line waits in the backlog.
    click.echo(
        f"onewindow is listening on {base}\n"
        f"  GraphQL   {base}/graphql\n"
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


async def _prepare_database(settings: Settings, *, import_if_empty: bool = True) -> None:
    """Bring the schema to head; on an empty catalog, import the configured (demo) catalog."""
    from sqlalchemy import func, select

    from backend.db import migrate, tables
    from backend.db.engine import create_engine, session_factory

    engine = create_engine(settings.resolved_database_url)
    try:
        await migrate.upgrade(engine)
        async with session_factory(engine)() as session:
            empty = (await session.execute(select(func.count()).select_from(tables.matters))).scalar_one() == 0
    finally:
        await engine.dispose()
    if empty and import_if_empty:
        await _import(settings, settings.resolved_catalog_dir, dry_run=False, quiet=True)


# --- migrate ------------------------------------------------------------------------------------
@main.command()
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

    sys.exit(_run(work))


# --- catalog ------------------------------------------------------------------------------------
@main.group()
def catalog() -> None:
    """The service catalog: validate and import a city's export."""


def _catalog_dir(directory: Path | None) -> Path:
    return directory if directory is not None else get_settings().resolved_catalog_dir


def _report_problems(problems: list[Any]) -> None:
    from backend.i18n import catalogs

    messages = catalogs(get_settings().locales_dir)
    locale = _cli_locale()
    for problem in problems:
        click.echo(problem.render(lambda msgid, **p: messages.gettext(locale, msgid, **p)), err=True)
    click.secho(f"{len(problems)} problem(s); nothing was imported.", fg="red", bold=True, err=True)


@catalog.command("validate")
@click.argument("directory", required=False, type=click.Path(exists=True, file_okay=False, path_type=Path))
def catalog_validate(directory: Path | None) -> None:
    """Check an export completely without importing it (default: the configured catalog)."""
    from backend.catalog.validate import read_catalog

    folder = _catalog_dir(directory)
    data, problems = read_catalog(folder)
    if problems or data is None:
        _report_problems(problems)
        sys.exit(1)
    click.echo(
        f"{folder}: valid ({len(data.matters)} matters, {len(data.bundles)} bundles, "
        f"{len(data.departments)} departments, {len(data.halls)} halls)"
    )


@catalog.command("import")
@click.argument("directory", required=False, type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Validate and compute the changes, then roll back.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
def catalog_import(directory: Path | None, dry_run: bool, as_json: bool) -> None:
    """Validate, then import idempotently (default: the bundled demo catalog or ONEWINDOW_CATALOG_DIR)."""
    report = _run(lambda: _import(get_settings(), _catalog_dir(directory), dry_run=dry_run, quiet=as_json))
    if as_json:
        click.echo(json.dumps(report, ensure_ascii=False))


async def _import(settings: Settings, folder: Path, *, dry_run: bool, quiet: bool) -> dict[str, Any]:
    from backend.catalog.importer import import_catalog
    from backend.catalog.validate import read_catalog
    from backend.db.engine import create_engine, session_factory, unit_of_work

    data, problems = read_catalog(folder)
    if problems or data is None:
        _report_problems(problems)
        sys.exit(1)
    engine = create_engine(settings.resolved_database_url)
    columns = [TextColumn("{task.description:<18}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn()]
    try:
        with Progress(*columns, console=err, disable=quiet, transient=False) as bar:
            task = bar.add_task("importing", total=None)

            def progress(step: str, done: int, total: int) -> None:
                bar.update(task, description=step, completed=done, total=total)

            async with session_factory(engine)() as session:
                if dry_run:
                    report = await import_catalog(session, data, source=str(folder), progress=progress)
                    await session.rollback()
                else:
                    async with unit_of_work(session):
                        report = await import_catalog(session, data, source=str(folder), progress=progress)
    finally:
        await engine.dispose()
    if report.changed and not dry_run:
        await _announce_catalog_change(settings)
    if not quiet:
        for name, counts in report.as_dict().items():
            click.echo(f"  {name:<18} " + "  ".join(f"{k} {v}" for k, v in counts.items()))
        verdict = "would change" if dry_run else "changed"
        click.echo(f"{folder}: {verdict if report.changed else 'nothing changed'}" + (" (dry run)" if dry_run else ""))
    return report.as_dict()


async def _announce_catalog_change(settings: Settings) -> None:
    """Tell running servers to reload their catalog (they also notice by themselves within 30 s)."""
    from redis.exceptions import RedisError

    from backend.catalog.snapshot import announce_change
    from backend.kv import connect, running_redis_url

    url = running_redis_url(settings.redis_url, settings.data_dir)
    if url is None:
        return
    redis = connect(url)
    try:
        await announce_change(redis)
    except (RedisError, OSError):
        err.print("running servers could not be told at once; they reload the catalog within 30 seconds")
    finally:
        await redis.aclose()


@catalog.command("synthesize")
@click.option("--matters", "count", default=46000, show_default=True, help="How many matters in all.")
@click.option("--output", type=click.Path(file_okay=False, path_type=Path), default=Path("var/city-catalog"),
              show_default=True, help="Folder for the expanded export.")  # fmt: skip
@click.argument("directory", required=False, type=click.Path(exists=True, file_okay=False, path_type=Path))
def catalog_synthesize(count: int, output: Path, directory: Path | None) -> None:
    """Expand an export to city scale (district, street and community copies); deterministic."""
    from backend.catalog.synthesize import synthesize

    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=err) as bar:  # fmt: skip
        task = bar.add_task("synthesizing", total=count)
        counts = synthesize(_catalog_dir(directory), output, count,
                            lambda done, total: bar.update(task, completed=done))  # fmt: skip
    click.echo(f"{output}: " + ", ".join(f"{v} {k}" for k, v in counts.items()))
    click.echo(f"import it with: uv run onewindow catalog import {output}")


# --- seed ---------------------------------------------------------------------------------------
@main.command()
def seed() -> None:
    """Load the demo data (idempotent): the demo catalog, the synthetic population, demo accounts."""
    settings = get_settings()
    if settings.is_production:
        raise click.ClickException("seed loads demo data and refuses to run with production settings")
    _run(lambda: _prepare_database(settings, import_if_empty=False))
    _run(lambda: _import(settings, settings.resolved_catalog_dir, dry_run=False, quiet=False))
    from backend.identity.secrets import master_secret
    from backend.identity.seed import DEMO_PASSWORD, seed_identity
    from backend.identity_cli import run as in_transaction

    secret = master_secret(settings)
    report = in_transaction(lambda session: seed_identity(session, master_secret=secret))
    from payments.sandbox.alipay.keys import SandboxKeys

    SandboxKeys(settings.alipay_sandbox_dir)  # the sandbox and the server read the same key files
    click.echo(f"population registry stand-in: {report.residents} residents")
    click.echo(f"certificate library stand-in: {report.certificates} certificates, each on the trust log")
    click.echo(
        "demo citizen: 李明, phone 13800138000 (married, Tianhe, one child). Sign in with\n"
        '  mutation { requestLoginCode(phone: "13800138000") { sent } }\n'
        "  uv run onewindow sms outbox --phone 13800138000      # shows the code\n"
        '  mutation { login(phone: "13800138000", code: "123456") { accessToken refreshToken } }'
    )
    click.echo(
        f"demo staff ({len(report.staff)}): officer.<department code in lower case> (e.g. officer.gz-ga), "
        f"finance, admin; password {DEMO_PASSWORD}\n"
        '  mutation { staffLogin(username: "admin", password: "...") { accessToken } }'
    )


# --- export-schema ------------------------------------------------------------------------------
@main.command("export-schema")
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


# --- identity -----------------------------------------------------------------------------------
def _add_identity_commands() -> None:
    from backend.applications_cli import COMMANDS as APPLICATION_COMMANDS
    from backend.identity_cli import COMMANDS
    from backend.payments_cli import COMMANDS as PAYMENT_COMMANDS

    for command in [*COMMANDS, *APPLICATION_COMMANDS, *PAYMENT_COMMANDS]:
        main.add_command(command)


_add_identity_commands()


# --- settings -----------------------------------------------------------------------------------
@main.command("settings")
def show_settings() -> None:
    """List every ONEWINDOW_* setting with its default and meaning."""
    for name, default, description in describe_settings():
        click.echo(f"{name}\n    {description}\n    default: {default or '(empty)'}")
