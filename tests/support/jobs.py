"""Job workers for tests: started on the test's own loop (several at once, each on Resources of its own),
or as a separate process that a test can kill -9 in the middle of a job.

`python -m tests.support.jobs DATABASE_URL REDIS_URL DATA_DIR SECRET_KEY MARKER` runs a worker whose only job,
`test.hang`, runs every second: it writes its process id to MARKER and then hangs, as a worker does
when it dies in the middle of a run.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

from saq import Worker

from backend.jobs import worker as jobs_worker
from backend.jobs.schedule import Scheduled
from backend.resources import Resources
from backend.runtime import open_resources
from backend.settings import Environment, Settings

EVERY_SECOND = "* * * * * *"  # croniter: six fields put seconds last
MARKER_ENV = "ONEWINDOW_TEST_JOB_MARKER"
HANG = False
"""Whether `hang_once` hangs after writing its marker (the separate process sets it)."""


async def hang_once(_resources: Resources) -> dict[str, Any]:
    """Write this process's id to the marker file; hang when HANG (a worker about to be killed)."""
    with open(os.environ[MARKER_ENV], "a") as marker:  # noqa: ASYNC230 (a few bytes to a local file)
        marker.write(f"{os.getpid()}\n")
    if HANG:
        await asyncio.sleep(3600)
    return {"pid": os.getpid()}


HANGING = Scheduled("test.hang", EVERY_SECOND, hang_once, timeout=60)


@contextlib.asynccontextmanager
async def running_workers(
    settings: Settings, count: int = 2, *, heartbeat: int = 3, sweep: int = 1
) -> AsyncIterator[list[Resources]]:
    """`count` workers on one queue and one database, each with its own Resources; stopped on the way out."""
    async with contextlib.AsyncExitStack() as stack:
        started: list[tuple[Worker[Any], asyncio.Task[None]]] = []
        found: list[Resources] = []
        for _ in range(count):
            resources = (await stack.enter_async_context(open_resources(settings))).resources
            worker = jobs_worker.build_worker(resources.jobs.queue, resources, heartbeat=heartbeat, sweep=sweep)
            started.append((worker, asyncio.create_task(worker.start())))
            found.append(resources)
        try:
            yield found
        finally:
            for worker, task in started:
                await worker.stop()
                await task


async def until(condition: Callable[[], Awaitable[Any]], what: str, seconds: float = 20) -> Any:
    """Poll `condition` until it returns something true; that value. Fails after `seconds`."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    while True:
        value = await condition()
        if value:
            return value
        if loop.time() > deadline:
            raise AssertionError(f"timed out waiting for {what} (last: {value!r})")
        await asyncio.sleep(0.05)


async def _hanging_worker(database_url: str, redis_url: str, data_dir: str, secret_key: str) -> None:
    settings = Settings(
        env=Environment.TEST,
        database_url=database_url,
        redis_url=redis_url,
        data_dir=data_dir,
        log_level="warning",
        secret_key=secret_key,
    )
    async with open_resources(settings) as opened:
        resources = opened.resources
        jobs = jobs_worker.build_worker(resources.jobs.queue, resources, concurrency=1, heartbeat=2, sweep=1)
        await jobs.start()


if __name__ == "__main__":
    database, redis, folder, secret, marker = sys.argv[1:6]
    os.environ[MARKER_ENV] = marker
    HANG = True
    jobs_worker.SCHEDULE = (HANGING,)
    asyncio.run(_hanging_worker(database, redis, folder, secret))
