"""The search service: an index per process, rebuilt when the catalog snapshot changes."""

from __future__ import annotations

import asyncio

import msgspec
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from backend.catalog.snapshot import CatalogCache, CatalogSnapshot
from backend.db import tables as t
from backend.search.build import bundle_document, matter_document
from backend.search.index import SearchIndex
from backend.search.query import search


class SearchResult(msgspec.Struct, frozen=True):
    """One hit: a matter or a bundle code, and its score."""

    kind: str
    code: str
    score: float


class SearchService:
    """Owns the process's search index; the index follows the catalog snapshot's version."""

    def __init__(self, cache: CatalogCache, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._cache = cache
        self._sessions = sessions
        self._index: SearchIndex | None = None
        self._version = -1
        self._lock = asyncio.Lock()

    async def index(self) -> tuple[CatalogSnapshot, SearchIndex]:
        """The snapshot and an index built from it."""
        snapshot = await self._cache.get()
        if self._index is None or self._version != snapshot.version:
            async with self._lock:
                if self._index is None or self._version != snapshot.version:
                    self._index = await self._build(snapshot)
                    self._version = snapshot.version
        return snapshot, self._index

    async def _build(self, snapshot: CatalogSnapshot) -> SearchIndex:
        async with self._sessions() as session:
            rows = await session.execute(
                select(t.matters.c.code, t.matters.c.keywords).where(t.matters.c.withdrawn.is_(False))
            )
            keywords = {row.code: row.keywords for row in rows}
        # Building is CPU work: run it off the event loop so requests keep flowing meanwhile.
        return await asyncio.to_thread(_build_index, snapshot, keywords)

    async def search(self, query: str, limit: int) -> list[SearchResult]:
        """The best matters and bundles for a query, best first."""
        _, index = await self.index()
        return [SearchResult(h.document.kind, h.document.code, round(h.score, 4)) for h in search(index, query, limit)]


def _build_index(snapshot: CatalogSnapshot, keywords: dict[str, dict[str, list[str]]]) -> SearchIndex:
    documents = [matter_document(m.code, m.name, m.summary, keywords.get(m.code, {})) for m in snapshot.matters]
    for bundle in snapshot.bundles:
        members = [
            (snapshot.by_code[c].name, keywords.get(c, {}))
            for c in snapshot.bundle_matters.get(bundle.code, [])
            if c in snapshot.by_code
        ]
        documents.append(bundle_document(bundle.code, bundle.name, bundle.summary, members))
    return SearchIndex(documents)
