"""Payment queries and mutations: payOrder, myPayments, order, myReceipts, refund."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime
from typing import Any, TypeVar

import strawberry
from strawberry.permission import PermissionExtension

from backend.errors import DomainError, ErrorCode
from backend.graphql import permissions
from backend.graphql.context import Info
from backend.graphql.errors import payload_errors, run_steps
from backend.graphql.pagination import check_page_size
from backend.graphql.payments.types import (
    BillReconciliation,
    Order,
    OrderPage,
    PaymentChannel,
    PaymentLaunch,
    PaymentMethod,
    PayOrderPayload,
    Receipt,
    RefundInput,
    RefundPayload,
    RefundResult,
)
from backend.identity.models import Role, SubjectType
from payments import orders as po
from payments import paying
from payments import receipts as pr
from payments.money import MAX_YUAN_TEXT, to_fen, yuan
from payments.refunds import Refunds
from payments.service import PaymentError

SCOPE = "payments"
T = TypeVar("T")


async def domain(work: Callable[[], Awaitable[T]]) -> T:
    """Payment refusals as the API's coded errors."""
    try:
        return await work()
    except PaymentError as error:
        if error.code == "NOT_FOUND":
            raise DomainError(ErrorCode.NOT_FOUND, what=str(error.params.get("what", ""))) from None
        raise DomainError(ErrorCode(error.code), **{k: str(v) for k, v in error.params.items()}) from None


async def _order_for(info: Info, order_id: str) -> po.Order | None:
    """An order the caller may see: their own, or any for finance and admins."""
    principal = permissions.signed_in(info)
    order = await po.get_order(info.context.session, order_id)
    if order is None:
        return None
    if principal.subject_type is SubjectType.CITIZEN:
        permissions.citizen(info, SCOPE)
        return order if order.citizen_id == principal.subject_id else None
    permissions.staff(info, Role.FINANCE, Role.ADMIN)
    return order


@strawberry.type
class PaymentQuery:
    @strawberry.field(
        description="Your payment orders, newest first.",
        extensions=[PermissionExtension([permissions.IsCitizen(SCOPE)])],
    )
    async def my_payments(self, info: Info, first: int = 20, offset: int = 0) -> OrderPage:
        principal = permissions.citizen(info, SCOPE)
        await info.context.catalog_snapshot()
        size = check_page_size(first, info.context.settings.max_page_size)
        items, total = await po.orders_of(info.context.session, principal.subject_id, limit=size, offset=max(offset, 0))
        return OrderPage(items=[Order.build(x, info) for x in items], total_count=total)

    @strawberry.field(description="One order with its lines, status and receipts (yours; finance sees all).")
    async def order(self, info: Info, id: strawberry.ID) -> Order | None:
        await info.context.catalog_snapshot()
        found = await _order_for(info, str(id))
        return Order.build(found, info) if found else None

    @strawberry.field(
        description="Your fiscal e-receipts, newest first.",
        extensions=[PermissionExtension([permissions.IsCitizen(SCOPE)])],
    )
    async def my_receipts(self, info: Info, first: int = 20, offset: int = 0) -> list[Receipt]:
        principal = permissions.citizen(info, SCOPE)
        size = check_page_size(first, info.context.settings.max_page_size)
        found = await pr.receipts_of_citizen(
            info.context.session, principal.subject_id, limit=size, offset=max(offset, 0)
        )
        return [Receipt.build(r, info) for r in found]

    @strawberry.field(description="Compare the channel's bill of a Beijing day with the books now (finance staff).")
    async def bill_reconciliation(self, info: Info, day: date) -> BillReconciliation:
        permissions.staff(info, Role.FINANCE, Role.ADMIN)
        bills = info.context.bills
        report = await domain(lambda: bills.check(day))
        return BillReconciliation.build(report, datetime.now(UTC))

    @strawberry.field(
        description="The daily job's latest comparison of each of the last days it checked, newest first."
    )
    async def bill_checks(self, info: Info, first: int = 30) -> list[BillReconciliation]:
        permissions.staff(info, Role.FINANCE, Role.ADMIN)
        size = check_page_size(first, info.context.settings.max_page_size)
        found = await info.context.bills.history(size)
        return [BillReconciliation.build(report, checked_at) for checked_at, report in found]


@strawberry.type
class PaymentMutation:
    @strawberry.mutation(
        description="Start paying an order; the same idempotencyKey always returns the first answer.",
        extensions=[PermissionExtension([permissions.IsCitizen(SCOPE)])],
    )
    async def pay_order(
        self,
        info: Info,
        order_id: strawberry.ID,
        idempotency_key: str,
        channel: PaymentChannel = PaymentChannel.ALIPAY,
        method: PaymentMethod = PaymentMethod.APP,
    ) -> PayOrderPayload:
        principal = permissions.citizen(info, SCOPE)
        await info.context.catalog_snapshot()
        resources = info.context.resources

        async def work() -> Any:
            return await domain(
                lambda: paying.pay(
                    resources.sessions,
                    resources.payments,
                    str(order_id),
                    principal.subject_id,
                    method.value,
                    idempotency_key,
                )
            )

        result, errors = await run_steps(info, work)
        if result is None:
            return PayOrderPayload(order=None, launch=None, errors=errors)
        order, launch = result
        return PayOrderPayload(
            order=Order.build(order, info),
            launch=PaymentLaunch(
                method=PaymentMethod(launch.method),
                order_string=launch.order_string,
                pay_url=launch.pay_url,
                qr_code=launch.qr_code,
            ),
            errors=[],
        )

    @strawberry.mutation(
        description="Refund (part of) one department's share (finance staff, or that department's officers)."
    )
    async def refund(self, info: Info, input: RefundInput) -> RefundPayload:
        principal = permissions.staff(info, Role.FINANCE, Role.OFFICER)
        if not principal.has_role(Role.FINANCE) and not principal.has_role(Role.OFFICER, input.department_code):
            refused = DomainError(ErrorCode.NOT_YOUR_DEPARTMENT, field="departmentCode")
            errors = payload_errors(refused, info.context.resources.messages, info.context.locale)
            return RefundPayload(refund=None, order=None, errors=errors)
        await info.context.catalog_snapshot()
        refunds = Refunds(info.context.resources.sessions, info.context.resources.payments)

        async def work() -> Any:
            try:
                amount = to_fen(input.amount) if input.amount is not None else None
            except ValueError:
                amount = 0
            if amount is not None and amount <= 0:
                raise DomainError(ErrorCode.INVALID_MONEY, field="amount", max=MAX_YUAN_TEXT)
            return await domain(
                lambda: refunds.refund(
                    str(input.order_id),
                    input.department_code,
                    amount,
                    input.reason,
                    principal.subject_id,
                    input.idempotency_key,
                )
            )

        refund, errors = await run_steps(info, work)
        if refund is None:
            return RefundPayload(refund=None, order=None, errors=errors)
        order = await po.get_order(info.context.session, refund.order_id)
        return RefundPayload(
            refund=RefundResult(
                id=strawberry.ID(refund.id), out_request_no=refund.out_request_no,
                department_code=refund.department_code, amount=yuan(refund.amount_fen),
                reversal=Receipt.build(refund.receipt, info) if refund.receipt else None,
            ),
            order=Order.build(order, info) if order else None,
            errors=[],
        )  # fmt: skip
