"""`onewindow finance`: reconciling the channels' bills, runs and breaks (issue 18).

`finance reconcile --day D [--channel C]` exits 0 when reconciled, 1 when breaks remain, 2 when a bill
could not be read (not out yet, the channel unreachable); a refusal (a day still to come) is one
localized line and exit 1. `onewindow payments bill-check --day D` is the same command by its old name.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Any

import click

from backend.cli.common import cli_locale, domain_error, echo_json, err, progress_columns, run

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from payments.reconciliation.runs import Run

EXIT_BREAKS, EXIT_INCOMPLETE = 1, 2
ACTOR = "cli:finance"


def _day(value: datetime) -> date:
    return value.date()


def _say(msgid: str, **params: Any) -> str:
    from backend.i18n import catalogs
    from backend.settings import get_settings

    return catalogs(get_settings().locales_dir).gettext(cli_locale(), msgid, **params)


def _reconcile(day: date, channel: str | None, as_json: bool) -> None:
    from rich.progress import Progress

    from backend.db.engine import unit_of_work
    from backend.errors import DomainError
    from payments.cli import _payment_deps, _sessions
    from payments.reconciliation.runs import Reconciliation

    settings, deps = _payment_deps()
    names = [channel] if channel else sorted(deps.channels)

    async def work() -> list[Run]:
        made: list[Run] = []
        async with _sessions(settings) as sessions:
            with Progress(*progress_columns(), console=err, transient=True, disable=as_json) as progress:
                for name in names:
                    task = progress.add_task(f"{name} {day}", total=None)

                    def loaded(rows: int, task: Any = task) -> None:
                        progress.update(task, completed=rows)

                    async with sessions() as session, unit_of_work(session):
                        made.append(await Reconciliation(session, deps).run(name, day, ACTOR, loaded))
        return made

    try:
        runs = run(work)
    except DomainError as error:
        raise domain_error(error) from None
    if as_json:
        import msgspec

        echo_json(msgspec.to_builtins(runs))
    else:
        for found in runs:
            _print_run(found)
    if any(found.verdict == "incomplete" for found in runs):
        raise SystemExit(EXIT_INCOMPLETE)
    if any(found.verdict == "breaks" for found in runs):
        raise SystemExit(EXIT_BREAKS)


def _print_run(found: Run) -> None:
    from payments.money import to_yuan
    from payments.reconciliation import labels

    channel = _say(labels.CHANNELS.get(found.channel, found.channel))
    click.echo(f"{found.day} {channel}: {_say(labels.VERDICT_LABELS[found.verdict])}")
    code, detail = labels.reason_parts(found.reason)
    if code:
        click.echo(f"  {_say(labels.REASONS[code], day=found.day.isoformat(), detail=detail)}", err=True)
        return
    counts, totals = found.counts, found.totals
    click.echo(
        f"  bill {counts['bill_rows']} rows ({to_yuan(totals['bill_payments_fen'])} in, "
        f"{to_yuan(-totals['bill_refunds_fen'])} refunded, fees {to_yuan(totals['bill_fees_fen'])}); "
        f"matched {counts['matched']}, settled {counts['settled']}, pending {counts['pending']}, "
        f"breaks {counts['breaks']}"
    )
    flow = counts["continuity"]
    click.echo(
        f"  open breaks: {flow['open_before']} + {flow['opened']} - {flow['closed']} = {flow['open_after']}"
        + ("" if flow["holds"] else "  (DOES NOT ADD UP)")
    )


def _breaks(status: str, day: date | None, channel: str | None, priority: str | None, limit: int) -> None:
    from payments.money import to_yuan
    from payments.reconciliation import labels, reading
    from payments.reconciliation.reading import Break

    async def work(session: AsyncSession) -> list[Break]:
        wanted = reading.BreakFilter(status=status, day=day, channel=channel, priority=priority)
        return await reading.breaks(session, wanted, limit=limit)

    from backend.cli.common import in_transaction

    for item in in_transaction(work):
        amounts = [to_yuan(x) if x is not None else "-" for x in (item.channel_fen, item.platform_fen)]
        click.echo(
            f"{item.priority} {item.day} {_say(labels.CHANNELS.get(item.channel, item.channel))} "
            f"{item.reference}  {_say(labels.KIND_LABELS[item.kind])}  "
            f"bill {amounts[0]} / books {amounts[1]}  {_say(labels.STATUS_LABELS[item.status])}"
        )


DAY = click.DateTime(["%Y-%m-%d"])


def register(group: click.Group) -> None:
    """Add these commands to `onewindow finance`, and `payments bill-check` as the old name of reconcile."""

    @group.command("reconcile")
    @click.option("--day", type=DAY, required=True, help="The Beijing date of the bills.")
    @click.option("--channel", default=None, help="One channel (alipay, wechatpay); default every channel.")
    @click.option("--json", "as_json", is_flag=True, help="Print the runs as JSON.")
    def reconcile(day: datetime, channel: str | None, as_json: bool) -> None:
        """Reconcile the channels' bills of a Beijing day with the books: exit 1 on breaks, 2 when a bill
        could not be read (not out yet: after 10:00 the day after)."""
        _reconcile(_day(day), channel, as_json)

    @group.command("breaks")
    @click.option("--status", default="open", show_default=True, help="open, new, persisting or resolved.")
    @click.option("--day", type=DAY, default=None)
    @click.option("--channel", default=None)
    @click.option("--priority", default=None, help="P1 .. P4.")
    @click.option("--limit", default=100, show_default=True)
    def breaks(status: str, day: datetime | None, channel: str | None, priority: str | None, limit: int) -> None:
        """The breaks runs found, newest first."""
        _breaks(status, _day(day) if day else None, channel, priority, limit)

    from payments.cli import payments

    @payments.command("bill-check")
    @click.option("--day", type=DAY, required=True, help="The Beijing date of the bill.")
    @click.option("--json", "as_json", is_flag=True, help="Print JSON.")
    def bill_check(day: datetime, as_json: bool) -> None:
        """The old name of `onewindow finance reconcile` (every channel)."""
        _reconcile(_day(day), None, as_json)
