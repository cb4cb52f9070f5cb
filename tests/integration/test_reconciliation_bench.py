"""The benchmark's comparison on a small copy (2,000 booked payments, 100 planted differences of each
kind, a first run and a re-run), on SQLite and PostgreSQL: every planted difference is a break of its
kind, and nothing else is."""

from __future__ import annotations

from sqlalchemy import select

from backend.db.engine import unit_of_work
from bench.reconciliation_bench import bill_zip, plan, planted_found, prepare, run_once
from payments import tables as pt
from tests.support.payments import Sessions


async def test_every_planted_difference_of_the_benchmark_is_found_on_a_small_copy(db: Sessions) -> None:
    rows, each = 2_000, 100
    async with db() as session, unit_of_work(session):
        planted = await prepare(session, rows, each)
    assert planted == plan(rows, each)
    async with db() as session, unit_of_work(session):  # the day's first run posts the fees
        first = await run_once(session, bill_zip(rows, each, fees_restated=False))
    async with db() as session, unit_of_work(session):  # the re-run's bill restates some of them
        run = await run_once(session, bill_zip(rows, each))
    async with db() as session:
        found = (
            await session.execute(select(pt.reconciliation_breaks.c.kind, pt.reconciliation_breaks.c.reference))
        ).all()
    assert planted_found(planted, [(kind, reference) for kind, reference in found])
    assert run.verdict == "breaks" and run.counts["matched"] == rows - 2 * each
    assert run.counts["breaks_by_kind"] == {k: each for k in planted.kinds}
    assert first.counts["fees_posted"] == rows - 2 * each and run.counts["fees_posted"] == 0
    assert first.counts["breaks_by_kind"] == {k: each for k in planted.kinds if k != "fee_difference"}
    assert run.counts["continuity"] == {
        "open_before": 3 * each,
        "opened": each,
        "closed": 0,
        "open_after": 4 * each,
        "holds": True,
    }
