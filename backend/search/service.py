"""The search service: an index per process, rebuilt when the catalog snapshot changes."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor

import msgspec
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from backend.catalog.snapshot import CatalogCache, CatalogSnapshot
from backend.db import tables as t
from backend.errors import CommonErrorCode, DomainError
from backend.search.build import bundle_document, matter_document
from backend.search.index import SearchIndex
from backend.search.query import search

# What a citizen types is a sentence or two; the assistant relays messages of up to 500 characters.
MAX_QUERY_LENGTH = 500
# One thread ranks every query of the process, in turn: ranking is pure Python (one core at a time
# anyway), and the text normalisers it calls need not be shared between threads.
_SEARCH_THREAD = ThreadPoolExecutor(max_workers=1, thread_name_prefix="search")


class SearchResult(msgspec.Struct, frozen=True):
    """One hit: a matter or a bundle code, and its score."""

    kind: str
    code: str
    score: float


class SearchService:
    """Owns the process's search index; the index follows the catalog snapshot's version.

    A city's catalog holds one text per matter and many copies of it (one per district, street
    office and community that handles it). The index holds each text once; a hit is answered with
    the copy that serves the citizen's region.
    """

    def __init__(self, cache: CatalogCache, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._cache = cache
        self._sessions = sessions
        self._index: SearchIndex | None = None
        self._variants: dict[str, list[str]] = {}
        self._version = -1
        self._lock = asyncio.Lock()

    async def index(self) -> tuple[CatalogSnapshot, SearchIndex]:
        """The snapshot and an index built from it."""
        snapshot = await self._cache.get()
        if self._index is None or self._version != snapshot.version:
            async with self._lock:
                if self._index is None or self._version != snapshot.version:
                    self._index, self._variants = await self._build(snapshot)
                    self._version = snapshot.version
        return snapshot, self._index

    async def _build(self, snapshot: CatalogSnapshot) -> tuple[SearchIndex, dict[str, list[str]]]:
        async with self._sessions() as session:
            rows = await session.execute(
                select(t.matters.c.code, t.matters.c.keywords).where(t.matters.c.withdrawn.is_(False))
            )
            keywords = {row.code: row.keywords for row in rows}
        # Building is CPU work: run it off the event loop so requests keep flowing meanwhile.
        return await asyncio.to_thread(_build_index, snapshot, keywords)

    async def search(self, query: str, limit: int, near: str | None = None) -> list[SearchResult]:
        """The best matters and bundles for a query, best first; matters as the copy serving `near`.

        TOO_LONG past MAX_QUERY_LENGTH characters. Ranking is CPU work: it runs on the search thread,
        never on the event loop, so a slow query cannot stall other requests (or /health).
        """
        if len(query) > MAX_QUERY_LENGTH:
            raise DomainError(CommonErrorCode.TOO_LONG, field="query", max=MAX_QUERY_LENGTH, length=len(query))
        snapshot, index = await self.index()
        hits = await asyncio.get_running_loop().run_in_executor(_SEARCH_THREAD, search, index, query, limit)
        results = []
        for hit in hits:
            code = hit.document.code
            if hit.document.kind == "matter":
                code = _closest(snapshot, self._variants.get(code, [code]), near)
            results.append(SearchResult(hit.document.kind, code, round(hit.score, 4)))
        return results


def _closest(snapshot: CatalogSnapshot, codes: list[str], near: str | None) -> str:
    """The copy for a citizen in region `near`: their own region's, else the nearest enclosing
    region's, else the city-wide original; never another district's copy when a better one exists."""

    if near is None:
        return codes[0]  # the city-wide original
    best, best_rank = codes[0], (-1, 0)
    for code in codes:  # in order: the first of equally good copies wins
        region = snapshot.by_code[code].region_code
        if region == near:
            return code
        rank = (2, len(region)) if near.startswith(region) else ((1, 0) if region == snapshot.city_code else (0, 0))
        if rank > best_rank:
            best, best_rank = code, rank
    return best


def _build_index(
    snapshot: CatalogSnapshot, keywords: dict[str, dict[str, list[str]]]
) -> tuple[SearchIndex, dict[str, list[str]]]:
    groups: dict[tuple[str, ...], list[str]] = {}
    for matter in snapshot.matters:
        words = keywords.get(matter.code, {})
        key = (*matter.name.values(), *matter.summary.values(), *(w for ws in words.values() for w in ws))
        groups.setdefault(key, []).append(matter.code)
    variants: dict[str, list[str]] = {}
    original: dict[str, str] = {}  # a matter's code -> the code of the original that stands for it
    documents = []
    for codes in groups.values():
        # The original (the shortest code: the city department's) stands for its copies.
        first = min(codes, key=lambda c: (len(c), c))
        variants[first] = sorted(codes, key=lambda c: (len(c), c))
        original.update(dict.fromkeys(codes, first))
        matter = snapshot.by_code[first]
        documents.append(matter_document(first, matter.name, matter.summary, keywords.get(first, {})))
    for bundle in snapshot.bundles:
        codes = [c for c in snapshot.bundle_matters.get(bundle.code, []) if c in snapshot.by_code]
        members = [(snapshot.by_code[c].name, keywords.get(c, {})) for c in codes]
        member_codes = [original.get(c, c) for c in codes]
        documents.append(bundle_document(bundle.code, bundle.name, bundle.summary, members, member_codes))
    return SearchIndex(documents), variants
