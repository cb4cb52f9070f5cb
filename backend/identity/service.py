"""The identity service: one object per request composed of small parts sharing its database session
and session store: `access` (who is calling), `logins`, `sessions` (rotation, revocation, sign-out)
`people` (citizens, real-name verification, staff) and `clients` (OAuth client registrations)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from backend.identity.access import Access
from backend.identity.client_admin import ClientAdmin
from backend.identity.deps import IdentityDeps
from backend.identity.logins import Logins
from backend.identity.people import People
from backend.identity.session_control import SessionControl
from backend.identity.sessions import Sessions

__all__ = ["IdentityDeps", "IdentityService"]


class IdentityService:
    """Identity operations in one request's database session (the caller commits)."""

    def __init__(self, db: AsyncSession, deps: IdentityDeps) -> None:
        store = Sessions(db, deps.redis, lifetime=timedelta(days=deps.session_lifetime_days))
        self.access = Access(db, deps, store)
        self.logins = Logins(db, deps, self.access)
        self.sessions = SessionControl(db, deps, store, self.access)
        self.people = People(db, deps)
        self.clients = ClientAdmin(db)
