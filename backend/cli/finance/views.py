"""`onewindow finance payments | refunds | export`: payments and refunds found, a page at a time, and
exports to a file (issue 18). Errors are said in the terminal's language, with a non-zero exit."""

from __future__ import annotations

import getpass
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from backend.cli.common import cli_locale, domain_error, progress_columns, run
from backend.settings import get_settings

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

    from sqlalchemy.ext.asyncio import AsyncSession

    from backend.i18n import Locale

DAY = click.DateTime(["%Y-%m-%d"])
CHANNELS = click.Choice(["alipay", "wechatpay"])


def _day(value: datetime | None) -> date | None:
    return value.date() if value else None


def _fen(value: str | None, option: str) -> int | None:
    from payments.money import to_fen

    if value is None:
        return None
    try:
        return to_fen(value)
    except ValueError:
        raise click.BadParameter(f"not an amount in yuan: {value}", param_hint=option) from None


def _in_session(work: Callable[[AsyncSession], Awaitable[Any]]) -> Any:
    """Run `work` on a session of the configured database; a domain error as one localized line, exit 1."""
    from backend.db.engine import create_engine, session_factory
    from backend.errors import DomainError

    async def go() -> Any:
        engine = create_engine(get_settings().resolved_database_url)
        try:
            async with session_factory(engine)() as session:
                return await work(session)
        finally:
            await engine.dispose()

    try:
        return run(go)
    except DomainError as error:
        raise domain_error(error) from None


def _search_options(command: Callable[..., Any]) -> Callable[..., Any]:
    options = [
        click.option("--from", "day_from", type=DAY, help="First Beijing day."),
        click.option("--to", "day_to", type=DAY, help="Last Beijing day (inclusive)."),
        click.option("--department", help="A department's code."),
        click.option("--channel", type=CHANNELS),
        click.option("--min", "min_yuan", help="Amount at least (yuan)."),
        click.option("--max", "max_yuan", help="Amount at most (yuan)."),
        click.option("--trade-no", help="Our order number or the channel's trade number (or a refund's number)."),
        click.option("--order", "order_id", help="The order's id."),
        click.option("--reference", help="The application's reference number."),
        click.option("--first", default=20, show_default=True, help="How many on a page (at most 100)."),
        click.option("--after", help="The cursor printed under the previous page."),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def _said(locale: Locale, msgid: str | None) -> str:
    from backend.i18n import catalogs

    return catalogs(get_settings().locales_dir).gettext(locale, msgid) if msgid else ""


def _show(title: str, headers: list[str], rows: list[list[str]], total: int, cursor: str | None) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title=title, show_lines=False)
    for header in headers:
        table.add_column(header, justify="right" if header.endswith("(yuan)") or "元" in header else "left")
    for row in rows:
        table.add_row(*row)
    console = Console()
    console.print(table)
    console.print(f"{len(rows)} / {total}" + (f"   --after {cursor}" if cursor else ""))


def _time(moment: datetime | None) -> str:
    return f"{moment:%Y-%m-%d %H:%M:%S}" if moment else ""


def _filter_fields(options: dict[str, Any], status: str | None) -> dict[str, Any]:
    """What the search options say, as both searches (payments, refunds) take it."""
    return {
        "day_from": _day(options["day_from"]),
        "day_to": _day(options["day_to"]),
        "department_code": options["department"],
        "channel": options["channel"],
        "status": status,
        "min_fen": _fen(options["min_yuan"], "--min"),
        "max_fen": _fen(options["max_yuan"], "--max"),
        "trade_no": options["trade_no"],
        "order_id": options["order_id"],
        "reference": options["reference"],
    }


