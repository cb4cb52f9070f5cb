"""`onewindow sla | certificates`: deadlines and the trust log, for operators and departments."""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, date, datetime, time
from typing import TYPE_CHECKING, Any

import click

from backend.cli.common import in_transaction

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession


@click.group()
def sla() -> None:
    """Promised deadlines (counted in Chinese working days)."""


@sla.command("check")
@click.option("--at", "at", type=click.DateTime(["%Y-%m-%d"]), help="Check as of this China date (default: today).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
def sla_check(at: datetime | None, as_json: bool) -> None:
    """List open applications past their deadline, per department; exit 1 when there are any.

    Also warns (on stderr) when deadlines are provisional: the current year's official holiday arrangement
    is not loaded, the coming year's is not from November on (when it is usually published), or open
    applications are due in a year without one.
    """
    from backend.applications.reads import overdue
    from backend.applications.workdays import SHANGHAI, WorkCalendar, shanghai_date
    from backend.catalog.snapshot import load_snapshot

    now = datetime.combine(at.date(), time(12), SHANGHAI).astimezone(UTC) if at else datetime.now(UTC)
    today = now.astimezone(SHANGHAI).date()
    calendar = WorkCalendar.default()
    provisional: list[Provisional] = []

    async def work(session: AsyncSession) -> dict[str, list[dict[str, object]]]:
        snapshot = await load_snapshot(session)
        found = await overdue(session, snapshot, now)
        provisional.append(await _provisional_deadlines(session, today))
        return {
            department: [
                {
                    "reference": a.reference,
                    "matter": a.matter_code,
                    "status": a.status,
                    "deadline": a.deadline.isoformat() if a.deadline else None,
                    "deadline_provisional": bool(
                        a.deadline and calendar.is_provisional(shanghai_date(a.submitted_at), a.deadline)
                    ),
                    "days_late": (now.astimezone(SHANGHAI).date() - a.deadline).days if a.deadline else None,
                }
                for a in items
            ]
            for department, items in found.items()
        }

    report = in_transaction(work)
    total = sum(len(items) for items in report.values())
    for warning in provisional[0].warnings():
        click.secho(f"warning: {warning}", fg="yellow", err=True)
    if as_json:
        click.echo(
            json.dumps(
                {
                    "as_of": today.isoformat(),
                    "overdue": report,
                    "total": total,
                    "provisional": dataclasses.asdict(provisional[0]),
                },
                ensure_ascii=False,
                indent=1,
            )
        )
    else:
        for department, items in report.items():
            click.echo(f"{department}: {len(items)} overdue")
            for item in items:
                click.echo(
                    f"  {item['reference']}  {item['matter']}  {item['status']}  deadline {item['deadline']}"
                    f"{' (provisional)' if item['deadline_provisional'] else ''}"
                    f"  ({item['days_late']} days late)"
                )
        click.echo(f"{total} overdue in {len(report)} departments")
    if total:
        raise SystemExit(1)


@sla.command("recount")
@click.option(
    "--since", "since", type=click.DateTime(["%Y-%m-%d"]), help="Deadlines from this day (default: 1 January)."
)
@click.option("--dry-run", is_flag=True, help="Only list the deadlines that would move.")
def sla_recount(since: datetime | None, dry_run: bool) -> None:
    """Recount open applications' deadlines with the loaded calendar (after `calendar load` is deployed)."""
    from backend.applications.deadlines import recount_open_deadlines
    from backend.applications.workdays import SHANGHAI, WorkCalendar

    now = datetime.now(UTC)
    start = since.date() if since else date(now.astimezone(SHANGHAI).year, 1, 1)

    async def work(session: AsyncSession) -> list[Any]:
        return await recount_open_deadlines(session, WorkCalendar.default(), start, now, dry_run=dry_run)

    moved = in_transaction(work)
    for item in moved:
        click.echo(f"  {item.reference}  {item.before.isoformat()} -> {item.after.isoformat()}")
    click.echo(f"{len(moved)} deadlines {'would move' if dry_run else 'moved'}")


@dataclasses.dataclass(frozen=True)
class Provisional:
    """Years near the check without an official arrangement, and the open deadlines in such a year."""

    years_not_loaded: list[int]
    first_year_not_loaded: int
    open_deadlines: int

    def warnings(self) -> list[str]:
        """What an operator should know: which deadlines may still move, and what to run."""
        found = [
            f"the official holiday arrangement for {year} is not loaded: deadlines in {year} are provisional "
            "(run `onewindow calendar load` when it is published)"
            for year in self.years_not_loaded
        ]
        if self.open_deadlines:
            found.append(
                f"{self.open_deadlines} open applications are due in {self.first_year_not_loaded} or later, "
                "whose official arrangement is not loaded: their deadlines are provisional"
            )
        return found


async def _provisional_deadlines(session: AsyncSession, today: date) -> Provisional:
    """Which years near `today` have no official arrangement, and how many open deadlines fall in one."""
    from sqlalchemy import func, select

    from backend.applications.reads import OPEN
    from backend.applications.workdays import WorkCalendar
    from backend.db import tables as t

    loaded = WorkCalendar.default().years
    missing = [year for year in (today.year, today.year + 1) if year not in loaded]
    # The coming year's arrangement is published around November: before then its absence is expected.
    warn_years = [year for year in missing if year == today.year or today.month >= 11]
    first_missing = next(year for year in range(today.year, today.year + 100) if year not in loaded)
    apps = t.applications.c
    due_then = (
        await session.execute(
            select(func.count()).where(
                apps.kind == "matter", apps.status.in_(OPEN), apps.deadline >= date(first_missing, 1, 1)
            )
        )
    ).scalar_one()
    return Provisional(warn_years, first_missing, due_then)


@click.group()
def certificates() -> None:
    """Electronic certificates and the tamper-evident log."""


@certificates.command("verify")
@click.argument("code", required=False)
@click.option("--all", "whole_chain", is_flag=True, help="Walk the whole trust log and recompute every hash.")
def certificates_verify(code: str | None, whole_chain: bool) -> None:
    """Check one certificate (by its code) or the whole log; exit 1 on tampering."""
    from rich.progress import Progress

    from backend.applications.workdays import SHANGHAI
    from backend.certificates import trustlog
    from backend.certificates.service import CertificateStore
    from backend.db import tables as t
    from backend.identity.secrets import master_secret
    from backend.settings import get_settings

    key = trustlog.log_key(master_secret(get_settings()))

    if not code and not whole_chain:
        raise click.UsageError("give a certificate CODE or --all")

    async def work(session: AsyncSession) -> dict[str, object]:
        result: dict[str, object] = {}
        if code:
            today = datetime.now(SHANGHAI).date()
            verification = await CertificateStore(session, key).verify(code, today)
            result["certificate"] = {
                "code": code,
                "status": verification.status,
                "type": verification.certificate.type_code if verification.certificate else None,
                "log_entry": verification.certificate.log_seq if verification.certificate else None,
                "checks": None
                if verification.checks is None
                else {
                    "content_matches": verification.checks.content_matches,
                    "hash_valid": verification.checks.hash_valid,
                    "mac_valid": verification.checks.mac_valid,
                },
            }
        if whole_chain:
            from sqlalchemy import func, select

            total = (await session.execute(select(func.count()).select_from(t.trust_log))).scalar_one()
            with Progress(transient=True) as progress:
                task = progress.add_task("checking the trust log", total=total)
                report = await trustlog.check_chain(session, key, progress=lambda n: progress.advance(task, n))
            result["chain"] = {
                "entries": report.entries,
                "intact": report.intact,
                "broken_at": report.broken_at,
                "head_matches": report.head_matches,
            }
        return result

    result = in_transaction(work)
    click.echo(json.dumps(result, ensure_ascii=False, indent=1))
    certificate = result.get("certificate")
    chain = result.get("chain")
    bad = (isinstance(certificate, dict) and certificate["status"] in ("tampered", "unknown")) or (
        isinstance(chain, dict) and not chain["intact"]
    )
    if bad:
        raise SystemExit(1)


@certificates.command("remind")
@click.option("--at", "at", type=click.DateTime(["%Y-%m-%d"]), help="Remind as of this China date (default: today).")
def certificates_remind(at: datetime | None) -> None:
    """Notify citizens whose certificates expire within 30 days (once per certificate and expiry date).

    `onewindow worker` runs this hourly; this is one pass by hand."""
    from backend.applications.reminders import REMIND_DAYS, remind_expiring
    from backend.applications.workdays import SHANGHAI

    today = at.date() if at else datetime.now(SHANGHAI).date()

    async def work(session: AsyncSession) -> int:
        return await remind_expiring(session, today, datetime.now(UTC))

    click.echo(f"{in_transaction(work)} reminders written (certificates expiring within {REMIND_DAYS} days)")


COMMANDS = [sla, certificates]
