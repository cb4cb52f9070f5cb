"""What the application services of one unit of work share, passed to each explicitly."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from backend import clock
from backend.applications.models import Application
from backend.applications.timeline import CaseFinished, Timeline
from backend.applications.workdays import WorkCalendar
from backend.catalog.snapshot import CatalogSnapshot
from backend.certificates.numbers import NumberRegistry
from backend.certificates.service import CertificateStore
from backend.i18n import Catalogs
from backend.identity.registry import PopulationRegistry
from backend.identity.sms import SmsSender


def _utc_now() -> datetime:
    return clock.now()


@dataclass(frozen=True)
class ApplicationDeps:
    """What the applications domain needs from the process: SMS, messages, the registry, the log key,
    who allocates registries' numbers at issuing, the clock (the time now, aware; tests set a fixed day
    instead of the wall clock's) and the working-day calendar deadlines are counted with."""

    sms: SmsSender
    messages: Catalogs
    registry: PopulationRegistry
    log_key: bytes
    numbers: NumberRegistry
    clock: Callable[[], datetime] = _utc_now
    calendar: WorkCalendar = field(default_factory=WorkCalendar.default)
    payment_days: int = 7  # days to pay an application's fees (settings.order_unpaid_days)
    on_finished: CaseFinished | None = None  # an application finished: made rateable (backend/finished_cases.py)


@dataclass
class Unit:
    """One unit of work: its session, the catalog snapshot it reads and its clock.

    The caller (the mutation pipeline, a command) owns the transaction: the outbox events written in
    it (backend.outbox) are relayed once it commits, and vanish with it when it rolls back.
    """

    session: AsyncSession
    deps: ApplicationDeps
    snapshot: CatalogSnapshot
    now: Callable[[], datetime] = _utc_now
    calendar: WorkCalendar = field(default_factory=WorkCalendar.default)

    @property
    def certificates(self) -> CertificateStore:
        """The certificate store (wallets, issuing, the trust log) on this unit's session."""
        return CertificateStore(self.session, self.deps.log_key)

    @property
    def timeline(self) -> Timeline:
        """The writer of timeline steps, notices and SMS on this unit's session."""
        deps = self.deps
        if deps.on_finished is None:
            return Timeline(self.session, deps.sms, deps.messages)
        return Timeline(self.session, deps.sms, deps.messages, deps.on_finished)

    def name_of(self, application: Application) -> dict[str, str]:
        """The name of an application's matter (or bundle) in every locale."""
        if application.matter_code:
            return self.snapshot.by_code[application.matter_code].name
        bundle = self.snapshot.bundle_by_code.get(application.bundle_code or "")
        return bundle.name if bundle else {}
