"""Who may call what: permission classes that raise coded, localized errors.

A citizen sees only their own data; a third-party token reaches only what its scopes allow; an
officer acts for their department; finance sees payment data; admins manage the platform.
"""

from __future__ import annotations

from typing import Any

from strawberry.permission import BasePermission

from backend.errors import CommonErrorCode, DomainError
from backend.graphql.context import Info
from backend.identity.models import Principal, Role, SubjectType


def citizen(info: Info, scope: str | None = None) -> Principal:
    """The signed-in citizen, holding `scope` if given; UNAUTHENTICATED / INSUFFICIENT_SCOPE otherwise."""
    principal = info.context.principal
    if principal is None:
        raise DomainError(CommonErrorCode.UNAUTHENTICATED)
    if principal.subject_type is not SubjectType.CITIZEN:
        raise DomainError(CommonErrorCode.FORBIDDEN)
    if scope is not None and not principal.has_scope(scope):
        raise DomainError(CommonErrorCode.INSUFFICIENT_SCOPE, scope=scope)
    return principal


def signed_in(info: Info) -> Principal:
    """Any signed-in caller."""
    principal = info.context.principal
    if principal is None:
        raise DomainError(CommonErrorCode.UNAUTHENTICATED)
    return principal


def staff(info: Info, *roles: Role) -> Principal:
    """A staff member holding one of `roles`; FORBIDDEN otherwise."""
    principal = info.context.principal
    if principal is None:
        raise DomainError(CommonErrorCode.UNAUTHENTICATED)
    if principal.subject_type is not SubjectType.STAFF or not any(principal.has_role(r) for r in roles):
        raise DomainError(CommonErrorCode.FORBIDDEN)
    return principal


def first_party(info: Info) -> Principal:
    """A caller using the platform's own app or staff console (not a mini-program's token)."""
    principal = signed_in(info)
    if not principal.first_party:
        raise DomainError(CommonErrorCode.FORBIDDEN)
    return principal


class IsFirstParty(BasePermission):
    """Only the platform's own app or console: sessions, consents and sign-out are not for mini-programs."""

    message = "FORBIDDEN"

    def has_permission(self, source: Any, info: Info, **kwargs: Any) -> bool:
        """Raises UNAUTHENTICATED or FORBIDDEN."""
        first_party(info)
        return True


class IsCitizen(BasePermission):
    """A signed-in citizen, optionally with a scope (third-party tokens carry only what was consented), or
    only through the platform's own app."""

    message = "UNAUTHENTICATED"

    def __init__(self, scope: str | None = None, *, first_party: bool = False) -> None:
        self.scope = scope
        self.first_party = first_party

    def has_permission(self, source: Any, info: Info, **kwargs: Any) -> bool:
        """Raises a coded error instead of answering False, so the client learns why."""
        citizen(info, self.scope)
        if self.first_party:
            first_party(info)
        return True


class HasRole(BasePermission):
    """A staff member with one of the roles."""

    message = "FORBIDDEN"

    def __init__(self, *roles: Role) -> None:
        self.roles = roles

    def has_permission(self, source: Any, info: Info, **kwargs: Any) -> bool:
        """Raises FORBIDDEN unless the caller holds one of the roles."""
        staff(info, *self.roles)
        return True
