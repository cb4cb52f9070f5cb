"""Departments' side: the queue, officers' actions on the state machine, deadlines, and the numbers."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime
from typing import Any

import msgspec
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from backend.applications import decisions
from backend.applications.events import Actor
from backend.applications.forms import MatterSpec
from backend.applications.models import Application, Reason
from backend.applications.progress import APPLICATION_COLUMNS, to_application
from backend.applications.service import ApplicationService
from backend.applications.states import FINAL, NEEDS_REASON, TRANSITIONS, Action, Status
from backend.applications.workdays import shanghai_date
from backend.catalog.service import CatalogService
from backend.catalog.snapshot import CatalogSnapshot
from backend.db import tables as t
from backend.db.engine import execute
from backend.errors import DomainError, ErrorCode, NotFoundError

OPEN = [s.value for s in (Status.SUBMITTED, Status.ACCEPTED, Status.SUPPLEMENT_REQUESTED, Status.APPROVED)]


class Officer(msgspec.Struct, frozen=True):
    """The staff member acting, and the departments they may act for (None: every department, an admin)."""

    id: str
    name: str
    departments: frozenset[str] | None


class Processing(ApplicationService):
    """What officers do; built on the same session and events as the citizen's side."""

    async def queue(
        self, departments: frozenset[str] | None, *, status: str | None, first: int, offset: int
    ) -> tuple[list[Application], int]:
        """A department's items, oldest deadline first, and how many match."""
        where = [t.applications.c.kind == "matter"]
        if departments is not None:
            where.append(t.applications.c.department_code.in_(departments))
        where.append(t.applications.c.status == status if status else t.applications.c.status.in_(OPEN))
        rows = await execute(
            self._session,
            select(*APPLICATION_COLUMNS)
            .where(*where)
            .order_by(t.applications.c.deadline, t.applications.c.submitted_at, t.applications.c.id)
            .limit(first)
            .offset(offset),
        )
        total = (
            await execute(self._session, select(func.count()).select_from(t.applications).where(*where))
        ).scalar_one()
        return [to_application(r) for r in rows], total

    async def act(
        self, officer: Officer, application_id: str, action: Action, reason: Reason | None, *, version: int | None
    ) -> Application:
        """Move an item along the state machine, or refuse with INVALID_TRANSITION; recorded on the timeline."""
        application = await self.get(application_id)
        if application is None or application.kind != "matter":
            raise NotFoundError(application_id, field="applicationId")
        if officer.departments is not None and application.department_code not in officer.departments:
            raise DomainError(ErrorCode.NOT_YOUR_DEPARTMENT, field="applicationId")
        allowed, target = TRANSITIONS[action]
        has_outputs = bool(self._snapshot.by_code[application.matter_code or ""].outputs)
        if application.status not in allowed or (action is Action.ISSUE and not has_outputs):
            raise DomainError(
                ErrorCode.INVALID_TRANSITION, field="action", status=application.status, action=action.value
            )
        if action in NEEDS_REASON and (reason is None or not reason.text.strip()):
            raise DomainError(ErrorCode.REASON_REQUIRED, field="reason")
        if version is not None and version != application.version:
            raise DomainError(ErrorCode.STALE_APPLICATION, field="version")
        now = self._now()
        decided = action in (Action.APPROVE, Action.REJECT)
        values: dict[str, Any] = {"status": target.value, "updated_at": now, "version": application.version + 1}
        if decided:
            values["decided_at"] = now
        await self.update_versioned(application, values, field="version")
        row = msgspec.structs.asdict(application) | values
        reason_record = msgspec.to_builtins(reason) if reason else None
        if decided:
            await decisions.log_decision(
                self, application.id, target.value, {"officer": officer.id, "reason": reason_record}
            )
        phone = await self.phone_of(application.citizen_id)
        name = self._snapshot.by_code[application.matter_code or ""].name
        await self.events.record(
            application=row, action=action, actor=Actor("staff", officer.id, officer.name),
            from_status=application.status, to_status=target.value, matter_name=name,
            phone=phone if not (action is Action.APPROVE and has_outputs) else None, reason=reason_record,
        )  # fmt: skip
        if action is Action.ISSUE:
            await self._issue(application, row)
        if action is Action.REJECT and application.parent_id is None:
            await self.close_unpaid_order(application.id)
        if application.parent_id:
            await self.refresh_bundle(application.parent_id)
        updated = await self.get(application.id)
        assert updated is not None
        return updated

    async def _issue(self, application: Application, row: dict[str, Any]) -> None:
        details = (await CatalogService(self._session).matter_details([application.matter_code or ""]))[0]
        assert details is not None
        spec = MatterSpec(self._snapshot.by_code[application.matter_code or ""], details)
        profile, _ = await self.profile(application.citizen_id)
        certificates = await self.certificates.holder_certificates(profile.id_number, shanghai_date(self._now()))
        await decisions.issue_outputs(self, spec, row, profile, certificates, shanghai_date(self._now()))


