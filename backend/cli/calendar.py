"""`onewindow calendar`: counting Chinese working days, and loading a year's official holiday arrangement."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import click

from backend.applications.workdays import DATA_FILE, WorkCalendar

_FILE_OPTION = click.option(
    "--file",
    "data_file",
    type=click.Path(dir_okay=False, path_type=Path),
    default=DATA_FILE,
    show_default=True,
    help="The calendar's data file (the official arrangements).",
)


@click.group()
def calendar() -> None:
    """Working days (工作日): the State Council's arrangements, and the provisional rule for other years."""


def _provisional_years(calendar_: WorkCalendar, start: date, end: date) -> list[int]:
    return [year for year in range(start.year, end.year + 1) if year not in calendar_.years]


@calendar.command("add-workdays")
@click.argument("start", type=click.DateTime(["%Y-%m-%d"]))
@click.argument("days", type=click.IntRange(0, None))
@_FILE_OPTION
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def add_workdays(start: datetime, days: int, data_file: Path, as_json: bool) -> None:
    """The date DAYS working days after START (a deadline), and whether it is provisional."""
    from backend.cli.common import echo_json

    work_calendar = WorkCalendar.load(data_file)
    try:
        deadline = work_calendar.deadline(start.date(), days)
    except ValueError as error:
        raise click.ClickException(str(error)) from error
    missing = _provisional_years(work_calendar, start.date(), deadline.due)
    if as_json:
        echo_json({"date": deadline.due.isoformat(), "provisional": deadline.provisional, "provisional_years": missing})
        return
    if deadline.provisional:
        years = ", ".join(str(year) for year in missing)
        click.echo(
            f"{deadline.due.isoformat()}  provisional: no official arrangement loaded for {years} "
            "(weekends and statutory holidays counted; run `onewindow calendar load` when it is published)"
        )
    else:
        click.echo(f"{deadline.due.isoformat()}  official")


@calendar.command("years")
@_FILE_OPTION
def years(data_file: Path) -> None:
    """The years whose official arrangement is loaded (others are counted with the provisional rule)."""
    work_calendar = WorkCalendar.load(data_file)
    click.echo(" ".join(str(year) for year in sorted(work_calendar.years)))
    click.echo(f"source: {work_calendar.source}")


@calendar.command("load")
@click.option("--from-package", "from_package", is_flag=True, help="From the installed chinesecalendar package.")
@click.option(
    "--from-file",
    "source_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="From a JSON file shaped like the data file (source, years).",
)
@click.option("--year", "years_", type=int, multiple=True, help="Only these years (repeatable).")
@_FILE_OPTION
def load(from_package: bool, source_file: Path | None, years_: tuple[int, ...], data_file: Path) -> None:
    """Write official arrangements into the data file (those years replaced, others kept).

    From the package, by default the years after the file's latest. Then commit and deploy the file, and
    run `onewindow sla recount` so open applications' provisional deadlines follow it.
    """
    from backend.applications import arrangements

    if from_package == (source_file is not None):
        raise click.UsageError("give exactly one of --from-package and --from-file")
    try:
        if from_package:
            # By default only the years after the file's latest: a loaded year is replaced only when asked.
            latest = max(WorkCalendar.load(data_file).years, default=0)
            wanted = set(years_) or {year for year in arrangements.package_years() if year > latest}
            if not wanted:
                click.echo(f"nothing new: the installed chinesecalendar knows no year after {latest}")
                return
            loaded, source = arrangements.from_package(wanted)
        else:
            assert source_file is not None
            loaded, source = arrangements.from_file(source_file)
            if years_:
                missing = set(years_) - set(loaded)
                if missing:
                    raise arrangements.UnknownYearError(min(missing))
                loaded = {year: schedule for year, schedule in loaded.items() if year in years_}
        written = arrangements.load_into(loaded, source, data_file)
    except arrangements.UnknownYearError as error:
        raise click.ClickException(
            f"no arrangement for {error.args[0]} in the source; upgrade chinesecalendar or load it from a file"
        ) from error
    except ValueError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"loaded {', '.join(str(y) for y in sorted(loaded))} into {data_file}")
    click.echo(f"official years now: {' '.join(str(y) for y in sorted(written.years))}")


COMMANDS = [calendar]
