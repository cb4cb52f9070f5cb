"""Search at city scale: index build time, query latency and memory, from 161 to 46,000 matters.

    uv run python bench/search_bench.py [--sizes 161,5000,46000]

For each size it synthesizes the catalog (`onewindow catalog synthesize`), imports it into a fresh
SQLite database, loads the catalog snapshot and builds the search index the way a server does, then
runs every query of tests/data/search_queries.json 5 times. Prints a table; asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from backend.catalog.files import DEMO_CATALOG_DIR
from backend.catalog.importer import import_catalog
from backend.catalog.snapshot import CatalogCache
from backend.catalog.synthesize import synthesize
from backend.catalog.validate import read_catalog
from backend.db.engine import create_engine, session_factory, unit_of_work
from backend.db.migrate import upgrade
from backend.search.service import SearchService

QUERIES = json.loads((Path(__file__).resolve().parent.parent / "tests/data/search_queries.json").read_text("utf-8"))


def rss_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


async def measure(size: int, folder: Path) -> dict[str, float]:
    source = folder / f"catalog-{size}"
    if size <= 161:
        source = DEMO_CATALOG_DIR
    else:
        synthesize(DEMO_CATALOG_DIR, source, size)
    catalog, problems = read_catalog(source)
    assert catalog is not None, problems
    engine = create_engine(f"sqlite+aiosqlite:///{folder / f'db-{size}.sqlite3'}")
    await upgrade(engine)
    sessions = session_factory(engine)
    async with sessions() as session, unit_of_work(session):
        await import_catalog(session, catalog, source=str(source))
    del catalog
    gc.collect()
    before = rss_mib()
    cache = CatalogCache(sessions)
    started = time.perf_counter()
    await cache.get()
    snapshot_s = time.perf_counter() - started
    gc.collect()
    after_snapshot = rss_mib()
    search = SearchService(cache, sessions)
    started = time.perf_counter()
    await search.index()
    index_s = time.perf_counter() - started
    gc.collect()
    after_index = rss_mib()
    timings = []
    for _ in range(5):
        for query in QUERIES:
            t0 = time.perf_counter()
            await search.search(query["query"], 10, near="440106001")
            timings.append((time.perf_counter() - t0) * 1000)
    await engine.dispose()
    timings.sort()
    return {
        "matters": len(cache._snapshot.matters) if cache._snapshot else 0,
        "snapshot_s": snapshot_s,
        "snapshot_mib": after_snapshot - before,
        "index_s": index_s,
        "index_mib": after_index - after_snapshot,
        "p50_ms": statistics.median(timings),
        "p95_ms": timings[int(0.95 * (len(timings) - 1))],
        "p99_ms": timings[int(0.99 * (len(timings) - 1))],
    }


async def main(sizes: list[int]) -> None:
    print(f"machine: {os.cpu_count()} cores, {platform.machine()}, Python {platform.python_version()}")
    print("| matters | snapshot load | snapshot memory | index build | index memory | query p50 | p95 | p99 |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|")
    with tempfile.TemporaryDirectory(prefix="onewindow-search-bench-") as tmp:
        for size in sizes:
            r = await measure(size, Path(tmp))
            print(
                f"| {r['matters']:,.0f} | {r['snapshot_s']:.2f} s | {r['snapshot_mib']:.0f} MiB | {r['index_s']:.2f} s "
                f"| {r['index_mib']:.0f} MiB | {r['p50_ms']:.2f} ms | {r['p95_ms']:.2f} ms | {r['p99_ms']:.2f} ms |"
            )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="161,5000,46000")
    asyncio.run(main([int(s) for s in parser.parse_args().sizes.split(",")]))