def register(group: click.Group) -> None:
    """Add these commands to `onewindow finance`."""

    @group.command("payments")
    @click.option("--status", type=click.Choice(["open", "paid", "partly_refunded", "refunded", "closed"]))
    @_search_options
    def payments(status: str | None, **options: Any) -> None:
        """Find payments (newest first; payers masked; times in Beijing)."""
        from backend.application_references import PlatformReferences
        from backend.exports.registry import check_department
        from backend.graphql.pagination import check_page_size, time_cursor, time_position
        from backend.i18n import pick
        from backend.parties import PlatformParties
        from payments.finance.days import check_days
        from payments.finance.rows import payment_views
        from payments.finance.search import PaymentFilter, find_orders
        from payments.money import to_yuan

        locale = cli_locale()
        wanted = PaymentFilter(**_filter_fields(options, status))

        async def work(session: AsyncSession) -> Any:
            size = check_page_size(options["first"], get_settings().max_page_size)
            check_days(wanted.day_from, wanted.day_to, fields=("--from", "--to"))
            references, parties = PlatformReferences(), PlatformParties()
            await check_department(session, parties, wanted.department_code, field="--department")
            found, total, more = await find_orders(session, wanted, references, size, time_position(options["after"]))
            return await payment_views(session, parties, references, found), total, more

        views, total, more = _in_session(work)
        headers = ["Paid at", "Order number", "Channel", "Channel trade number", "Application reference"]
        headers += ["Departments", "Payer", "Amount (yuan)", "Refunded (yuan)", "Status", "Receipt numbers"]
        rows = [
            [
                _time(v.paid_at or v.created_at),
                v.out_trade_no,
                _said(locale, v.channel_label),
                v.channel_trade_no or "",
                v.reference or "",
                "; ".join(pick(d.name, locale) for d in v.departments),
                v.payer or "",
                to_yuan(v.total_fen),
                to_yuan(v.refunded_fen),
                _said(locale, v.status_label),
                "; ".join(r.text for r in v.receipts),
            ]
            for v in views
        ]
        cursor = time_cursor(views[-1].moment, views[-1].order_id) if more and views else None
        _show(_said(locale, "Payments"), [_said(locale, h) for h in headers], rows, total, cursor)

    @group.command("refunds")
    @click.option("--status", type=click.Choice(["pending", "done"]))
    @_search_options
    def refunds(status: str | None, **options: Any) -> None:
        """Find refunds (newest first; payers masked; times in Beijing)."""
        from backend.application_references import PlatformReferences
        from backend.exports.registry import check_department
        from backend.graphql.pagination import check_page_size, time_cursor, time_position
        from backend.i18n import pick
        from backend.parties import PlatformParties
        from payments.finance.days import check_days
        from payments.finance.refund_search import RefundFilter, find_refunds, refund_views
        from payments.money import to_yuan

        locale = cli_locale()
        wanted = RefundFilter(**_filter_fields(options, status))

        async def work(session: AsyncSession) -> Any:
            size = check_page_size(options["first"], get_settings().max_page_size)
            check_days(wanted.day_from, wanted.day_to, fields=("--from", "--to"))
            references, parties = PlatformReferences(), PlatformParties()
            await check_department(session, parties, wanted.department_code, field="--department")
            found, total, more = await find_refunds(session, wanted, references, size, time_position(options["after"]))
            return await refund_views(session, parties, references, found), total, more

        views, total, more = _in_session(work)
        headers = ["Requested at", "Refunded at (channel)", "Refund number", "Order number", "Channel"]
        headers += ["Department", "Payer", "Amount (yuan)", "Reason", "Status", "Red-letter receipt"]
        rows = [
            [
                _time(v.requested_at),
                _time(v.refunded_at),
                v.out_request_no,
                v.out_trade_no,
                _said(locale, v.channel_label),
                pick(v.department_name, locale),
                v.payer or "",
                to_yuan(v.amount_fen),
                v.reason,
                _said(locale, v.status_label),
                v.reversal.text if v.reversal else "",
            ]
            for v in views
        ]
        cursor = time_cursor(views[-1].moment, views[-1].id) if more and views else None
        _show(_said(locale, "Refunds"), [_said(locale, h) for h in headers], rows, total, cursor)

    @group.command("export")
    @click.argument(
        "kind", type=click.Choice(["payments", "refunds", "department_totals", "reconciliation", "clearing"])
    )
    @click.option("--from", "day_from", type=DAY, required=True, help="First Beijing day.")
    @click.option("--to", "day_to", type=DAY, required=True, help="Last Beijing day (inclusive; at most 92 days).")
    @click.option(
        "--format", "file_format", type=click.Choice(["xlsx", "csv", "csv_gbk"]), default="xlsx", show_default=True
    )
    @click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True, help="The file to write.")
    @click.option("--department", help="Only this department's.")
    @click.option("--channel", type=CHANNELS, help="Only this channel's.")
    def export(
        kind: str,
        day_from: datetime,
        day_to: datetime,
        file_format: str,
        out: Path,
        department: str | None,
        channel: str | None,
    ) -> None:
        """Export KIND of the Beijing days to a file Excel opens (.xlsx, CSV in UTF-8 with BOM, or GBK)."""
        from rich.progress import Progress

        from backend.application_references import PlatformReferences
        from backend.cli.common import err
        from backend.exports.registry import builder_for, check_request, export_builders, write_file
        from backend.i18n import catalogs
        from backend.parties import PlatformParties
        from payments.finance.exportable import ExportRequest
        from payments.finance.exports import record_export

        locale = cli_locale()
        messages = catalogs(get_settings().locales_dir)
        request = ExportRequest(
            kind=kind,  # type: ignore[arg-type]
            day_from=day_from.date(),
            day_to=day_to.date(),
            format=file_format,  # type: ignore[arg-type]
            department_code=department,
            channel=channel,
            locale=locale.value,
        )
        parties = PlatformParties()
        existed = out.exists()

        async def work(session: AsyncSession) -> int:
            builder = builder_for(export_builders(parties, PlatformReferences()), kind)
            await check_request(session, parties, request)
            # kept in the finance audit trail, as an export from the API is
            await record_export(session, request, f"cli:{getpass.getuser()}")
            await session.commit()
            table = await builder(session, request)
            written = 0
            with Progress(*progress_columns(), console=err, transient=False) as progress:
                task = progress.add_task(messages.gettext(locale, table.title), total=None)

                def step(rows: int) -> None:
                    nonlocal written
                    written += rows
                    progress.advance(task, rows)

                await write_file(table, request.format, lambda m: messages.gettext(locale, m), out, step)
                progress.update(task, total=written)
            return written

        try:
            written = _in_session(work)
        except click.ClickException:
            if not existed:  # a file half written is worse than none
                out.unlink(missing_ok=True)
            raise
        click.echo(f"{out}: {written}")
