"""`onewindow clients add-developer | remove-developer | usage` and `onewindow usage persist`: an app's
developers and what the app asked of the API, per Beijing day."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, TypeVar

import click

from backend.cli.common import domain_error, in_transaction
from backend.cli.identity import clients
from backend.settings import get_settings

if TYPE_CHECKING:
    from redis.asyncio import Redis
    from sqlalchemy.ext.asyncio import AsyncSession

    from backend.platform.usage import UsageDay

T = TypeVar("T")


@clients.command("add-developer")
@click.argument("client_id")
@click.argument("username")
def clients_add_developer(client_id: str, username: str) -> None:
    """Link a staff account with the developer role to an app: they may read its usage."""
    from backend.platform import developers

    try:
        added = in_transaction(lambda session: developers.add_developer(session, client_id, username))
    except Exception as error:
        raise domain_error(error) from None
    click.echo(f"{username} {'is now' if added else 'was already'} a developer of {client_id}")


@clients.command("remove-developer")
@click.argument("client_id")
@click.argument("username")
def clients_remove_developer(client_id: str, username: str) -> None:
    """Unlink a developer from an app."""
    from backend.platform import developers

    try:
        removed = in_transaction(lambda session: developers.remove_developer(session, client_id, username))
    except Exception as error:
        raise domain_error(error) from None
    click.echo(f"{username} {'is no longer' if removed else 'was not'} a developer of {client_id}")


def _with_usage(work: Callable[[AsyncSession, Redis | None], Awaitable[T]]) -> T:
    """`work(session, redis)` in one transaction, with the running Redis (None when none is running)."""
    from backend.kv import connect, running_redis_url

    settings = get_settings()
    url = running_redis_url(settings.redis_url, settings.data_dir)

    async def with_redis(session: AsyncSession) -> T:
        redis = connect(url) if url else None
        try:
            return await work(session, redis)
        finally:
            if redis is not None:
                await redis.aclose()

    return in_transaction(with_redis)


@clients.command("usage")
@click.argument("client_id")
@click.option("--days", default=7, show_default=True, type=click.IntRange(1, 90), help="How many days, today last.")
def clients_usage(client_id: str, days: int) -> None:
    """Requests, cost, throttled requests and errors by code of an app, per Beijing day."""
    from backend.platform import developers, usage

    async def work(session: AsyncSession, redis: Redis | None) -> list[UsageDay]:
        await developers.require_client(session, client_id)
        if redis is not None:
            await usage.persist_closed_days(session, redis)
        return await usage.daily_usage(session, redis, client_id, days)

    try:
        found = _with_usage(work)
    except Exception as error:
        raise domain_error(error) from None
    for line in usage_table(found):
        click.echo(line)


def usage_table(days: list[UsageDay]) -> list[str]:
    """One line per day under a header, numbers right-aligned, errors as CODE×n."""
    header = ("Day (Beijing)", "Requests", "Cost", "Throttled", "Errors")
    rows = [
        (
            day.day.isoformat(),
            str(day.requests),
            str(day.cost),
            str(day.throttled),
            ", ".join(f"{code}×{n}" for code, n in day.errors.items()) or "-",
        )
        for day in days
    ]
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(4)]
    lines = []
    for row in [header, *rows]:
        day, numbers = row[0].ljust(widths[0]), [row[i].rjust(widths[i]) for i in range(1, 4)]
        lines.append("  ".join([day, *numbers, row[4]]))
    return lines


@click.group("usage")
def usage_group() -> None:
    """Apps' daily API usage."""


@usage_group.command("persist")
def usage_persist() -> None:
    """Copy the closed days' usage from Redis to the database (run daily; running it again is harmless)."""
    from backend.platform.usage import persist_closed_days

    async def work(session: AsyncSession, redis: Redis | None) -> int | None:
        return None if redis is None else await persist_closed_days(session, redis)

    written = _with_usage(work)
    if written is None:
        raise click.ClickException("no Redis is running: there is nothing to copy")
    click.echo(f"{written} app-day(s) copied to the database")


COMMANDS = [usage_group]
