"""`onewindow catalog validate | import | synthesize`: a city's service catalog."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from backend.cli.common import cli_locale, err, progress_columns, run
from backend.settings import Settings, get_settings


async def prepare_database(settings: Settings, *, import_if_empty: bool = True) -> None:
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
        await import_folder(settings, settings.resolved_catalog_dir, dry_run=False, quiet=True)


# --- catalog ------------------------------------------------------------------------------------
@click.group()
def catalog() -> None:
    """The service catalog: validate and import a city's export."""


def _catalog_dir(directory: Path | None) -> Path:
    return directory if directory is not None else get_settings().resolved_catalog_dir


def _report_problems(problems: list[Any]) -> None:
    from backend.i18n import catalogs

    messages = catalogs(get_settings().locales_dir)
    locale = cli_locale()
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
    report = run(lambda: import_folder(get_settings(), _catalog_dir(directory), dry_run=dry_run, quiet=as_json))
    if as_json:
        click.echo(json.dumps(report, ensure_ascii=False))


async def import_folder(settings: Settings, folder: Path, *, dry_run: bool, quiet: bool) -> dict[str, Any]:
    """Validate and import a catalog folder with a progress bar (rolled back on a dry run); the report."""
    from backend.catalog.importer import import_catalog
    from backend.catalog.validate import read_catalog
    from backend.db.engine import create_engine, session_factory, unit_of_work

    data, problems = read_catalog(folder)
    if problems or data is None:
        _report_problems(problems)
        sys.exit(1)
    engine = create_engine(settings.resolved_database_url)
    columns = progress_columns()
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
@click.option(
    "--output",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("var/city-catalog"),
    show_default=True,
    help="Folder for the expanded export.",
)
@click.argument("directory", required=False, type=click.Path(exists=True, file_okay=False, path_type=Path))
def catalog_synthesize(count: int, output: Path, directory: Path | None) -> None:
    """Expand an export to city scale (district, street and community copies); deterministic."""
    from backend.catalog.synthesize import synthesize

    with Progress(
        TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), console=err
    ) as bar:
        task = bar.add_task("synthesizing", total=count)
        counts = synthesize(
            _catalog_dir(directory), output, count, lambda done, total: bar.update(task, completed=done)
        )
    click.echo(f"{output}: " + ", ".join(f"{v} {k}" for k, v in counts.items()))
    click.echo(f"import it with: uv run onewindow catalog import {output}")


COMMANDS = [catalog]
