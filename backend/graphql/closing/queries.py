"""Resolving breaks, closing a day, clearing to departments (issue 18): what finance reads."""

from __future__ import annotations

from datetime import date

import strawberry

from backend.errors import CommonErrorCode, DomainError
from backend.graphql import permissions
from backend.graphql.closing.types import (
    ClearingInstruction,
    ClosedDay,
    DayVerification,
    DepartmentDayTotals,
    FinanceAuditEntry,
    FinanceAuditPage,
)
from backend.graphql.context import Info
from backend.graphql.pagination import check_page_size
from backend.identity.models import Role
from backend.identity.staff import names_of
from payments.closing import audit, clearing, days, totals

FINANCE = permissions.HasRole(Role.FINANCE, Role.ADMIN)
FINANCE_OR_OFFICER = permissions.HasRole(Role.FINANCE, Role.ADMIN, Role.OFFICER)


def channels(info: Info) -> list[str]:
    """The channels this platform takes payments through (each one's bill is reconciled daily)."""
    return sorted(info.context.resources.payments.channels)


def own_departments(info: Info) -> frozenset[str] | None:
    """The departments the caller may read: None for finance (all), an officer's own otherwise."""
    staff = permissions.caller(info)
    if staff.has_role(Role.FINANCE) or staff.has_role(Role.ADMIN):
        return None
    return frozenset(g.department_code for g in staff.roles if g.role is Role.OFFICER and g.department_code)


@strawberry.type
class ClosingQuery:
    @permissions.field(
        "Finance's acts (resolutions, approvals, closings, clearing) in the order they happened, of a day or all.",
        permission=FINANCE,
    )
    async def finance_audit(
        self, info: Info, first: int, day: date | None = None, after: str | None = None
    ) -> FinanceAuditPage:
        size = check_page_size(first, info.context.settings.max_page_size)
        try:
            position = int(after) if after else None
        except ValueError:
            raise DomainError(CommonErrorCode.INVALID_CURSOR, field="after") from None
        found = await audit.entries(info.context.session, day, limit=size + 1, after=position)
        names = await names_of(info.context.session, {x.actor for x in found[:size]})
        items = [FinanceAuditEntry.build(x, info, names) for x in found[:size]]
        return FinanceAuditPage(
            items=items, end_cursor=items[-1].cursor if items else None, has_next_page=len(found) > size
        )

    @permissions.field("A closed day's signed record (null while the day is open).", permission=FINANCE)
    async def closed_day(self, info: Info, day: date) -> ClosedDay | None:
        found = await days.get_closed_day(info.context.session, day)
        return ClosedDay.build(found, info) if found else None

    @permissions.field(
        "Compute a closed day's record again from the database and check its hash and signature.",
        permission=FINANCE,
    )
    async def verify_closed_day(self, info: Info, day: date) -> DayVerification:
        secret = info.context.resources.identity.master_secret
        return DayVerification.build(await days.verify_day(info.context.session, day, secret), info)

    @permissions.field(
        "Per department, a day's four totals (the channels' bill, the books, the receipts, the clearing) and "
        "every difference explained (finance; an officer their own departments').",
        permission=FINANCE_OR_OFFICER,
    )
    async def department_day_totals(
        self, info: Info, day: date, department_code: str | None = None
    ) -> list[DepartmentDayTotals]:
        await info.context.catalog_snapshot()
        allowed = own_departments(info)
        if department_code is not None:
            if allowed is not None and department_code not in allowed:
                raise DomainError(CommonErrorCode.NOT_YOUR_DEPARTMENT, field="departmentCode")
            allowed = frozenset({department_code})
        found = await totals.department_totals(info.context.session, day, channels(info), allowed)
        return [DepartmentDayTotals.build(x, info) for x in found]

    @permissions.field(
        "A day's clearing instructions (of one department, if given), by department and fee item.",
        permission=FINANCE_OR_OFFICER,
    )
    async def clearing_instructions(
        self, info: Info, day: date, department_code: str | None = None
    ) -> list[ClearingInstruction]:
        await info.context.catalog_snapshot()
        allowed = own_departments(info)
        if allowed is not None and (department_code is None or department_code not in allowed):
            raise DomainError(CommonErrorCode.NOT_YOUR_DEPARTMENT, field="departmentCode")
        found = await clearing.instructions(info.context.session, day, department_code)
        return [ClearingInstruction.build(x, info) for x in found]
