"""`onewindow webhooks list | deliveries | redeliver`: an app's webhook subscriptions, a subscription's
delivery log, and sending a delivery again (for operators helping a developer)."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING

import click

from backend.cli.common import cli_locale, domain_error, in_transaction
from backend.settings import get_settings

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from backend.webhooks.log import Delivery
    from backend.webhooks.subscriptions import Subscription


def _said(msgid: str) -> str:
    from backend.i18n import catalogs

    return catalogs(get_settings().locales_dir).gettext(cli_locale(), msgid)


def _when(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S") if moment else "-"


def table(header: tuple[str, ...], rows: Sequence[tuple[str, ...]]) -> list[str]:
    """Columns padded to their widest cell, the last one as it is."""
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header) - 1)]
    return [
        "  ".join([*(cell.ljust(widths[i]) for i, cell in enumerate(row[:-1])), row[-1]]) for row in [header, *rows]
    ]


@click.group("webhooks")
def webhooks() -> None:
    """Apps' webhook subscriptions and their deliveries."""


@webhooks.command("list")
@click.argument("client_id")
def webhooks_list(client_id: str) -> None:
    """An app's subscriptions: id, state, event types, endpoint."""
    from backend.platform import developers
    from backend.webhooks import labels, subscriptions

    async def work(session: AsyncSession) -> list[Subscription]:
        await developers.require_client(session, client_id)
        return await subscriptions.of_client(session, client_id)

    try:
        found = in_transaction(work)
    except Exception as error:
        raise domain_error(error) from None
    if not found:
        click.echo(f"{client_id} has no webhook subscriptions")
        return
    rows = []
    for x in found:
        state = labels.DISABLED_REASONS.get(x.disabled_reason or "") or labels.SUBSCRIPTION_STATUS.get(
            x.status, x.status
        )
        rows.append((x.id, _said(state), _when(x.created_at), ",".join(x.event_types), x.url))
    for line in table(("Subscription", "State", "Created (UTC)", "Event types", "Endpoint"), rows):
        click.echo(line)


@webhooks.command("deliveries")
@click.argument("subscription_id")
@click.option("--limit", default=20, show_default=True, type=click.IntRange(1, 100), help="How many, newest first.")
@click.option(
    "--status",
    type=click.Choice(["pending", "succeeded", "failed", "cancelled"]),
    help="Only deliveries in this state.",
)
def webhooks_deliveries(subscription_id: str, limit: int, status: str | None) -> None:
    """A subscription's deliveries, newest first: event, state, tries, the last answer."""
    from backend.webhooks import labels, log, manage

    async def work(session: AsyncSession) -> list[Delivery]:
        await manage.require(session, subscription_id)
        found, _ = await log.deliveries(session, subscription_id, first=limit, after=None, status=status)
        return found

    try:
        found = in_transaction(work)
    except Exception as error:
        raise domain_error(error) from None
    if not found:
        click.echo(f"{subscription_id} has no deliveries{f' {status}' if status else ''}")
        return
    rows = []
    for x in found:
        last = x.attempts[-1] if x.attempts else None
        answer = "-" if last is None else str(last.status_code) if last.status_code else _said(labels.NO_ANSWER)
        state = _said(labels.DELIVERY_STATUS.get(x.status, x.status))
        rows.append((x.id, _when(x.created_at), x.event_type, state, str(x.attempt_count), answer))
    for line in table(("Delivery", "Created (UTC)", "Event type", "State", "Tries", "Last answer"), rows):
        click.echo(line)


@webhooks.command("redeliver")
@click.argument("delivery_id")
def webhooks_redeliver(delivery_id: str) -> None:
    """Send a delivery again now (same webhook-id and body), through the workers."""
    from backend.db.engine import in_new_transaction
    from backend.job_queue import JobQueue, open_queue
    from backend.kv import running_redis_url
    from backend.webhooks import log

    settings = get_settings()
    url = running_redis_url(settings.redis_url, settings.data_dir)

    async def work() -> Delivery:
        jobs = JobQueue(open_queue(url)) if url else None
        try:
            return await in_new_transaction(
                settings.resolved_database_url, lambda session: log.redeliver(session, jobs, delivery_id)
            )
        finally:
            if jobs is not None:
                await jobs.close()

    try:
        delivery = asyncio.run(work())
    except Exception as error:
        raise domain_error(error) from None
    how = "queued for a worker" if url else "due now: a worker's sweep sends it (no Redis is running)"
    click.echo(f"{delivery.id} ({delivery.event_type}) will be sent again to {delivery.subscription_id}: {how}")


COMMANDS = [webhooks]
