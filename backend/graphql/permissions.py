"""Who may call what: permissions declared on a field, refusing with coded, localized errors.

A citizen sees only their own data; a third-party token reaches only what its scopes allow; an
officer acts for their department; finance sees payment data; admins manage the platform. Each
field declares its permission once (`field(..., permission=)` or the mutation pipeline's
`mutation(..., permission=)`); the resolver then asks `caller(info)` for the admitted principal and
never checks again.
"""

from __future__ import annotations

from typing import Any

import strawberry
from strawberry.extensions import FieldExtension
from strawberry.permission import BasePermission, PermissionExtension

from backend.errors import CommonErrorCode, DomainError
from backend.graphql.context import Context, Info
from backend.identity.models import Principal, Role, SubjectType


class Permission(BasePermission):
    """A permission that says why it refuses: `refusal` returns the coded error, or None to admit."""

    message = "FORBIDDEN"

    def refusal(self, principal: Principal | None) -> DomainError | None:
        raise NotImplementedError

    def admitted(self, context: Context) -> None:
        """The caller was admitted: note what that opens (a scope's data), if anything."""

    def has_permission(self, source: Any, info: Info, **kwargs: Any) -> bool:
        """Raises the coded refusal instead of answering False, so the client learns why."""
        refused = self.refusal(info.context.principal)
        if refused is not None:
            raise refused
        self.admitted(info.context)
        return True


class IsSignedIn(Permission):
    """Any signed-in caller."""

    def refusal(self, principal: Principal | None) -> DomainError | None:
        return DomainError(CommonErrorCode.UNAUTHENTICATED) if principal is None else None


class IsFirstParty(Permission):
    """Only the platform's own app or console: sessions, consents and sign-out are not for mini-programs."""

    def refusal(self, principal: Principal | None) -> DomainError | None:
        if principal is None:
            return DomainError(CommonErrorCode.UNAUTHENTICATED)
        return None if principal.first_party else DomainError(CommonErrorCode.FORBIDDEN)


class IsCitizen(Permission):
    """A signed-in citizen, optionally holding a scope (third-party tokens carry only what was
    consented), or only through the platform's own app."""

    def __init__(self, scope: str | None = None, *, first_party: bool = False) -> None:
        self.scope = scope
        self.first_party = first_party

    def refusal(self, principal: Principal | None) -> DomainError | None:
        if principal is None:
            return DomainError(CommonErrorCode.UNAUTHENTICATED)
        if principal.subject_type is not SubjectType.CITIZEN:
            return DomainError(CommonErrorCode.FORBIDDEN)
        if self.scope is not None and not principal.has_scope(self.scope):
            return DomainError(CommonErrorCode.INSUFFICIENT_SCOPE, scope=self.scope)
        if self.first_party and not principal.first_party:
            return DomainError(CommonErrorCode.FORBIDDEN)
        return None

    def admitted(self, context: Context) -> None:
        """The scope's data is read by this request (kept for the citizen's record of mini-programs)."""
        if self.scope is not None:
            context.note_scope(self.scope)


class HasRole(Permission):
    """A staff member with one of the roles."""

    def __init__(self, *roles: Role) -> None:
        self.roles = roles

    def refusal(self, principal: Principal | None) -> DomainError | None:
        if principal is None:
            return DomainError(CommonErrorCode.UNAUTHENTICATED)
        if principal.subject_type is not SubjectType.STAFF or not any(principal.has_role(r) for r in self.roles):
            return DomainError(CommonErrorCode.FORBIDDEN)
        return None


class AnyOf(Permission):
    """Any one of several permissions (a citizen's own record, or staff acting on it); the first
    one's refusal when none admits the caller."""

    def __init__(self, *permissions: Permission) -> None:
        self.permissions = permissions

    def refusal(self, principal: Principal | None) -> DomainError | None:
        refusals = [p.refusal(principal) for p in self.permissions]
        return None if any(r is None for r in refusals) else refusals[0]

    def admitted(self, context: Context) -> None:
        """What the first permission that admits the caller opens."""
        for permission in self.permissions:
            if permission.refusal(context.principal) is None:
                permission.admitted(context)
                return


def caller(info: Info) -> Principal:
    """The principal a field's declared permission admitted (it is not checked a second time)."""
    principal = info.context.principal
    assert principal is not None, "a field calling caller() declares a permission"
    return principal


def field(description: str, *, permission: Permission | None = None) -> Any:
    """A strawberry query field whose permission, if any, is declared here and checked before it runs."""
    extensions: list[FieldExtension] = [PermissionExtension([permission])] if permission is not None else []
    return strawberry.field(description=description, extensions=extensions)
