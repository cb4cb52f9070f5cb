"""The same migrations build exactly the tables the code declares, on both databases."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import insert, inspect, select
from sqlalchemy.engine import Connection

import payments.tables  # noqa: F401  (payments' tables join the shared metadata on import)
from backend.db import migrate
from backend.db.engine import create_engine, session_factory, unit_of_work
from backend.db.tables import metadata
from bench.reconciliation_bench import _order_no, prepare
from payments import tables as pt
from tests.conftest import Databases


# SQLite cannot reflect an index on an expression, so alembic cannot compare one there (PostgreSQL does)
@pytest.mark.filterwarnings("ignore:autogenerate skipping metadata-specified expression-based index:UserWarning")
async def test_migrations_match_the_tables_and_reverse_cleanly(databases: Databases) -> None:
    url = await databases.create()
    engine = create_engine(url)
    try:
        assert await migrate.current_revision(engine) is None
        await migrate.upgrade(engine)
        assert await migrate.current_revision(engine) == migrate.head_revision()

        def differences(connection: Connection) -> list[object]:
            return list(compare_metadata(MigrationContext.configure(connection), metadata))

        async with engine.connect() as connection:
            assert await connection.run_sync(differences) == []

        await migrate.downgrade(engine, "base")
        async with engine.connect() as connection:
            names = await connection.run_sync(lambda c: inspect(c).get_table_names())
        assert set(names) <= {"alembic_version"}
        await migrate.upgrade(engine)
        assert await migrate.current_revision(engine) == migrate.head_revision()
    finally:
        await engine.dispose()


async def test_fees_posted_one_entry_per_payment_before_become_rows_of_the_fee_sub_ledger(
    databases: Databases,
) -> None:
    # Given a database before 0009_fees whose run of 2026-12-06 posted a payment's 0.28 fee as its own entry
    url = await databases.create()
    engine = create_engine(url)
    try:
        await migrate.upgrade(engine, "0009_views")
        ran, posted = datetime(2026, 12, 7, 3, tzinfo=UTC), datetime(2026, 12, 7, 3, 1, tzinfo=UTC)
        async with session_factory(engine)() as session, unit_of_work(session):
            await prepare(session, 3, 0)
            order_id = (
                await session.execute(
                    select(pt.payment_orders.c.id).where(pt.payment_orders.c.out_trade_no == _order_no(1))
                )
            ).scalar_one()
            run_id = (
                await session.execute(
                    insert(pt.reconciliation_runs)
                    .values(
                        channel="alipay",
                        day=date(2026, 12, 6),
                        verdict="reconciled",
                        counts={},
                        totals={},
                        started_by="job:reconcile",
                        started_at=ran,
                    )
                    .returning(pt.reconciliation_runs.c.id)
                )
            ).scalar_one()
            for code, kind in (("fees:alipay", "expense"), ("channel:alipay", "asset")):
                await session.execute(insert(pt.ledger_accounts).values(code=code, kind=kind, name=code))
            entry_id = (
                await session.execute(
                    insert(pt.journal_entries)
                    .values(kind="fee", reference=_order_no(1), order_id=order_id, memo="fee", at=posted)
                    .returning(pt.journal_entries.c.id)
                )
            ).scalar_one()
            await session.execute(
                insert(pt.postings),
                [
                    {"entry_id": entry_id, "account": "fees:alipay", "amount_fen": 28},
                    {"entry_id": entry_id, "account": "channel:alipay", "amount_fen": -28},
                ],
            )
        # When the database is upgraded
        await migrate.upgrade(engine)
        # Then the fee is the payment's row of the sub-ledger, naming its entry and the run that posted it
        async with session_factory(engine)() as session:
            rows = (await session.execute(select(pt.payment_fees))).all()
        assert [tuple(row) for row in rows] == [
            ("alipay", _order_no(1), order_id, 28, date(2026, 12, 6), run_id, entry_id)
        ]
    finally:
        await engine.dispose()
