"""`onewindow hall slots | no-shows | sweep-appointments`: a hall's bookable times of a matter on a day, the
day's missed appointments and confirmed arrivals, and the appointments' sweep run by hand. Labels are in
the terminal's language; no personal data is printed (references only)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

import click

from backend import clock
from backend.cli.common import cli_locale, domain_error, in_transaction

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

DAY = click.DateTime(["%Y-%m-%d"])


def _transaction(work: Any) -> Any:
    from backend.errors import DomainError

    try:
        return in_transaction(work)
    except DomainError as error:
        raise domain_error(error) from None


def _said(msgid: str, **params: Any) -> str:
    from backend.i18n import catalogs
    from backend.settings import get_settings

    return catalogs(get_settings().locales_dir).gettext(cli_locale(), msgid, **params)


def _clock(value: datetime) -> str:
    from backend.applications.workdays import SHANGHAI

    return value.astimezone(SHANGHAI).strftime("%H:%M")


@click.command("slots")
@click.option("--hall", "hall_code", required=True, help="The hall's code (HALL-GZ).")
@click.option("--matter", "matter_code", required=True, help="The matter's code (GZ-GA-0019).")
@click.option("--day", type=DAY, required=True, help="The Beijing day (YYYY-MM-DD).")
def slots(hall_code: str, matter_code: str, day: datetime) -> None:
    """A matter's bookable times at a hall on a day: places, places left, and why a time is not bookable."""
    from rich.console import Console
    from rich.table import Table

    from backend.applications.workdays import WorkCalendar
    from backend.catalog.snapshot import load_snapshot
    from backend.hall.appointments import listing

    async def work(session: AsyncSession) -> list[listing.SlotView]:
        snapshot = await load_snapshot(session)
        return await listing.day_listing(
            session, snapshot, WorkCalendar.default(), hall_code, matter_code, day.date(), clock.now()
        )

    views = _transaction(work)
    if not views:
        click.echo(f"{hall_code} {day.date().isoformat()}: -")
        return
    click.echo(f"{hall_code} {matter_code} {day.date().isoformat()}")
    table = Table()
    for column in ("#", "time", "places", "left", ""):
        table.add_column(column)
    for view in views:
        why = _said(listing.REASONS[view.reason], **view.params) if view.reason else ""
        slot = view.slot
        span = f"{_clock(slot.starts_at)}-{_clock(slot.ends_at)}"
        table.add_row(str(slot.id), span, str(slot.capacity), str(slot.places_left), why)
    Console().print(table)


@click.command("no-shows")
@click.option("--hall", "hall_code", required=True, help="The hall's code (HALL-GZ).")
@click.option("--day", type=DAY, required=True, help="The Beijing day (YYYY-MM-DD).")
def no_shows(hall_code: str, day: datetime) -> None:
    """A hall's day: confirmed arrivals per category, and the appointments missed (reference, time, matter)."""
    from rich.console import Console
    from rich.table import Table
    from sqlalchemy import select

    from backend.catalog.snapshot import load_snapshot
    from backend.db import tables as t
    from backend.hall.appointments import stats
    from backend.hall.appointments.models import AppointmentStatus
    from backend.hall.categories import categories_of
    from backend.i18n import pick

    async def work(session: AsyncSession) -> tuple[Any, dict[str, int], list[Any]]:
        snapshot = await load_snapshot(session)
        start, end = stats.day_bounds(day.date())
        a = t.appointments
        query = (
            select(a.c.reference, a.c.starts_at, a.c.category_code, a.c.matter_code, a.c.strike)
            .where(a.c.hall_code == hall_code, a.c.starts_at >= start, a.c.starts_at < end)
            .where(a.c.status == AppointmentStatus.NO_SHOW.value)
            .order_by(a.c.starts_at, a.c.reference)
        )
        return snapshot, await stats.booked(session, hall_code, day.date()), list(await session.execute(query))

    snapshot, booked, missed = _transaction(work)
    locale = cli_locale()
    names = {c.code: pick(c.name, locale) for c in categories_of(snapshot, hall_code)}
    arrivals = Table()
    arrivals.add_column(_said("Confirmed"))
    arrivals.add_column("#")
    for code, count in sorted(booked.items()):
        arrivals.add_row(names.get(code, code), str(count))
    table = Table()
    for column in (_said("Missed"), "time", "", "matter", "exempt"):
        table.add_column(column)
    for row in missed:
        matter = snapshot.by_code.get(row.matter_code)
        table.add_row(
            row.reference,
            _clock(row.starts_at),
            names.get(row.category_code, row.category_code),
            pick(matter.name, locale) if matter else row.matter_code,
            "70+" if row.strike == "exempt" else "",
        )
    console = Console()
    console.print(f"{hall_code} {day.date().isoformat()}: {_said('Confirmed')} {sum(booked.values())}")
    console.print(arrivals)
    console.print(f"{hall_code} {day.date().isoformat()}: {_said('Missed')} {len(missed)}")
    console.print(table)


@click.command("sweep-appointments")
def sweep_appointments() -> None:
    """Run the appointments' sweep once now (the worker runs it every minute)."""
    from backend.hall.appointments.sweep import sweep
    from backend.i18n import catalogs
    from backend.identity.runtime import message_channels
    from backend.settings import get_settings

    settings = get_settings()

    async def work(session: AsyncSession) -> dict[str, Any]:
        sms, _ = message_channels(settings)
        return await sweep(session, sms, catalogs(settings.locales_dir), clock.now())

    click.echo(" ".join(f"{k}={v}" for k, v in _transaction(work).items()))


def register(group: click.Group) -> None:
    """Add these commands to `onewindow hall`."""
    for command in (slots, no_shows, sweep_appointments):
        group.add_command(command)
