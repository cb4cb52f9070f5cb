"""`onewindow hall`: the queue commands (`today`: the hall manager's view of the day's queues)."""

from __future__ import annotations

import click


def register(group: click.Group) -> None:
    """Add these commands to `onewindow hall`."""
    group.add_command(today)


@click.command("today")
@click.option("--hall", "hall_code", required=True, help="The hall's code, e.g. HALL-GZ.")
def today(hall_code: str) -> None:
    """Today's queues of a hall: waiting, called, served, missed, waits, open counters, no-shows."""
    from rich.console import Console
    from rich.table import Table
    from sqlalchemy.ext.asyncio import AsyncSession

    from backend import clock
    from backend.catalog.snapshot import load_snapshot
    from backend.cli.common import cli_locale, domain_error, in_transaction
    from backend.errors import DomainError
    from backend.hall.queue import manager, texts
    from backend.i18n import catalogs, pick
    from backend.settings import get_settings

    async def work(session: AsyncSession) -> tuple[manager.HallToday, str]:
        snapshot = await load_snapshot(session)
        day = await manager.hall_today(session, snapshot, hall_code, clock.now())
        hall = next(h for h in snapshot.halls if h.code == hall_code)
        return day, pick(hall.name, cli_locale())

    try:
        day, name = in_transaction(work)
    except DomainError as error:
        raise domain_error(error) from error
    locale, said = cli_locale(), catalogs(get_settings().locales_dir)
    table = Table(title=said.gettext(locale, texts.TODAY_TITLE, hall=name, no_shows=day.no_shows))
    for column in texts.TODAY_COLUMNS:
        table.add_column(said.gettext(locale, column), justify="left" if column == "Queue" else "right")
    for q in day.categories:
        table.add_row(
            f"{q.category.prefix} {pick(q.category.name, locale)}",
            str(q.waiting),
            str(q.called),
            str(q.served),
            str(q.missed),
            "-" if q.average_wait_minutes is None else f"{q.average_wait_minutes:.1f}",
            "-" if q.longest_wait_minutes is None else f"{q.longest_wait_minutes:.1f}",
            str(q.counters_open),
        )
    Console(width=140).print(table)
