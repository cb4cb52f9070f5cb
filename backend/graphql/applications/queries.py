"""Queries: the one form, eligibility, progress, the inbox, queues, numbers."""

from __future__ import annotations

from datetime import UTC, datetime

import msgspec
import strawberry

from backend.applications.states import Status
from backend.applications.stats import stats
from backend.applications.workdays import shanghai_date
from backend.graphql import permissions
from backend.graphql.applications.eligibility import Eligibility, build_conditions
from backend.graphql.applications.forms import ApplicationForm
from backend.graphql.applications.inbox import Notification, NotificationPage
from backend.graphql.applications.officers import OFFICERS, officer_of
from backend.graphql.applications.types import (
    Application,
    ApplicationConnection,
    ApplicationEdge,
    QueuePage,
    ServiceStats,
)
from backend.graphql.context import Info
from backend.graphql.pagination import check_page_size, time_cursor, time_position
from backend.i18n import pick
from backend.identity.models import Role, SubjectType

READ = "applications:read"


@strawberry.type
class ApplicationQuery:
    @permissions.field(
        "The merged, pre-filled form for a matter or a bundle (exactly one of the two codes).",
        permission=permissions.IsCitizen(READ),
    )
    async def application_form(
        self, info: Info, matter_code: str | None = None, bundle_code: str | None = None
    ) -> ApplicationForm:
        principal = permissions.caller(info)
        service = await info.context.applications()
        form = await service.prefill.form(principal.subject_id, matter_code, bundle_code)
        target = f"matter:{matter_code}" if matter_code else f"bundle:{bundle_code}"
        draft = await service.drafts.get(principal.subject_id, target)
        names = {code: kind.name for code, kind in info.context.snapshot.certificate_types.items()}
        return ApplicationForm.build(form, info.context.locale, names, draft.version if draft else None)

    @permissions.field(
        "The matter's instant-approval rule on your data as a dry run (秒批 before applying).",
        permission=permissions.IsCitizen(READ),
    )
    async def check_eligibility(self, info: Info, matter_code: str) -> Eligibility:
        principal = permissions.caller(info)
        service = await info.context.applications()
        decision = await service.approval.eligibility(principal.subject_id, matter_code)
        details = await info.context.loaders.matter_details.load(matter_code)
        assert details is not None
        assert details.auto_approval is not None
        return Eligibility(
            eligible=decision.approved,
            policy=pick(msgspec.to_builtins(details.auto_approval.explain), info.context.locale),
            conditions=build_conditions(info, matter_code, decision.conditions, msgspec.to_builtins(details.form)),
        )

    @permissions.field(
        "Your applications, newest first (a bundle is one application with items).",
        permission=permissions.IsCitizen(READ),
    )
    async def my_applications(self, info: Info, first: int, after: str | None = None) -> ApplicationConnection:
        principal = permissions.caller(info)
        size = check_page_size(first, info.context.settings.max_page_size)
        service = await info.context.applications()
        items, more = await service.reads.mine(principal.subject_id, size, time_position(after))
        edges = [
            ApplicationEdge(cursor=time_cursor(x.submitted_at, x.id), node=Application.build(x, info)) for x in items
        ]
        return ApplicationConnection(edges=edges, has_next_page=more, end_cursor=edges[-1].cursor if edges else None)

    @permissions.field(
        "One application: yours, or your department's if you are an officer.",
        permission=permissions.AnyOf(permissions.IsCitizen(READ), OFFICERS),
    )
    async def application(self, info: Info, id: strawberry.ID) -> Application | None:
        principal = permissions.caller(info)
        service = await info.context.applications()
        found = await service.reads.get(str(id))
        if found is None:
            return None
        if principal.subject_type is SubjectType.CITIZEN:
            if found.citizen_id != principal.subject_id:
                return None  # another citizen's application does not exist for you
            return Application.build(found, info)
        officer = await officer_of(info)
        if officer.departments is not None and found.department_code not in officer.departments:
            items = await service.reads.items(found.id) if found.kind == "bundle" else []
            if not any(i.department_code in officer.departments for i in items):
                return None
        return Application.build(found, info, officer.departments)

    @permissions.field("Your notices, newest first.", permission=permissions.IsCitizen(READ))
    async def my_notifications(
        self, info: Info, first: int, offset: int = 0, unread_only: bool = False
    ) -> NotificationPage:
        principal = permissions.caller(info)
        size = check_page_size(first, info.context.settings.max_page_size)
        service = await info.context.applications()
        items, unread = await service.inbox.notifications(principal.subject_id, size, max(offset, 0), unread_only)
        return NotificationPage(items=[Notification.build(n, info) for n in items], unread_count=unread)

    @permissions.field(
        "Your department's open items, nearest deadline first (officers; admins see all).", permission=OFFICERS
    )
    async def department_queue(
        self,
        info: Info,
        first: int,
        status: Status | None = None,
        offset: int = 0,
    ) -> QueuePage:
        officer = await officer_of(info)
        size = check_page_size(first, info.context.settings.max_page_size)
        service = await info.context.applications()
        items, total = await service.reads.queue(
            officer.departments, status=status.value if status else None, first=size, offset=max(offset, 0)
        )
        return QueuePage(items=[Application.build(x, info, officer.departments) for x in items], total_count=total)

    @permissions.field(
        "Fields pre-filled, materials and trips saved, time to decision (admins: every department).",
        permission=OFFICERS,
    )
    async def city_stats(self, info: Info) -> list[ServiceStats]:
        principal = permissions.caller(info)
        rows = await stats(info.context.session, shanghai_date(datetime.now(UTC)))
        if not principal.has_role(Role.ADMIN):
            mine = {g.department_code for g in principal.roles if g.role is Role.OFFICER}
            rows = [r for r in rows if r.department_code in mine]
        return [ServiceStats(**msgspec.structs.asdict(r)) for r in rows]
