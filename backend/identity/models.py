"""Identity's boundary data: principals, tokens, sessions, clients, consents."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

import msgspec


class Scope(StrEnum):
    """What a token lets its bearer do (names are a contract with relying parties)."""

    OPENID = "openid"
    PROFILE = "profile"
    PHONE = "phone"
    ID_NUMBER = "id_number"
    APPLICATIONS_READ = "applications:read"
    APPLICATIONS_WRITE = "applications:write"
    PAYMENTS = "payments"
    CERTIFICATES_READ = "certificates:read"
    HALL = "hall"


ALL_SCOPES: tuple[str, ...] = tuple(s.value for s in Scope)


class Role(StrEnum):
    """Staff roles; officers are bound to a department."""

    OFFICER = "officer"
    FINANCE = "finance"
    ADMIN = "admin"
    DEVELOPER = "developer"  # builds mini-programs: reads the usage of the apps linked to them
    HALL_MANAGER = "hall_manager"  # runs a service hall: the grant's department_code holds the HALL's code


class SubjectType(StrEnum):
    """Who a session belongs to."""

    CITIZEN = "citizen"
    STAFF = "staff"


class RoleGrant(msgspec.Struct, frozen=True):
    role: Role
    department_code: str = ""


class Principal(msgspec.Struct, frozen=True):
    """The authenticated caller of one request."""

    subject_type: SubjectType
    subject_id: str
    session_id: str
    client_id: str
    scopes: frozenset[str]
    first_party: bool
    roles: tuple[RoleGrant, ...] = ()

    def has_scope(self, scope: str) -> bool:
        """Whether the token carries `scope`."""
        return scope in self.scopes

    def has_role(self, role: Role, department_code: str | None = None) -> bool:
        """Whether the staff member holds `role` (for that department, when given)."""
        return any(
            g.role is role and (department_code is None or g.department_code == department_code) for g in self.roles
        )


class TokenPair(msgspec.Struct, frozen=True):
    access_token: str
    refresh_token: str
    expires_in: int
    session_id: str


class Citizen(msgspec.Struct, frozen=True):
    id: str
    phone: str
    id_number: str | None
    name: str | None
    verified_at: datetime | None
    created_at: datetime


class StaffMember(msgspec.Struct, frozen=True):
    id: str
    username: str
    name: str
    roles: tuple[RoleGrant, ...]


class SessionInfo(msgspec.Struct, frozen=True):
    id: str
    client_id: str
    client_name: str
    created_at: datetime
    last_used_at: datetime
    expires_at: datetime
    revoked_at: datetime | None
    ip: str | None
    user_agent: str | None


class Client(msgspec.Struct, frozen=True):
    client_id: str
    name: str
    confidential: bool
    first_party: bool
    redirect_uris: list[str]
    scopes: list[str]
    created_at: datetime
    secret_rotated_at: datetime | None
    sandbox: bool = False  # signs in only the sandbox personas (with the sandbox code)
    documents_only: bool = False  # may call only trusted documents (its own and the platform's)


class Consent(msgspec.Struct, frozen=True):
    client_id: str
    client_name: str
    scopes: list[str]
    granted_at: datetime


class RequestMeta(msgspec.Struct, frozen=True):
    """Where a request came from, for rate limits and the audit log."""

    ip: str | None = None
    user_agent: str | None = None
