"""`onewindow worker`: the background jobs (webhook deliveries, the outbox's sweep, reconciling with the
payment channel, the daily bill check, reminders, expiries), on any number of machines at once."""

from __future__ import annotations

import asyncio
import time

import click

from backend.settings import get_settings


@click.command("worker")
@click.option("--concurrency", default=20, show_default=True, type=int, help="Jobs run at the same time.")
@click.option(
    "--list", "list_only", is_flag=True, help="Print the scheduled jobs and their cron expressions, and exit."
)
def worker(concurrency: int, list_only: bool) -> None:
    """Run the scheduled and queued jobs until Ctrl-C or SIGTERM.

    Stopping cancels the jobs running then and gives them back to the queue: another worker (or this
    one when it starts again) retries them, and a scheduled run takes over its own unfinished slot.

    Start one per machine, or several: they share the queue in Redis, and each scheduled job runs once
    per slot however many there are. On embedded defaults it uses the embedded Redis that
    `onewindow serve` starts (waiting for it up to 30 s).
    """
    from backend.jobs.worker import build_worker, schedule_of
    from backend.kv import running_redis_url
    from backend.logs import configure_logging
    from backend.runtime import open_resources

    settings = get_settings()
    try:
        crons = schedule_of(settings.job_schedule)
    except ValueError as error:
        raise click.ClickException(str(error)) from None
    if list_only:
        width = max(map(len, crons))
        for name, cron in crons.items():
            click.echo(f"{name:<{width}}  {cron}")
        return
    configure_logging(settings.log_level, settings.log_format)
    if not settings.redis_url:
        deadline = time.monotonic() + 30
        while running_redis_url("", settings.data_dir) is None and time.monotonic() < deadline:
            time.sleep(0.2)  # the web server starts the embedded Redis; it owns and stops it

    async def work() -> None:
        async with open_resources(settings) as opened:
            resources = opened.resources
            jobs = build_worker(
                resources.jobs.queue,
                resources,
                concurrency=concurrency,
                heartbeat=settings.job_heartbeat_seconds,
                sweep=settings.job_sweep_seconds,
                overrides=settings.job_schedule,
            )
            click.echo(f"onewindow worker: {len(jobs.functions)} jobs, {concurrency} at a time")
            await jobs.start()

    asyncio.run(work())


COMMANDS = [worker]
