"""registerTrustedDocuments: admins register an app's documents, which it then calls by documentId."""

from __future__ import annotations

from typing import Any

import strawberry

from backend.errors import CommonErrorCode, DomainError, NotFoundError
from backend.graphql import permissions
from backend.graphql.context import Info
from backend.graphql.documents import schema_problem
from backend.graphql.errors import PayloadError
from backend.graphql.pipeline import mutate, mutation
from backend.identity.clients import get_client
from backend.identity.models import Role
from backend.platform import documents as registry

# One call registers an app's operations (a few dozen at most); the request body is bounded anyway.
MAX_DOCUMENTS = 200


@strawberry.input(description="The documents of one app, each the text of one .graphql file.")
class RegisterTrustedDocumentsInput:
    client_id: str
    documents: list[str]


@strawberry.type(description="A document an app may call by its id (GraphQL-over-HTTP persisted documents).")
class TrustedDocument:
    document_id: str = strawberry.field(description='"sha256:" and the hex SHA-256 of the text as registered.')
    operation_names: list[str]


@strawberry.type
class RegisterTrustedDocumentsPayload:
    documents: list[TrustedDocument]
    errors: list[PayloadError]


@strawberry.type
class DocumentMutation:
    @mutation(
        "Register an app's trusted documents (platform admins); the same text keeps the same id. A document "
        "the schema refuses refuses the whole call, and the error says which one.",
        permission=permissions.HasRole(Role.ADMIN),
    )
    async def register_trusted_documents(
        self, info: Info, input: RegisterTrustedDocumentsInput
    ) -> RegisterTrustedDocumentsPayload:
        session, bodies = info.context.session, input.documents

        async def work() -> Any:
            if await get_client(session, input.client_id) is None:
                raise NotFoundError(input.client_id, field="clientId")
            if not bodies:
                raise DomainError(CommonErrorCode.REQUIRED, field="documents")
            if len(bodies) > MAX_DOCUMENTS:
                raise DomainError(CommonErrorCode.BAD_REQUEST, field="documents", detail=f"more than {MAX_DOCUMENTS}")
            for number, body in enumerate(bodies, start=1):
                registry.describe(body, number)  # syntax first: its message is the clearer one
                problem = schema_problem(info.schema, body)
                if problem is not None:
                    raise DomainError(
                        CommonErrorCode.TRUSTED_DOCUMENT_INVALID, field="documents", number=number, detail=problem
                    )
            return await registry.register(session, input.client_id, bodies)

        registered, errors = await mutate(info, work)
        documents = [
            TrustedDocument(document_id=d.document_id, operation_names=list(d.operation_names))
            for d in registered or []
        ]
        return RegisterTrustedDocumentsPayload(documents=documents, errors=errors)
