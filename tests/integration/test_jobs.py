"""Scheduled jobs on several workers (SAQ over Redis, slots claimed in PostgreSQL): each slot runs once
however many workers there are, a dead worker's job is taken over after its lease, a flushed Redis
loses nothing durable, and a failed job's error is redacted wherever SAQ puts it (log and Redis).

The schedule is compressed (a job every second) and every wait polls for a condition with a deadline.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import msgspec
import pytest
from sqlalchemy import insert, select, update

from backend.db import tables as t
from backend.jobs import payments as payment_jobs
from backend.jobs import worker as jobs_worker
from backend.jobs.schedule import SCHEDULE, Scheduled
from backend.logs import configure_logging
from backend.resources import Resources
from backend.runtime import open_resources
from payments import tables as pt
from payments.reconciliation.days import bill_day_due
from tests.conftest import make_settings
from tests.support import factories
from tests.support.jobs import EVERY_SECOND, HANGING, MARKER_ENV, running_workers, until
from tests.support.logs import captured_logs
from tests.support.payments import Sessions, Stack, sms_to
from tests.support.servers import RedisServer

ID_NUMBER = "440106198803150117"
SECRET = "whsec_c2VjcmV0LW9mLWEtdGVzdC1qb2I"
TIMELINE = "query($id: ID!) { application(id: $id) { status timeline { action } order { status } } }"


# Several workers on one database is the deployment this proves: it runs on PostgreSQL only.
pytestmark = pytest.mark.parametrize("databases", ["postgresql"], indirect=True)


@pytest.fixture
def settings(catalog_database: str, redis_server: RedisServer, tmp_path: Path) -> Any:
    return make_settings(catalog_database, redis_server.url, tmp_path / "data")


async def _runs(db: Sessions, job: str) -> list[Any]:
    async with db() as session:
        query = select(t.job_runs).where(t.job_runs.c.job == job).order_by(t.job_runs.c.slot)
        return list((await session.execute(query)).all())


async def test_two_workers_run_each_slot_of_a_scheduled_job_once(
    settings: Any, db: Sessions, fresh_redis: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    effects: list[str] = []

    async def count(_resources: Resources) -> dict[str, Any]:
        effects.append(datetime.now(UTC).isoformat())
        return {"effect": len(effects)}

    monkeypatch.setattr(jobs_worker, "SCHEDULE", (Scheduled("test.count", EVERY_SECOND, count),))
    # Given two workers on one queue and one database, with a job every second
    async with running_workers(settings, 2):
        # When they have run it for a few seconds
        await until(lambda: _finished(db, "test.count", 3), "three slots run")
    runs = [r for r in await _runs(db, "test.count") if r.finished_at is not None]
    # Then every slot ran once: one row each, one effect each, every effect numbered once
    assert len({r.slot for r in runs}) == len(runs) >= 3
    assert len(effects) == len(runs) or len(effects) == len(runs) + 1  # one may be running as they stop
    assert sorted(r.outcome["effect"] for r in runs) == list(range(1, len(runs) + 1))


async def _finished(db: Sessions, job: str, at_least: int) -> bool:
    return len([r for r in await _runs(db, job) if r.finished_at is not None]) >= at_least


@pytest.fixture
def hanging_worker(settings: Any, tmp_path: Path, fresh_redis: Any) -> Iterator[tuple[subprocess.Popen[bytes], Path]]:
    """A worker in a process of its own whose every run of `test.hang` hangs; killed -9 by the test."""
    marker = tmp_path / "runs"
    marker.touch()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tests.support.jobs",
            settings.database_url,
            settings.redis_url,
            str(tmp_path / "worker"),
            settings.secret_key,
            str(marker),
        ],
        env={**os.environ, "PYTHONPATH": str(Path(__file__).parents[2])},
        stdout=subprocess.DEVNULL,
    )
    try:
        yield process, marker
    finally:
        if process.poll() is None:
            process.kill()
        process.wait()


async def test_a_job_whose_worker_was_killed_is_taken_over_after_its_lease(
    settings: Any,
    db: Sessions,
    hanging_worker: tuple[subprocess.Popen[bytes], Path],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    process, marker = hanging_worker
    monkeypatch.setenv(MARKER_ENV, str(marker))
    monkeypatch.setattr(jobs_worker, "SCHEDULE", (HANGING,))

    # Given a worker that claimed a slot and is in the middle of its run
    async def started() -> bool:
        return marker.read_text().split() == [str(process.pid)]

    await until(started, "the first worker's run to start", seconds=60)
    [claimed] = await _runs(db, "test.hang")
    assert claimed.worker.endswith(f":{process.pid}") and claimed.finished_at is None
    # and a second worker, started meanwhile (it cannot run that slot: the job is the first worker's)
    async with running_workers(settings, 1, heartbeat=2, sweep=1):
        # When the first is killed -9 (no goodbye: its job stays active in Redis, its slot unfinished)
        process.send_signal(signal.SIGKILL)
        process.wait()

        # Then the second takes the job over once its lease (2 s without a heartbeat) ran out
        async def taken_over() -> Any:
            rows = await _runs(db, "test.hang")
            return rows[0] if rows[0].finished_at is not None else None

        slot = await until(taken_over, "the dead worker's slot to be run elsewhere", seconds=30)
    # and it reclaimed that very slot: the run is recorded once, as the survivor's
    assert slot.slot == claimed.slot
    assert slot.worker == f"{socket.gethostname()}:{os.getpid()}" and slot.outcome == {"pid": os.getpid()}
    assert marker.read_text().split()[:2] == [str(process.pid), str(os.getpid())]


async def test_after_a_redis_flush_the_schedule_comes_back_and_nothing_durable_is_lost(
    settings: Any, db: Sessions, fresh_redis: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def tick(_resources: Resources) -> dict[str, Any]:
        return {"at": datetime.now(UTC).isoformat()}

    relay = next(job for job in SCHEDULE if job.name == "outbox.relay")
    monkeypatch.setattr(jobs_worker, "SCHEDULE", (Scheduled("test.tick", EVERY_SECOND, tick), relay))
    async with running_workers(settings, 2):
        # Given slots already run
        await until(lambda: _finished(db, "test.tick", 2), "two slots run")
        before = await _runs(db, "test.tick")
        # When Redis loses everything (the queue, the schedule, the relay's wake-ups) while an event waits
        event = f"evt_{uuid.uuid4().hex}"
        async with db() as session, session.begin():
            await session.execute(
                insert(t.outbox_events).values(
                    id=event, type="application.submitted", data={}, occurred_at=datetime.now(UTC)
                )
            )
        await fresh_redis.flushall()
        flushed = datetime.now(UTC)

        # Then the workers schedule again: new slots run, once each
        async def after_flush() -> bool:
            rows = await _runs(db, "test.tick")
            return len([r for r in rows if r.started_at > flushed and r.finished_at is not None]) >= 2

        await until(after_flush, "two slots after the flush")

        # and the event written in the database is relayed by the outbox's sweep
        async def relayed() -> Any:
            async with db() as session:
                query = select(t.outbox_events.c.relayed_at).where(t.outbox_events.c.id == event)
                return (await session.execute(query)).scalar_one()

        await until(relayed, "the waiting event to be relayed")
    after = await _runs(db, "test.tick")
    assert {(r.slot, r.worker, r.finished_at) for r in before} <= {(r.slot, r.worker, r.finished_at) for r in after}
    assert len({r.slot for r in after}) == len(after)


async def test_an_unpaid_order_expires_once_with_two_workers(
    stack: Stack,
    catalog_database: str,
    redis_server: RedisServer,
    db: Sessions,
    fresh_redis: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Given a citizen's application whose fees were left unpaid 6 days, with 5 days to pay
    async with stack.client() as client:
        citizen = await factories.citizen(client, db)
        submitted = await factories.car_registration(client, citizen)
    async with db() as session, session.begin():
        await session.execute(
            update(pt.payment_orders)
            .where(pt.payment_orders.c.application_id == submitted["id"])
            .values(created_at=datetime.now(UTC) - timedelta(days=6))
        )
    port = int(stack.sandbox_url.rsplit(":", 1)[1])
    settings = make_settings(
        catalog_database, redis_server.url, stack.data_dir, alipay_sandbox_port=port, order_unpaid_days=5
    )
    expire = Scheduled("payments.expire_unpaid", EVERY_SECOND, payment_jobs.expire_unpaid)
    monkeypatch.setattr(jobs_worker, "SCHEDULE", (expire,))
    # When two workers run the expiry job every second for a few slots
    async with running_workers(settings, 2):

        async def expired() -> bool:
            runs = [r for r in await _runs(db, "payments.expire_unpaid") if r.finished_at is not None]
            return any(r.outcome == {"expired": 1} for r in runs) and len(runs) >= 3

        await until(expired, "the order to expire and two more slots to run")
    # Then it was expired once: one withdrawal, one notice, one SMS, the order closed
    runs = await _runs(db, "payments.expire_unpaid")
    assert sum(r.outcome["expired"] for r in runs if r.outcome) == 1
    application = (await stack.gql(citizen.token, TIMELINE, {"id": submitted["id"]}))["application"]
    assert application["status"] == "WITHDRAWN" and application["order"]["status"] == "closed"
    assert [e["action"] for e in application["timeline"]].count("WITHDRAW") == 1
    notices = [n["text"] for n in await stack.inbox(citizen.token, "zh-CN")]
    assert len([n for n in notices if submitted["reference"] in n and "已撤回" in n]) == 1, notices
    texts = await sms_to(db, citizen.phone)
    assert len([x for x in texts if "因未按期缴费已撤回" in x]) == 1, texts


async def test_a_failed_jobs_error_is_redacted_in_the_log_and_in_redis(
    settings: Any, db: Sessions, fresh_redis: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def leaky(_resources: Resources, token: str) -> None:
        raise RuntimeError(f"could not deliver with {token} for {ID_NUMBER}")  # a bug quoting its input

    async def crashing(_resources: Resources) -> dict[str, Any]:
        raise RuntimeError(f"no citizen {ID_NUMBER}")

    monkeypatch.setattr(jobs_worker, "SCHEDULE", (Scheduled("test.crash", EVERY_SECOND, crashing),))
    monkeypatch.setitem(jobs_worker.ONE_OFF, "test.leaky", leaky)
    configure_logging("warning", "json")
    with captured_logs() as logs:
        # A slow sweep: SAQ's sweep aborts a job it finds dequeued but not yet marked active (a race of
        # SAQ's own, harmless to our jobs, whose effects are claimed in the database), and this test
        # reads the status the job ends with.
        async with running_workers(settings, 1, sweep=60) as [resources]:
            queue = resources.jobs.queue
            # (the worker's first sweep is done: it holds the sweep's lock for the next 60 s)
            await until(lambda: queue.redis.exists(queue.namespace("sweep")), "the worker's first sweep")
            # Given a job given a secret, which fails quoting it and an ID number
            assert await resources.jobs.enqueue("test.leaky", key="leaky-1", token=SECRET)

            async def failed() -> Any:
                job = await queue.job("leaky-1")
                return job if job is not None and job.status.name == "FAILED" else None

            job = await until(failed, "the job to fail")

            # and a scheduled job failing with an ID number
            async def crashed() -> list[dict[str, Any]]:
                return _saq_errors(logs.events(), "test.crash")

            await until(crashed, "the scheduled job to fail")
    # Then the error kept in Redis names the failure without the secret or the number
    assert "RuntimeError: could not deliver with [redacted] for 440106********0117" in job.error
    # and every log line (ours with the traceback, SAQ's own, in JSON) has neither
    assert SECRET not in logs.text and ID_NUMBER not in logs.text
    events = logs.events()
    ours = [e for e in events if e["event"] == "jobs.failed" and e.get("job") == "test.leaky"]
    assert ours and "Traceback" in ours[0]["exception"] and "could not deliver with [redacted]" in ours[0]["exception"]
    saq = _saq_errors(events, "test.leaky")
    assert saq and saq[0]["level"] == "error" and "JobFailedError" in saq[0]["exception"]
    assert "no citizen 440106********0117" in _saq_errors(events, "test.crash")[0]["exception"]


def _saq_errors(events: list[dict[str, Any]], function: str) -> list[dict[str, Any]]:
    return [
        e
        for e in events
        if e.get("logger") == "saq" and "Error processing job" in e["event"] and function in e["event"]
    ]


async def test_every_scheduled_pass_runs_on_a_workers_resources(
    stack: Stack, catalog_database: str, redis_server: RedisServer, fresh_redis: Any
) -> None:
    # Given the Resources a worker opens, with the payment channel (the sandbox) reachable
    port = int(stack.sandbox_url.rsplit(":", 1)[1])
    settings = make_settings(catalog_database, redis_server.url, stack.data_dir, alipay_sandbox_port=port)
    async with open_resources(settings) as opened:
        # When each scheduled job runs one pass, as the worker would call it
        due = bill_day_due(datetime.now(UTC), None)
        outcomes = {job.name: await job.run(opened.resources) for job in SCHEDULE}
        # (each channel's bill of the day before is reconciled once: the next hour's pass has nothing to do)
        assert await payment_jobs.bill_check(opened.resources) == {"runs": []}
    # Then each did its work and said what it did (kept in job_runs as JSON)
    assert outcomes["payments.reconcile"] == {
        "checked": 0,
        "credited": 0,
        "closed": 0,
        "closed_at_channel": 0,
        "paid_after_closing": 0,
        "refunds_booked": 0,
        "second_payments_refunded": 0,
    }
    assert outcomes["payments.expire_unpaid"] == {"expired": 0}
    reconciled = {"channel": "alipay", "day": due.isoformat(), "verdict": "reconciled", "breaks": 0} if due else None
    bill = {"runs": [reconciled] if reconciled else []}
    assert outcomes["payments.bill_check"] == bill
    assert isinstance(outcomes["certificates.remind"]["reminded"], int)
    assert outcomes["platform.usage_persist"] == {"app_days": 0}
    assert outcomes["hall.remind_visits"] == {"day_before": 0, "hour_before": 0}  # no appointment in the demo
    assert all(msgspec.json.decode(msgspec.json.encode(outcome)) == outcome for outcome in outcomes.values())