async def overdue(session: AsyncSession, snapshot: CatalogSnapshot, now: datetime) -> dict[str, list[Application]]:
    """Open items past their deadline on `now`'s China date, per department."""
    today = shanghai_date(now)
    rows = await execute(
        session,
        select(*APPLICATION_COLUMNS)
        .where(t.applications.c.kind == "matter", t.applications.c.status.in_(OPEN), t.applications.c.deadline < today)
        .order_by(t.applications.c.department_code, t.applications.c.deadline),
    )
    found: dict[str, list[Application]] = defaultdict(list)
    for row in rows:
        application = to_application(row)
        matter = snapshot.by_code.get(application.matter_code or "")
        if application.status == Status.APPROVED and not (matter and matter.outputs):
            continue  # an approval without a certificate to issue is final
        found[application.department_code or ""].append(application)
    return dict(found)


class DepartmentStats(msgspec.Struct, frozen=True, kw_only=True):
    """What a department's (or the city's) applications saved citizens."""

    department_code: str | None
    applications: int
    decided: int
    instantly_approved: int
    overdue: int
    fields_total: int
    fields_prefilled: int
    materials_replaced: int
    trips_saved: int
    median_hours_to_decision: float | None


async def stats(service: ApplicationService, today: date) -> list[DepartmentStats]:
    """Per department and for the whole city (department_code None), over every matter application."""
    rows = (
        await execute(
            service.session,
            select(
                t.applications.c.department_code, t.applications.c.status, t.applications.c.fields_total,
                t.applications.c.fields_prefilled, t.applications.c.materials_replaced, t.applications.c.max_trips,
                t.applications.c.trips_needed, t.applications.c.submitted_at, t.applications.c.decided_at,
                t.applications.c.deadline, t.applications.c.id,
            ).where(t.applications.c.kind == "matter")
        )
    ).all()  # fmt: skip
    instant = {
        r.application_id
        for r in await execute(
            service.session,
            select(t.application_events.c.application_id).where(t.application_events.c.action == Action.AUTO_APPROVE),
        )
    }
    groups: dict[str | None, list[Any]] = defaultdict(list)
    for row in rows:
        groups[row.department_code].append(row)
        groups[None].append(row)
    result = []
    for department, items in sorted(groups.items(), key=lambda kv: (kv[0] is not None, kv[0] or "")):
        hours = sorted((r.decided_at - r.submitted_at).total_seconds() / 3600 for r in items if r.decided_at)
        result.append(
            DepartmentStats(
                department_code=department, applications=len(items), decided=len(hours),
                instantly_approved=sum(1 for r in items if r.id in instant),
                overdue=sum(1 for r in items if r.status not in FINAL and r.deadline and r.deadline < today
                            and r.decided_at is None),
                fields_total=sum(r.fields_total for r in items),
                fields_prefilled=sum(r.fields_prefilled for r in items),
                materials_replaced=sum(r.materials_replaced for r in items),
                trips_saved=sum(max(r.max_trips - r.trips_needed, 0) for r in items),
                median_hours_to_decision=round(hours[len(hours) // 2], 4) if hours else None,
            )
        )  # fmt: skip
    return result
