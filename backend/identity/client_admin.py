"""Platform admins registering mini-programs and other OAuth clients, every change audited."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from backend.identity import audit, clients
from backend.identity.audit import AuditAction
from backend.identity.models import Client, RequestMeta


class ClientAdmin:
    """OAuth client registrations in one request's database session (the caller commits)."""

    def __init__(self, db: AsyncSession) -> None:
        self._db = db

    async def register(
        self,
        admin_id: str,
        *,
        name: str,
        redirect_uris: list[str],
        scopes: list[str],
        confidential: bool,
        meta: RequestMeta,
        sandbox: bool = False,
    ) -> tuple[Client, str | None]:
        """A new client and its secret (shown once; None for a public client)."""
        client, secret = await clients.create_client(
            self._db, name=name, redirect_uris=redirect_uris, scopes=scopes, confidential=confidential, sandbox=sandbox
        )
        await self._audit(AuditAction.CLIENT_CREATED, admin_id, client.client_id, meta)
        return client, secret

    async def rotate_secret(self, admin_id: str, client_id: str, meta: RequestMeta) -> str:
        """A new secret for a confidential client; the old one stops working at once."""
        secret = await clients.rotate_secret(self._db, client_id)
        await self._audit(AuditAction.CLIENT_SECRET_ROTATED, admin_id, client_id, meta)
        return secret

    async def _audit(self, action: AuditAction, admin_id: str, client_id: str, meta: RequestMeta) -> None:
        await audit.record(self._db, action, actor_type="staff", actor_id=admin_id, client_id=client_id, meta=meta)
