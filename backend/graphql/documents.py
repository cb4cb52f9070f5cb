"""Trusted documents over HTTP: a request names a registered document by its id instead of sending it.

POST {"documentId": "sha256:<hex>", "variables": ..., "operationName": ...}, or GET
/graphql?documentId=sha256:<hex>&variables=<json>&operationName=... for queries. Documents never
change under their id, so each process keeps the ones it was asked for in memory for good.

Anonymous GETs of a document are answered from a per-process response cache (backend.graphql.responses)
with Cache-Control, ETag and Vary; a catalog import empties it on every instance.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import strawberry
import structlog
from graphql import GraphQLSyntaxError, parse, validate
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from backend.db.engine import unit_of_work
from backend.errors import CommonErrorCode, DomainError
from backend.graphql.context import Context
from backend.graphql.responses import ResponseCache
from backend.identity.clients import get_client
from backend.platform import documents as registry
from backend.platform.documents import PLATFORM_OWNER, KnownDocument, TrustedDocument

log = structlog.get_logger("backend.graphql")

# Client ids whose documents-only flag this process knows (clients are few; a guard, not a budget).
MAX_KNOWN_CLIENTS = 10_000
BOTH_SENT = "send either documentId or query, not both"


def schema_problem(schema: strawberry.Schema, body: str) -> str | None:
    """Why `body` is not a valid document for `schema`, or None when it is."""
    try:
        document = parse(body, no_location=True)
    except GraphQLSyntaxError as error:
        return error.message
    errors = validate(schema._schema, document)
    return errors[0].message if errors else None


class TrustedDocuments:
    """This process's view of the trusted documents: their texts by id, which clients may only call
    documents, and the response cache of anonymous GETs."""

    def __init__(self, responses: ResponseCache | None = None) -> None:
        self._known: dict[str, KnownDocument] = {}
        self._documents_only: dict[str, bool] = {}
        self.responses = responses or ResponseCache()

    async def find(self, session: AsyncSession, document_id: str, *, again: bool = False) -> KnownDocument | None:
        """The document with this id (from memory once seen; `again` reads who registered it anew)."""
        known = self._known.get(document_id)
        if known is None or again:
            known = await registry.find(session, document_id)
            if known is not None:
                self._known[document_id] = known
        return known

    async def documents_only(self, session: AsyncSession, client_id: str) -> bool:
        """Whether the client may call only trusted documents (the flag is set when it is created)."""
        restricted = self._documents_only.get(client_id)
        if restricted is None:
            client = await get_client(session, client_id)
            restricted = client is not None and client.documents_only
            if len(self._documents_only) >= MAX_KNOWN_CLIENTS:
                self._documents_only.clear()
            self._documents_only[client_id] = restricted
        return restricted

    async def text(self, context: Context, query: str | None, document_id: str | None) -> str | DomainError | None:
        """What to execute: the query text sent, or the text of the document named; or why not."""
        principal = context.principal
        restricted = principal is not None and await self.documents_only(context.session, principal.client_id)
        if document_id is None:
            return DomainError(CommonErrorCode.PERSISTED_DOCUMENT_REQUIRED) if query and restricted else query
        if query:
            return DomainError(CommonErrorCode.BAD_REQUEST, detail=BOTH_SENT)
        known = await self.find(context.session, document_id)
        if known is not None and restricted and principal is not None:
            callers = {principal.client_id, PLATFORM_OWNER}
            if not known.owners & callers:  # registered by the app since this process last looked?
                known = await self.find(context.session, document_id, again=True)
            if known is not None and not known.owners & callers:
                known = None  # another app's document: to this app it does not exist
        if known is None:
            return DomainError(CommonErrorCode.PERSISTED_DOCUMENT_NOT_FOUND)
        return known.body


def operation_files(folder: Path) -> list[Path]:
    """The platform's own operations: one document per .graphql file."""
    return sorted(folder.glob("*.graphql")) if folder.is_dir() else []


async def register_platform_documents(
    sessions: async_sessionmaker[AsyncSession], schema: strawberry.Schema, folder: Path
) -> list[TrustedDocument]:
    """Register graphql/operations/*.graphql for the platform (idempotent); a file the schema refuses is
    logged and left out, not fatal: the rest of the platform still serves."""
    bodies = []
    for path in operation_files(folder):
        body = path.read_text(encoding="utf-8")
        problem = schema_problem(schema, body)
        if problem is not None:
            log.error("documents.platform_invalid", file=path.name, problem=problem)
            continue
        bodies.append(body)
    if not bodies:
        return []
    async with sessions() as session, unit_of_work(session):
        return await registry.register(session, PLATFORM_OWNER, bodies)


def status_of(error: DomainError) -> int:
    """The HTTP status of a refused document: 400 for a malformed request, else 200 with the errors."""
    return 400 if error.code is CommonErrorCode.BAD_REQUEST else 200


def trusted_documents(state: Any) -> TrustedDocuments:
    """The app's TrustedDocuments (kept on the Litestar app's state by the lifespan)."""
    documents: TrustedDocuments = state.documents
    return documents
