"""`onewindow documents`: an app's trusted documents (GraphQL operations called by their id)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from backend.cli.common import domain_error, in_transaction

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from backend.platform.documents import TrustedDocument


@click.group()
def documents() -> None:
    """Trusted documents: the operations an app calls by documentId (one .graphql file, one document)."""


@documents.command("register")
@click.option("--client", "client_id", required=True, help="The app's client id (\"platform\" for the platform's own).")
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
def documents_register(client_id: str, files: tuple[Path, ...]) -> None:
    """Register .graphql files for an app and print each one's documentId (the same text, the same id)."""
    from backend.errors import NotFoundError
    from backend.graphql.documents import schema_problem
    from backend.graphql.schema import build_schema
    from backend.identity.clients import get_client
    from backend.platform import documents as registry

    bodies = [path.read_text(encoding="utf-8") for path in files]
    schema = build_schema()
    for path, body in zip(files, bodies, strict=True):
        problem = schema_problem(schema, body)
        if problem is not None:
            raise click.ClickException(f"{path}: {problem} (nothing was registered)")

    async def work(session: AsyncSession) -> list[TrustedDocument]:
        if client_id != registry.PLATFORM_OWNER and await get_client(session, client_id) is None:
            raise NotFoundError(client_id, field="--client")
        return await registry.register(session, client_id, bodies)

    try:
        registered = in_transaction(work)
    except Exception as error:
        raise domain_error(error) from None
    for path, document in zip(files, registered, strict=True):
        click.echo(f"{document.document_id}  {path}")


@documents.command("list")
@click.option("--client", "client_id", default=None, help="Only this app's documents.")
def documents_list(client_id: str | None) -> None:
    """Every registered document: id, owner, operation type and names."""
    from backend.platform import documents as registry

    for document in in_transaction(lambda session: registry.list_documents(session, client_id)):
        names = " ".join(document.operation_names) or "(anonymous)"
        click.echo(f"{document.document_id}  {document.owner}  {document.operation_type:<8}  {names}")


COMMANDS = [documents]
