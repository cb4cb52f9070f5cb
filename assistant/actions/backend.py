"""The one way the actions reach the backend: GraphQL over HTTP.

The operations are the ones in graphql/operations/assistant.graphql (the API contract, validated
against the schema by the backend's tests). The catalog is read anonymously; a citizen's
applications with the short-lived token the backend put in the message's metadata, so the assistant
only ever sees what that citizen may see.
"""

from __future__ import annotations

import asyncio
import logging
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp

OPERATIONS = Path(
    os.environ.get(
        "ASSISTANT_OPERATIONS",
        Path(__file__).resolve().parents[2] / "graphql" / "operations" / "assistant.graphql",
    )
)
log = logging.getLogger(__name__)
GRAPHQL_URL = os.environ.get("ASSISTANT_GRAPHQL_URL", "http://127.0.0.1:8000/graphql")
# An action makes at most three calls; together they stay under the backend's wait for Rasa (8 s).
TIMEOUT_SECONDS = float(os.environ.get("ASSISTANT_BACKEND_TIMEOUT", "2"))


class BackendUnavailableError(Exception):
    """The backend did not answer in time, or answered with an error of its own."""


class NotSignedInError(Exception):
    """The question needs a signed-in citizen, and there is none (or the token expired)."""


@dataclass(frozen=True)
class Hit:
    """A search result: a matter or a bundle."""

    kind: str  # "matter" | "bundle"
    code: str
    name: str
    score: float


class Backend:
    """GraphQL client for the actions; one per action server process."""

    def __init__(self, url: str = GRAPHQL_URL, timeout: float = TIMEOUT_SECONDS) -> None:
        self.url = url
        self.timeout = aiohttp.ClientTimeout(total=timeout)
        self._document = OPERATIONS.read_text(encoding="utf-8")
        self._session: aiohttp.ClientSession | None = None

    async def _call(
        self, operation: str, variables: dict[str, Any], locale: str, token: str | None = None
    ) -> dict[str, Any]:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(timeout=self.timeout)
        headers = {"accept-language": locale, "content-type": "application/json"}
        if token:
            headers["authorization"] = f"Bearer {token}"
        body = {"query": self._document, "operationName": operation, "variables": variables}
        try:
            async with self._session.post(self.url, json=body, headers=headers) as response:
                if response.status == 401:
                    log.info("backend refused %s: HTTP 401", operation)
                    raise NotSignedInError()
                if response.status != 200:
                    raise BackendUnavailableError(f"HTTP {response.status}")
                payload = await response.json()
        except (aiohttp.ClientError, asyncio.TimeoutError, ValueError) as error:  # ValueError: not JSON
            raise BackendUnavailableError(repr(error)) from None
        if not isinstance(payload, dict):
            raise BackendUnavailableError("not a GraphQL response")
        errors = payload.get("errors") or []
        codes = {str((e.get("extensions") or {}).get("code", "")) for e in errors}
        if codes & {"UNAUTHENTICATED", "TOKEN_EXPIRED", "FORBIDDEN", "INSUFFICIENT_SCOPE"}:
            log.info("backend refused %s: %s", operation, sorted(codes))
            raise NotSignedInError()
        if errors or not isinstance(payload.get("data"), dict):
            raise BackendUnavailableError(str(errors[0].get("message")) if errors else "no data")
        data: dict[str, Any] = payload["data"]
        return data

    async def search(self, query: str, locale: str, first: int = 5) -> list[Hit]:
        """The best matters and bundles for what the citizen wrote, best first."""
        data = await self._call("AssistantSearch", {"query": query, "first": first}, locale)
        hits = []
        for hit in data["searchMatters"]:
            item, kind = (hit["matter"], "matter") if hit.get("matter") else (hit["bundle"], "bundle")
            if item:
                hits.append(Hit(kind, item["code"], item["name"], float(hit["score"])))
        return hits

    async def matter(self, code: str, locale: str) -> dict[str, Any] | None:
        """A matter's materials, fees, time and halls in the locale (None when unknown)."""
        return (await self._call("AssistantMatter", {"code": code}, locale))["matter"]

    async def bundle(self, code: str, locale: str) -> dict[str, Any] | None:
        """A life-event bundle and its matters (None when unknown)."""
        return (await self._call("AssistantBundle", {"code": code}, locale))["bundle"]

    async def my_applications(self, token: str | None, locale: str, first: int = 5) -> dict[str, Any]:
        """The signed-in citizen's latest applications (NotSignedInError without a valid token)."""
        if not token:
            raise NotSignedInError()
        return (await self._call("AssistantMyApplications", {"first": first}, locale, token))["myApplications"]


_backend: Backend | None = None


def backend() -> Backend:
    """The process's client (tests replace it with `use`)."""
    global _backend
    if _backend is None:
        _backend = Backend()
    return _backend


def use(client: Any) -> None:
    """Replace the client (action unit tests pass a fake that answers from fixtures)."""
    global _backend
    _backend = client
