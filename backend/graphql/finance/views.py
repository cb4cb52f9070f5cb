"""Finance staff's views: payments and refunds found and listed, ledger balances in words (issue 18)."""

from __future__ import annotations

import strawberry

from backend.application_references import PlatformReferences
from backend.exports.registry import check_department
from backend.graphql import permissions
from backend.graphql.context import Info
from backend.graphql.finance.types import (
    FinancePayment,
    FinancePaymentFilter,
    FinancePaymentPage,
    FinanceRefund,
    FinanceRefundFilter,
    FinanceRefundPage,
    LedgerBalance,
)
from backend.graphql.pagination import PageInfo, check_page_size, time_position
from backend.identity.models import Role
from payments.finance.balances import account_balances, explained_balances
from payments.finance.days import check_days
from payments.finance.refund_search import find_refunds, refund_views
from payments.finance.rows import payment_views
from payments.finance.search import find_orders

FINANCE = permissions.HasRole(Role.FINANCE, Role.ADMIN)
DEFAULT_PAGE = 20


def _page_info(items: list[FinancePayment] | list[FinanceRefund], more: bool, after: str | None) -> PageInfo:
    return PageInfo(
        has_next_page=more,
        has_previous_page=after is not None,
        start_cursor=items[0].cursor if items else None,
        end_cursor=items[-1].cursor if items else None,
    )


@strawberry.type
class FinanceQuery:
    @permissions.field(
        "Payments found by day, department, channel, state, amount, trade number (ours or the channel's), order or "
        "application reference; newest first (finance staff). Payers are masked.",
        permission=FINANCE,
    )
    async def finance_payments(
        self,
        info: Info,
        filter: FinancePaymentFilter | None = None,
        first: int = DEFAULT_PAGE,
        after: str | None = None,
    ) -> FinancePaymentPage:
        size = check_page_size(first, info.context.settings.max_page_size)
        wanted = (filter or FinancePaymentFilter()).domain()
        check_days(wanted.day_from, wanted.day_to)
        session, deps, references = info.context.session, info.context.resources.payments, PlatformReferences()
        await check_department(session, deps.parties, wanted.department_code)
        found, total, more = await find_orders(session, wanted, references, size, time_position(after))
        views = await payment_views(session, deps.parties, references, found)
        items = [FinancePayment.build(view, info) for view in views]
        return FinancePaymentPage(items=items, total_count=total, page_info=_page_info(items, more, after))

    @permissions.field(
        "Refunds found by day asked for, department, channel, state, amount, trade or refund number, order or "
        "application reference; newest first (finance staff). Payers are masked.",
        permission=FINANCE,
    )
    async def finance_refunds(
        self, info: Info, filter: FinanceRefundFilter | None = None, first: int = DEFAULT_PAGE, after: str | None = None
    ) -> FinanceRefundPage:
        size = check_page_size(first, info.context.settings.max_page_size)
        wanted = (filter or FinanceRefundFilter()).domain()
        check_days(wanted.day_from, wanted.day_to)
        session, deps, references = info.context.session, info.context.resources.payments, PlatformReferences()
        await check_department(session, deps.parties, wanted.department_code)
        found, total, more = await find_refunds(session, wanted, references, size, time_position(after))
        views = await refund_views(session, deps.parties, references, found)
        items = [FinanceRefund.build(view, info) for view in views]
        return FinanceRefundPage(items=items, total_count=total, page_info=_page_info(items, more, after))

    @permissions.field(
        "Every ledger account's balance, and what it means in words (owed to a department, held by a channel...).",
        permission=FINANCE,
    )
    async def ledger_balances(self, info: Info) -> list[LedgerBalance]:
        session = info.context.session
        balances = await account_balances(session)
        lines = await explained_balances(session, info.context.resources.payments.parties, balances)
        return [LedgerBalance.build(line, info) for line in lines]
