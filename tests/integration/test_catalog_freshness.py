"""Every instance's in-memory catalog follows imports: at once by notice, or by its periodic check."""

from __future__ import annotations

import asyncio
from pathlib import Path

from backend.broadcast import Broadcast
from backend.catalog.files import DEMO_CATALOG_DIR
from backend.catalog.snapshot import CHANGED_CHANNEL, CatalogCache, announce_change
from backend.db.engine import create_engine, session_factory
from backend.kv import connect
from tests.support.catalog_imports import import_folder, renamed_export
from tests.support.servers import RedisServer


async def test_periodic_check_picks_up_an_import(empty_database: str, tmp_path: Path) -> None:
    await import_folder(empty_database, DEMO_CATALOG_DIR)
    engine = create_engine(empty_database)
    cache = CatalogCache(session_factory(engine))
    cache.CHECK_SECONDS = 0  # check the import log on every read
    try:
        before = await cache.get()
        assert before.by_code["GZ-GA-0001"].name["en"] != "Renamed"
        assert await cache.get() is before  # nothing changed: the same snapshot
        await import_folder(empty_database, renamed_export(tmp_path, "GZ-GA-0001", "Renamed"))
        after = await cache.get()
        assert after is not before and after.version > before.version
        assert after.by_code["GZ-GA-0001"].name["en"] == "Renamed"
    finally:
        await engine.dispose()


async def test_change_notice_marks_every_instance_stale(empty_database: str, redis_server: RedisServer) -> None:
    await import_folder(empty_database, DEMO_CATALOG_DIR)
    engine = create_engine(empty_database)
    caches = [CatalogCache(session_factory(engine)) for _ in range(2)]  # two instances
    redis = connect(redis_server.url)
    stale = [asyncio.Event(), asyncio.Event()]
    broadcasts = [Broadcast(connect(redis_server.url)) for _ in caches]
    for cache, event, broadcast in zip(caches, stale, broadcasts, strict=True):
        original = cache.mark_stale

        def marked(original=original, event=event) -> None:  # type: ignore[no-untyped-def]
            original()
            event.set()

        broadcast.watch(CHANGED_CHANNEL, marked)
    try:
        for cache, broadcast in zip(caches, broadcasts, strict=True):
            await cache.get()
            await broadcast.start()  # returns once subscribed
        await announce_change(redis)
        await asyncio.wait_for(asyncio.gather(*(e.wait() for e in stale)), 10)
        assert all(c._stale for c in caches)
    finally:
        for broadcast in broadcasts:
            await broadcast.close()
        await redis.aclose()
        await engine.dispose()
