"""`onewindow finance`: closing a day and checking its record, clearing to departments, department day
totals (issue 18). Refusals are one line in the terminal's language, and exit 1."""

from __future__ import annotations

import getpass
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from backend.cli.common import cli_locale, run
from backend.settings import get_settings

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

    from sqlalchemy.ext.asyncio import AsyncSession

DAY = click.option("--day", "day", required=True, type=click.DateTime(["%Y-%m-%d"]), help="A Beijing day.")


def _actor() -> str:
    """Who acts from a terminal (the audit trail's actor)."""
    return f"cli:{getpass.getuser()}"


def _refusal(error: Exception) -> click.ClickException:
    """A domain error in the terminal's language (a parameter given per language said in this one)."""
    from backend.errors import MESSAGES, DomainError
    from backend.i18n import Msgid, catalogs, pick

    if not isinstance(error, DomainError):
        return click.ClickException(str(error))
    messages, locale = catalogs(get_settings().locales_dir), cli_locale()
    params = {
        key: pick(value, locale)
        if isinstance(value, dict)
        else messages.gettext(locale, value)
        if isinstance(value, Msgid)
        else value
        for key, value in error.params.items()
    }
    return click.ClickException(messages.gettext(locale, MESSAGES[error.code], **params))


def _with_payments(work: Callable[[AsyncSession, list[str], bytes], Awaitable[Any]]) -> Any:
    """Run `work(session, channel names, master secret)` in one committed transaction."""
    from backend.db.engine import in_new_transaction
    from backend.errors import DomainError
    from backend.identity.secrets import master_secret
    from backend.parties import PlatformParties
    from payments.runtime import build_payments

    settings = get_settings()
    secret = master_secret(settings)

    async def main() -> Any:
        deps = build_payments(settings, secret, PlatformParties(), own_pool=False)
        try:
            return await in_new_transaction(
                settings.resolved_database_url, lambda session: work(session, sorted(deps.channels), secret)
            )
        finally:
            await deps.close()

    try:
        return run(main)
    except DomainError as error:
        raise _refusal(error) from None


def _yuan(fen: int | None) -> str:
    from payments.money import to_yuan

    return "—" if fen is None else to_yuan(fen)


def register(group: click.Group) -> None:
    """Add these commands to `onewindow finance`."""

    @group.command("close-day")
    @DAY
    @click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help="Write the signed record here.")
    def close_day(day: Any, out: Path | None) -> None:
        """Close a Beijing day once its bills are reconciled: the record is hashed, signed and kept."""
        from payments.closing import days

        closed = _with_payments(lambda s, channels, secret: days.close_day(s, day.date(), channels, _actor(), secret))
        click.echo(f"{closed.day}  sha256 {closed.record_sha256}  ledger cut {closed.last_entry_id}")
        if out is not None:
            out.write_text(json.dumps(closed.file(_key_url()), ensure_ascii=False, indent=2), encoding="utf-8")
            click.echo(f"record: {out}")

    @group.command("verify-day")
    @DAY
    @click.option(
        "--record",
        "record_file",
        type=click.Path(exists=True, dir_okay=False, path_type=Path),
        help="Also check this exported record file against the database and the public key.",
    )
    def verify_day(day: Any, record_file: Path | None) -> None:
        """Compute a closed day's record again from the database; check its hash and signature."""
        from payments.closing import days, record

        found = _with_payments(lambda s, _, secret: days.verify_day(s, day.date(), secret))
        click.echo(f"{found.day}  signed {found.record_sha256}  recomputed {found.recomputed_sha256}")
        ok = found.valid
        if record_file is not None:
            from backend.identity.secrets import master_secret

            file = json.loads(record_file.read_text(encoding="utf-8"))
            pem = record.public_key_pem(master_secret(get_settings()))
            file_ok = days.verify_file(file, pem) and file["record_sha256"] == found.recomputed_sha256
            click.echo(f"file {record_file}: {'valid' if file_ok else 'NOT VALID'}")
            ok = ok and file_ok
        click.echo("valid" if ok else "NOT VALID: the day changed after closing, or its record was altered")
        if not ok:
            raise SystemExit(1)

    @group.command("clearing")
    @DAY
    def issue_clearing(day: Any) -> None:
        """Issue a closed day's clearing instructions (once: again issues nothing more) and list them."""
        from payments.closing import clearing

        issued = _with_payments(lambda s, _, __: clearing.issue(s, day.date(), _actor()))
        for x in issued:
            click.echo(
                f"{x.day}  {x.department_code:<10} {x.fiscal_code:<8} {x.item_code:<12} {_yuan(x.amount_fen):>12}"
            )
        click.echo(f"{len(issued)} instructions, {_yuan(sum(x.amount_fen for x in issued))}")

    @group.command("totals")
    @DAY
    @click.option("--department", "department_code", help="One department's code.")
    def day_totals(day: Any, department_code: str | None) -> None:
        """Per department: the channels' bill, the books, the receipts, the clearing; differences explained."""
        from backend.i18n import catalogs
        from payments.closing import totals

        departments = frozenset({department_code}) if department_code else None
        found = _with_payments(lambda s, channels, _: totals.department_totals(s, day.date(), channels, departments))
        messages, locale = catalogs(get_settings().locales_dir), cli_locale()

        def said(msgid: str) -> str:
            return messages.gettext(locale, msgid)

        for x in found:
            click.echo(
                f"{x.department_code or '—'}  bill {_yuan(x.bill_fen)}  books {_yuan(x.books_net_fen)} "
                f"(collected {_yuan(x.collected_fen)}, refunded {_yuan(x.refunded_fen)}, fees {_yuan(x.fees_fen)})  "
                f"receipts {_yuan(x.receipts_net_fen)}  clearing {_yuan(x.clearing_fen)}"
            )
            for difference in x.differences:
                click.echo(f"  {said(difference.between)}: {_yuan(difference.amount_fen)}")
                for why, fen in difference.explanations:
                    click.echo(f"    {said(why)}: {_yuan(fen)}")


def _key_url() -> str:
    return f"{(get_settings().public_url or 'http://127.0.0.1:8000').rstrip('/')}/receipts/key"
