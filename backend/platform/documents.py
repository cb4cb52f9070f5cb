"""Trusted documents: GraphQL documents an app registered, then called by their id instead of their text.

The id is content-addressed ("sha256:" + the hex SHA-256 of the text as registered), so a document
never changes under its id and any instance may keep it in memory for good. One file is one document;
it may hold several operations (the request's operationName picks one).

Whether a document is valid for the schema is the transport's question (the schema lives there): the
caller checks it before registering. Here a document only has to parse and name its operations.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import msgspec
from graphql import GraphQLSyntaxError, OperationDefinitionNode, parse
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from backend.db import tables as t
from backend.errors import CommonErrorCode, DomainError

PLATFORM_OWNER = "platform"
"""The owner of the platform's own operations (graphql/operations/*.graphql), registered at start-up."""
ID_PREFIX = "sha256:"
# The table's column for the operations' names (space-separated, for a person reading the table): as
# many whole names as fit. The names a program reads are taken from the text itself.
NAMES_COLUMN_LENGTH = 200


class TrustedDocument(msgspec.Struct, frozen=True):
    """One registered document of one owner."""

    document_id: str
    owner: str
    operation_type: str  # "query" when every operation is a query; else "mutation" or "subscription"
    operation_names: tuple[str, ...]
    body: str
    created_at: datetime


class KnownDocument(msgspec.Struct, frozen=True):
    """A document as a caller of its id needs it: the text, and who registered it."""

    document_id: str
    body: str
    operation_type: str
    owners: frozenset[str]


def document_id(body: str) -> str:
    """The id of a document: "sha256:" and the lowercase hex SHA-256 of its UTF-8 text."""
    return ID_PREFIX + hashlib.sha256(body.encode("utf-8", "surrogatepass")).hexdigest()


def describe(body: str, number: int = 1) -> tuple[str, tuple[str, ...]]:
    """(operation type, operation names) of a document; TRUSTED_DOCUMENT_INVALID (naming document
    `number`) when it does not parse or holds no operation."""
    try:
        parsed = parse(body, no_location=True)
    except GraphQLSyntaxError as error:
        raise DomainError(
            CommonErrorCode.TRUSTED_DOCUMENT_INVALID, field="documents", number=number, detail=error.message
        ) from None
    operations = [d for d in parsed.definitions if isinstance(d, OperationDefinitionNode)]
    if not operations:
        raise DomainError(
            CommonErrorCode.TRUSTED_DOCUMENT_INVALID, field="documents", number=number, detail="it has no operation"
        )
    kinds = {op.operation.value for op in operations}
    kind = "query" if kinds == {"query"} else "mutation" if "mutation" in kinds else "subscription"
    return kind, tuple(op.name.value for op in operations if op.name is not None)


def _names_column(names: tuple[str, ...]) -> str | None:
    kept: list[str] = []
    for name in names:
        if len(" ".join([*kept, name])) > NAMES_COLUMN_LENGTH:
            break
        kept.append(name)
    return " ".join(kept) or None


def _row(row: Any) -> TrustedDocument:
    _, names = describe(row.body)
    return TrustedDocument(row.document_id, row.owner, row.operation_type, names, row.body, row.created_at)


async def register(session: AsyncSession, owner: str, bodies: Sequence[str]) -> list[TrustedDocument]:
    """Register `bodies` for `owner` (idempotent: the same text keeps its id and its first registration).

    Every document is checked before any is stored: one that does not parse refuses them all.
    """
    described = [(body, *describe(body, number)) for number, body in enumerate(bodies, start=1)]
    ids = [document_id(body) for body in bodies]
    table = t.trusted_documents
    existing = {
        row.document_id
        for row in await session.execute(
            select(table.c.document_id).where(table.c.owner == owner, table.c.document_id.in_(ids))
        )
    }
    now = datetime.now(UTC)
    new = {}
    for (body, kind, names), identifier in zip(described, ids, strict=True):
        if identifier not in existing and identifier not in new:
            new[identifier] = {
                "owner": owner,
                "document_id": identifier,
                "operation_type": kind,
                "operation_name": _names_column(names),
                "body": body,
                "created_at": now,
            }
    if new:
        # Instances starting together register the platform's documents at the same moment: a row
        # another one wrote meanwhile is the same row, not a conflict.
        await session.execute(_insert_ignoring_duplicates(session), list(new.values()))
    rows = await session.execute(select(table).where(table.c.owner == owner, table.c.document_id.in_(ids)))
    found = {row.document_id: _row(row) for row in rows}
    return [found[identifier] for identifier in ids]


def _insert_ignoring_duplicates(session: AsyncSession) -> Any:
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as postgresql_insert

        return postgresql_insert(t.trusted_documents).on_conflict_do_nothing()
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    return sqlite_insert(t.trusted_documents).on_conflict_do_nothing()


async def find(session: AsyncSession, identifier: str) -> KnownDocument | None:
    """The document with this id and everyone who registered it, or None."""
    table = t.trusted_documents
    rows = list(await session.execute(select(table).where(table.c.document_id == identifier)))
    if not rows:
        return None
    first = rows[0]
    return KnownDocument(identifier, first.body, first.operation_type, frozenset(row.owner for row in rows))


async def list_documents(session: AsyncSession, owner: str | None = None) -> list[TrustedDocument]:
    """Every registered document (of `owner`, when given), by owner then registration time."""
    table = t.trusted_documents
    query = select(table).order_by(table.c.owner, table.c.created_at, table.c.document_id)
    if owner is not None:
        query = query.where(table.c.owner == owner)
    return [_row(row) for row in await session.execute(query)]
