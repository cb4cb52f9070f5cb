"""The same migrations build exactly the tables the code declares, on both databases."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect
from sqlalchemy.engine import Connection

import payments.tables  # noqa: F401  (payments' tables join the shared metadata on import)
from backend.db import migrate
from backend.db.engine import create_engine
from backend.db.tables import metadata
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
