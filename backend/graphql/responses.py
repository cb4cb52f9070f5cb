"""The response cache of anonymous GETs of trusted documents: public catalog reads, answered from memory.

Keyed by (document id, variables as sent, operationName, the negotiated locale). Only an answer to a
request without an Authorization header, with data and no errors, is kept; entries live at most as
long as the Cache-Control max-age a browser or CDN is told, and a catalog import empties the cache of
every instance (the catalog's change notice, backend.catalog.snapshot.CHANGED_CHANNEL).
"""

from __future__ import annotations

import hashlib
import time
from collections import OrderedDict
from typing import Any

from litestar import Request
from litestar.response import Response

from backend.i18n import negotiate

MAX_AGE_SECONDS = 60
MAX_ENTRIES = 2_000
MAX_BYTES = 32 * 1024 * 1024
# The answer depends on the language; a token caller's answer may differ (and is never cached here).
_VARY = "Accept-Language, Authorization"
_CACHE_CONTROL = f"public, max-age={MAX_AGE_SECONDS}"

Key = tuple[str, str, str, str]


class CachedAnswer:
    """One cached body (`{"data": ...}`, without the per-request `extensions`), what it cost to compute,
    and the headers every answer from it carries."""

    __slots__ = ("body", "cost", "etag", "expires", "headers")

    def __init__(self, body: bytes, cost: int, expires: float) -> None:
        self.body = body
        self.cost = cost
        # Weak: each 200 carries its caller's own extensions.cost beside the same data.
        self.etag = 'W/"' + hashlib.sha256(body).hexdigest()[:32] + '"'
        self.expires = expires
        self.headers = {"cache-control": _CACHE_CONTROL, "etag": self.etag, "vary": _VARY}

    def with_extensions(self, extensions: bytes) -> bytes:
        """The cached data with this caller's `extensions` (an encoded JSON object) beside it."""
        return self.body[:-1] + b',"extensions":' + extensions + b"}"


class ResponseCache:
    """Bounded in entries and bytes; the least recently used entry goes first."""

    def __init__(
        self, max_entries: int = MAX_ENTRIES, max_bytes: int = MAX_BYTES, max_age: float = MAX_AGE_SECONDS
    ) -> None:
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self.max_age = max_age
        self._entries: OrderedDict[Key, CachedAnswer] = OrderedDict()
        self._bytes = 0
        # Bumped by clear(): an answer computed before a clear is not stored after it.
        self.generation = 0

    def __len__(self) -> int:
        return len(self._entries)

    @property
    def size(self) -> int:
        """The bytes of the bodies held."""
        return self._bytes

    def get(self, key: Key) -> CachedAnswer | None:
        """The fresh entry for `key`, or None."""
        entry = self._entries.get(key)
        if entry is None:
            return None
        if entry.expires <= time.monotonic():
            self._drop(key)
            return None
        self._entries.move_to_end(key)
        return entry

    def put(self, key: Key, body: bytes, cost: int, generation: int) -> CachedAnswer | None:
        """Keep `body` (which cost `cost` to compute) for `key`, unless the cache was cleared since
        `generation` or it is too big."""
        if generation != self.generation or len(body) > self.max_bytes // 8:
            return None
        if key in self._entries:
            self._drop(key)
        entry = CachedAnswer(body, cost, time.monotonic() + self.max_age)
        self._entries[key] = entry
        self._bytes += len(body)
        while len(self._entries) > self.max_entries or self._bytes > self.max_bytes:
            self._drop(next(iter(self._entries)))
        return entry

    def clear(self) -> None:
        """Forget everything (the catalog changed)."""
        self._entries.clear()
        self._bytes = 0
        self.generation += 1

    def _drop(self, key: Key) -> None:
        self._bytes -= len(self._entries.pop(key).body)


def cache_key(request: Request[Any, Any, Any]) -> Key | None:
    """The cache key of an anonymous GET naming a document (and no query text); None otherwise."""
    if "authorization" in request.headers:
        return None  # never cached, never answered from the cache: a token caller gets its own answer
    params = request.query_params
    document_id = params.get("documentId")
    if not document_id or "query" in params:
        return None
    locale = negotiate(request.headers.get("accept-language"))
    return (document_id, params.get("variables") or "", params.get("operationName") or "", locale.value)


def not_modified(request: Request[Any, Any, Any], entry: CachedAnswer) -> Response[bytes] | None:
    """304 Not Modified when the caller already holds this answer (If-None-Match), else None."""
    held = request.headers.get("if-none-match")
    if held is not None and _matches(held, entry.etag):
        return Response(b"", status_code=304, headers=entry.headers)
    return None


def _matches(if_none_match: str, etag: str) -> bool:
    """RFC 9110 weak comparison against a list of entity tags (or *)."""
    if if_none_match.strip() == "*":
        return True
    ours = etag.removeprefix("W/")
    return any(tag.strip().removeprefix("W/") == ours for tag in if_none_match.split(","))


def cached(request: Request[Any, Any, Any], cache: ResponseCache) -> CachedAnswer | None:
    """The cache's answer for this request, if it has one."""
    key = cache_key(request)
    return cache.get(key) if key is not None else None


_EXTENSIONS = b',"extensions":'


def remember(
    request: Request[Any, Any, Any], cache: ResponseCache, generation: int, response: Response[bytes], cost: int
) -> Response[bytes]:
    """Keep an executed anonymous answer with data and no errors (without its caller's extensions), and
    answer with its cache headers."""
    key = cache_key(request)
    body = response.content
    # The payload's "errors" come before its "data": an answer starting with data has no errors.
    if key is None or response.status_code != 200 or not isinstance(body, bytes) or not body.startswith(b'{"data"'):
        return response
    # The top-level extensions come last: the last ',"extensions":' is theirs, whatever the data holds.
    cut = body.rfind(_EXTENSIONS)
    entry = cache.put(key, body[:cut] + b"}" if cut > 0 else body, cost, generation)
    if entry is not None:
        response.headers.update(entry.headers)
    return response
