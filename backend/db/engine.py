"""The async engine, sessions and the unit of work."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # WAL lets readers run beside the one writer; foreign keys are off by default in SQLite.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=15000")
    cursor.close()


def create_engine(url: str, **kwargs: Any) -> AsyncEngine:
    """An async engine for `url`; SQLite gets its folder created and sane pragmas."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_async_engine(url, hide_parameters=True, **kwargs)
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        return engine
    kwargs.setdefault("pool_size", 10)
    kwargs.setdefault("max_overflow", 10)
    kwargs.setdefault("pool_pre_ping", True)
    # Bound parameters (ID numbers, phones, names) never appear in database error messages or logs.
    return create_async_engine(url, hide_parameters=True, **kwargs)


def session_factory(engine: AsyncEngine, **info: Any) -> async_sessionmaker[AsyncSession]:
    """Sessions that keep loaded values after commit (results outlive the transaction); `info` is
    copied into every session's `info` (e.g. how to wake the outbox's relay)."""
    return async_sessionmaker(engine, expire_on_commit=False, autoflush=False, info=info or None)


_AFTER_COMMIT = "after_commit"


def after_commit(session: AsyncSession, key: str, callback: Callable[[], Awaitable[None]]) -> None:
    """Run `callback` once the unit of work around `session` commits (once per `key`); forgotten on a
    rollback. For work that must only follow a committed change: waking the outbox's relay."""
    session.info.setdefault(_AFTER_COMMIT, {})[key] = callback


@asynccontextmanager
async def unit_of_work(session: AsyncSession) -> AsyncIterator[AsyncSession]:
    """Commit when the block ends normally, roll back on ANY exception; then the `after_commit` callbacks."""
    try:
        yield session
    except BaseException:
        session.info.pop(_AFTER_COMMIT, None)
        await session.rollback()
        raise
    else:
        await session.commit()
        for callback in session.info.pop(_AFTER_COMMIT, {}).values():
            await callback()


T = TypeVar("T")


async def in_new_transaction(database_url: str, work: Callable[[AsyncSession], Awaitable[T]]) -> T:
    """`work(session)` in one committed transaction on an engine of its own (commands and jobs)."""
    engine = create_engine(database_url)
    try:
        async with session_factory(engine)() as session, unit_of_work(session):
            return await work(session)
    finally:
        await engine.dispose()


def redact_url(url: str) -> str:
    """The URL with its password hidden, for logs and the health report."""
    return make_url(url).render_as_string(hide_password=True)


def _statement_lock(session: AsyncSession) -> asyncio.Lock:
    lock = session.info.get("statement_lock")
    if lock is None:
        lock = session.info["statement_lock"] = asyncio.Lock()
    return lock


async def execute(session: AsyncSession, statement: Any) -> Any:
    """Run a statement; concurrent resolvers of one request take turns on the shared session.

    An AsyncSession is one connection and refuses overlapping statements, while DataLoaders of
    different kinds dispatch concurrently. The statement is shielded: when GraphQL cancels a
    resolver (a sibling field failed), the query still finishes and the connection stays usable.
    """
    lock = _statement_lock(session)

    async def run() -> Any:
        async with lock:
            return await session.execute(statement)

    return await asyncio.shield(run())


async def close_session(session: AsyncSession) -> None:
    """Close a request's session once every shielded statement on it has finished."""
    async with _statement_lock(session):
        await session.close()
