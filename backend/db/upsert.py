"""INSERT ... ON CONFLICT for the dialect at hand: PostgreSQL and SQLite spell it the same way in
SQLAlchemy, but each from its own dialect module."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Table
from sqlalchemy.ext.asyncio import AsyncSession


def insert_for(session: AsyncSession, table: Table) -> Any:
    """An insert into `table` that offers `.on_conflict_do_nothing()` and `.on_conflict_do_update()`."""
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as postgresql_insert

        return postgresql_insert(table)
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    return sqlite_insert(table)
