"""The job worker (`onewindow worker`): SAQ's worker with the platform's jobs, on the process's Resources.

Run as many as you like, on as many machines: they share the queue in Redis and the slots in the
database. A worker killed in the middle of a job leaves it active in the queue; SAQ's sweep hands it to
another worker once its heartbeat stops (the job's own rows say what was done: nothing is done twice).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine
from datetime import UTC, datetime
from typing import Any

import structlog
from croniter import croniter  # type: ignore[import-untyped]
from saq import CronJob, Job, Queue, Worker
from saq.types import PartialTimersDict

from backend.jobs import runs
from backend.jobs.schedule import SCHEDULE, Scheduled
from backend.logs import hiding_request_values, redacted
from backend.resources import Resources
from backend.webhooks import delivery

log = structlog.get_logger("backend.jobs")

Function = Callable[..., Coroutine[Any, Any, Any]]

ONE_OFF: dict[str, Callable[..., Coroutine[Any, Any, Any]]] = {
    delivery.JOB: delivery.deliver_subscription,
}
"""Jobs enqueued by name (`JobQueue.enqueue`): name -> `async def job(resources, **kwargs)`."""


def worker_name() -> str:
    """Who ran a job, in `job_runs`: host and process."""
    return f"{socket.gethostname()}:{os.getpid()}"


@contextlib.asynccontextmanager
async def _heartbeat(ctx: dict[str, Any], every: float) -> AsyncIterator[None]:
    """Touch the running job every `every` seconds: the job's lease. SAQ's sweep takes a job whose
    heartbeat stopped (its worker was killed) away from its worker and retries it elsewhere."""

    async def beat() -> None:
        while True:
            await asyncio.sleep(every)
            await ctx["job"].update()

    task = asyncio.create_task(beat())
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await task


class JobFailedError(Exception):
    """A job's error as the queue keeps it (in Redis) and logs it: its class and its redacted message.

    The whole traceback is logged by the worker as `jobs.failed`, redacted like every line."""


def _strings(value: Any) -> list[str]:
    """The texts in a job's arguments (nested in lists and objects too)."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [text for item in value.values() for text in _strings(item)]
    if isinstance(value, list | tuple):
        return [text for item in value for text in _strings(item)]
    return []


async def _guarded(name: str, kwargs: dict[str, Any], run: Callable[[], Awaitable[Any]]) -> Any:
    """Run a job with its arguments hidden from every log line it writes (they are its request), and
    hand the queue a failure that neither quotes them nor shows a personal number: SAQ logs a failed
    job's traceback and keeps it in Redis, where our log's redaction cannot reach."""
    arguments = _strings(kwargs)
    with hiding_request_values(lambda: arguments):
        try:
            return await run()
        except Exception as error:
            log.error("jobs.failed", job=name, exc_info=True)
            raise JobFailedError(redacted(f"{type(error).__name__}: {error}")) from None


class _AbridgedJobs(logging.Filter):
    """SAQ logs a failed job with all its fields (arguments, a previous attempt's error): name it by its
    abridged form instead, which has neither."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple) and any(isinstance(arg, Job) for arg in record.args):
            record.args = tuple(arg.info(False) if isinstance(arg, Job) else arg for arg in record.args)
        return True


def _scheduled_function(job: Scheduled, resources: Resources, heartbeat: int) -> Function:
    async def run(ctx: dict[str, Any]) -> dict[str, Any]:
        async with _heartbeat(ctx, heartbeat / 3):
            outcome: dict[str, Any] = await _guarded(job.name, {}, lambda: _run_scheduled(ctx, job, resources))
            return outcome

    # SAQ names a cron job (and its queue key) by the function's qualified name.
    run.__qualname__ = run.__name__ = job.name
    return run


async def _run_scheduled(ctx: dict[str, Any], job: Scheduled, resources: Resources) -> dict[str, Any]:
    saq_job = ctx["job"]
    at = datetime.fromtimestamp(saq_job.scheduled or saq_job.queued / 1000, UTC)
    slot = at.strftime("%Y-%m-%dT%H:%M:%S")
    retry = saq_job.attempts > 1
    if job.once_per_slot and not await runs.claim(resources.sessions, job.name, slot, worker_name(), retry=retry):
        return {"skipped": "another worker ran this slot"}
    if retry:  # its last attempt failed, or its worker died and the sweep handed it here
        log.info("jobs.retrying", job=job.name, slot=slot, attempt=saq_job.attempts)
    try:
        outcome = await job.run(resources)
    except Exception:
        if job.once_per_slot:
            await runs.release(resources.sessions, job.name, slot)
        raise
    if job.once_per_slot:
        await runs.finish(resources.sessions, job.name, slot, outcome)
    log.info("jobs.ran", job=job.name, slot=slot, **outcome)
    return outcome


def _one_off_function(name: str, job: Function, resources: Resources, heartbeat: int) -> tuple[str, Function]:
    async def run(ctx: dict[str, Any], **kwargs: Any) -> Any:
        async with _heartbeat(ctx, heartbeat / 3):
            return await _guarded(name, kwargs, lambda: job(resources, **kwargs))

    return name, run


def schedule_of(overrides: str) -> dict[str, str]:
    """Each scheduled job's cron expression, with the operator's `name=cron;name=cron` overrides."""
    crons = {job.name: job.cron for job in SCHEDULE}
    for pair in filter(None, (part.strip() for part in overrides.split(";"))):
        name, _, cron = pair.partition("=")
        if name.strip() not in crons or not croniter.is_valid(cron.strip()):
            raise ValueError(f"ONEWINDOW_JOB_SCHEDULE: no job {name.strip()!r} or an invalid cron {cron.strip()!r}")
        crons[name.strip()] = cron.strip()
    return crons


def build_worker(
    queue: Queue,
    resources: Resources,
    *,
    concurrency: int = 20,
    heartbeat: int = 30,
    sweep: int = 10,
    overrides: str = "",
) -> Worker[Any]:
    """A SAQ worker running every scheduled job and every one-off job of the platform. A job whose
    worker stopped beating for `heartbeat` seconds is retried elsewhere (checked every `sweep` s)."""
    crons = schedule_of(overrides)
    cron_jobs = [
        CronJob(
            _scheduled_function(job, resources, heartbeat),
            cron=crons[job.name],
            timeout=job.timeout,
            heartbeat=heartbeat,
            retries=2,
        )
        for job in SCHEDULE
    ]
    functions = [_one_off_function(name, job, resources, heartbeat) for name, job in ONE_OFF.items()]
    saq_log = logging.getLogger("saq")
    if not any(isinstance(known, _AbridgedJobs) for known in saq_log.filters):
        saq_log.addFilter(_AbridgedJobs())
    return Worker(
        queue,
        functions=functions,
        cron_jobs=cron_jobs,
        concurrency=concurrency,
        timers=PartialTimersDict(sweep=sweep, schedule=1, abort=1, worker_info=10),
    )
