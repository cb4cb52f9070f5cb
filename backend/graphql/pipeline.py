"""The one mutation pipeline: how every mutation runs, so no resolver does its own plumbing.

    @mutation("Submit the form ...", permission=IsCitizen("applications:write"))
    async def submit_application(self, info: Info, input: SubmitApplicationInput) -> SubmitApplicationPayload:
        citizen = caller(info)                               # checked by the declared permission
        applications = await info.context.applications()
        created, errors = await mutate(info, lambda: applications.submission.submit(...))
        return SubmitApplicationPayload(application=..., errors=errors)

`mutation` declares the permission once (strawberry's PermissionExtension runs it before the
resolver); `caller` reads the principal it admitted, without checking again (queries declare theirs
with `permissions.field`). `mutate` opens the unit
of work (commit, or roll back on any exception: the outbox events written in it are relayed to live
subscriptions and webhooks only after a commit, backend.outbox), and turns a domain error, with its details, into the
payload's errors {code, field, message} in the caller's language.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import strawberry
from strawberry.extensions import FieldExtension
from strawberry.permission import PermissionExtension

from backend.db.engine import unit_of_work
from backend.errors import DomainError
from backend.graphql.context import Info
from backend.graphql.errors import PayloadError, payload_errors
from backend.graphql.permissions import Permission
from backend.graphql.permissions import caller as caller

T = TypeVar("T")


def mutation(description: str, *, permission: Permission | None = None) -> Any:
    """A strawberry mutation whose permission, if any, is declared here and checked before it runs."""
    extensions: list[FieldExtension] = [PermissionExtension([permission])] if permission is not None else []
    return strawberry.mutation(description=description, extensions=extensions)


async def mutate(
    info: Info,
    work: Callable[[], Awaitable[T]],
    *,
    transaction: bool = True,
    recover: Callable[[DomainError], Awaitable[None]] | None = None,
) -> tuple[T | None, list[PayloadError]]:
    """Run `work` as a mutation: (result, []) once committed, or (None, errors) after a domain error.

    `transaction=False` is for work that opens its own short transactions (a payment channel is
    called between two of them). `recover(error)` runs in a transaction of its own after a domain
    error rolled the work back (a refused submission keeps what the citizen typed as a draft).
    Anything other than a domain error rolls back too, and surfaces as INTERNAL_ERROR.
    """
    context = info.context
    try:
        if transaction:
            async with unit_of_work(context.session):
                result = await work()
        else:
            result = await work()
    except DomainError as error:
        if recover is not None:
            async with unit_of_work(context.session):
                await recover(error)
        return None, payload_errors(error, context.resources.messages, context.locale)
    context.forget_loaded()  # what the payload reads next must show this change
    return result, []
