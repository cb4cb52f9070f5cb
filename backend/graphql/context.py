"""The per-request context: caller's locale, one lazily opened database session, the loaders."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from functools import cached_property
from typing import TYPE_CHECKING, Any

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from backend.catalog.service import CatalogService
from backend.catalog.snapshot import CatalogSnapshot
from backend.db.engine import close_session
from backend.graphql.loaders import ApplicationLoaders, CatalogLoaders, PaymentLoaders
from backend.i18n import Locale
from backend.identity.models import Principal, RequestMeta
from backend.identity.service import IdentityService
from backend.platform import citizen_access
from backend.privacy import Disclosure, disclosure_for
from backend.resources import Resources

if TYPE_CHECKING:
    from backend.applications.services import Applications
    from backend.graphql.metering import Meter
    from payments.reconciliation.runs import Reconciliation
    from payments.service import Payments


class Context:
    """Everything a resolver may use during one request. Built per request, never shared."""

    def __init__(
        self,
        resources: Resources,
        locale: Locale,
        request_id: str,
        principal: Principal | None = None,
        meta: RequestMeta | None = None,
    ) -> None:
        self.resources = resources
        self.settings = resources.settings
        self.locale = locale
        self.request_id = request_id
        self.principal = principal
        self.meta = meta or RequestMeta()
        self._session: AsyncSession | None = None
        self._snapshot: CatalogSnapshot | None = None
        self._applications: Applications | None = None
        self._application_loaders: ApplicationLoaders | None = None
        self._finalizers: list[Callable[[], Awaitable[None]]] = []
        # Set by a subscription's resolver once its source listens (the WebSocket handler waits for it).
        self.live = asyncio.Event()
        self._disclosure: tuple[Principal | None, Disclosure] | None = None
        # The HTTP request's query cost meter (backend.graphql.metering); None on the WebSocket.
        self.cost: Meter | None = None
        # Scopes whose fields admitted this request (backend.graphql.permissions): with the personal
        # data the disclosure let through, what a mini-program read of the citizen (`myDataAccess`).
        self.scopes_admitted: set[str] = set()

    @property
    def session(self) -> AsyncSession:
        """The request's database session, opened on first use."""
        if self._session is None:
            self._session = self.resources.sessions()
        return self._session

    async def catalog_snapshot(self) -> CatalogSnapshot:
        """The catalog snapshot this request reads; the same one for the whole request."""
        if self._snapshot is None:
            self._snapshot = await self.resources.catalog.get()
        return self._snapshot

    @property
    def snapshot(self) -> CatalogSnapshot:
        """The request's snapshot, for synchronous nested resolvers (a root resolver loaded it)."""
        assert self._snapshot is not None, "a root resolver must await catalog_snapshot() first"
        return self._snapshot

    @property
    def disclosure(self) -> Disclosure:
        """What this request's caller may see of personal data (backend.privacy's rule)."""
        if self._disclosure is None or self._disclosure[0] is not self.principal:
            self._disclosure = (self.principal, disclosure_for(self.principal))
        return self._disclosure[1]

    def note_scope(self, scope: str) -> None:
        """A field needing `scope` was admitted: its data is read (recorded for mini-programs only)."""
        self.scopes_admitted.add(scope)

    async def record_reads(self) -> None:
        """Write which scopes' data this operation read, for the citizen's record of a mini-program's
        use (nothing for the platform's own app or staff). Once per answer, in its own transaction."""
        if not citizen_access.recorded(self.principal):
            return
        opened = self._disclosure[1].opened if self._disclosure is not None else None
        scopes = self.scopes_admitted | {kind.value for kind in opened or ()}
        await citizen_access.record_reads(self.resources.sessions, self.principal, scopes)

    @cached_property
    def catalog(self) -> CatalogService:
        """The catalog's database reads on this request's session."""
        return CatalogService(self.session)

    @cached_property
    def identity(self) -> IdentityService:
        """The identity service on this request's session."""
        return IdentityService(self.session, self.resources.identity)

    @cached_property
    def payments(self) -> Payments:
        """The payment service on this request's session."""
        from payments.service import Payments

        return Payments(self.session, self.resources.payments)

    @cached_property
    def reconciliation(self) -> Reconciliation:
        """The channels' bills reconciled with the books, on this request's session."""
        from payments.reconciliation.runs import Reconciliation

        return Reconciliation(self.session, self.resources.payments)

    @cached_property
    def loaders(self) -> CatalogLoaders:
        """DataLoaders for this request only (they cache per request)."""
        return CatalogLoaders(self.catalog)

    @cached_property
    def payment_loaders(self) -> PaymentLoaders:
        """DataLoaders of what orders show, for this request only."""
        return PaymentLoaders(self.session)

    async def application_loaders(self) -> ApplicationLoaders:
        """DataLoaders of what applications show, for this request only."""
        if self._application_loaders is None:
            self._application_loaders = ApplicationLoaders(await self.applications(), self.session)
        return self._application_loaders

    async def applications(self) -> Applications:
        """The applications services on this request's session and catalog snapshot."""
        if self._applications is None:
            from backend.applications.services import Applications
            from backend.applications.unit import Unit

            snapshot = await self.catalog_snapshot()
            deps = self.resources.applications
            unit = Unit(self.session, deps, snapshot, now=deps.clock, calendar=deps.calendar)
            self._applications = Applications(unit)
        return self._applications

    def gettext(self, msgid: str, **params: Any) -> str:
        """A message in the caller's locale."""
        return self.resources.messages.gettext(self.locale, msgid, **params)

    def forget_loaded(self) -> None:
        """Drop what the DataLoaders cached: a mutation just changed it (the next read asks again)."""
        self._application_loaders = None
        self.__dict__.pop("payment_loaders", None)

    async def reset(self) -> None:
        """Start afresh for the next event of a long-lived subscription (new session, newest catalog)."""
        await self.close()
        self._snapshot = None
        self._applications = None
        self._application_loaders = None
        for name in _PER_SESSION:  # every service and loader built on the closed session
            self.__dict__.pop(name, None)

    def on_finish(self, finalizer: Callable[[], Awaitable[None]]) -> None:
        """Run `finalizer` when the operation ends (a subscription's Redis connection, say)."""
        self._finalizers.append(finalizer)

    async def finish(self) -> None:
        """End the operation: run the finalizers once, then release the session."""
        while self._finalizers:
            await self._finalizers.pop()()
        await self.close()

    async def end_transaction(self) -> None:
        """End the session's transaction and give its connection back (the session stays usable)."""
        if self._session is not None:
            await close_session(self._session)

    async def close(self) -> None:
        """Release the session (a read-only request never committed anything)."""
        if self._session is not None:
            await close_session(self._session)
            self._session = None


Info = strawberry.Info[Context, None]


# The context's cached properties: each is built on the request's session, so a reset drops them all.
_PER_SESSION = tuple(name for name, value in vars(Context).items() if isinstance(value, cached_property))
