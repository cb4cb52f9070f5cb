"""Payment queries and mutations: payOrder, myPayments, order, myReceipts, refund."""

from __future__ import annotations

from typing import Annotated, Any

import strawberry

from backend.errors import CommonErrorCode, DomainError
from backend.graphql import permissions
from backend.graphql.context import Info
from backend.graphql.pagination import check_page_size
from backend.graphql.payments.types import (
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
    WechatPayParameters,
)
from backend.graphql.pipeline import caller, mutate, mutation
from backend.identity.models import Role, SubjectType
from payments import orders as po
from payments import paying
from payments import receipts as pr
from payments.money import MAX_YUAN_TEXT, to_fen, yuan
from payments.refunds import Refunds

SCOPE = "payments"


PAYER_OR_FINANCE = permissions.AnyOf(permissions.IsCitizen(SCOPE), permissions.HasRole(Role.FINANCE, Role.ADMIN))


async def _order_for(info: Info, order_id: str) -> po.Order | None:
    """An order the caller (admitted by PAYER_OR_FINANCE) may see: their own, or any for finance."""
    principal = permissions.caller(info)
    order = await po.get_order(info.context.session, order_id)
    if order is None:
        return None
    if principal.subject_type is SubjectType.CITIZEN:
        return order if order.citizen_id == principal.subject_id else None
    return order


@strawberry.type
class PaymentQuery:
    @permissions.field("Your payment orders, newest first.", permission=permissions.IsCitizen(SCOPE))
    async def my_payments(self, info: Info, first: int, offset: int = 0) -> OrderPage:
        principal = permissions.caller(info)
        await info.context.catalog_snapshot()
        size = check_page_size(first, info.context.settings.max_page_size)
        items, total = await po.orders_of(info.context.session, principal.subject_id, limit=size, offset=max(offset, 0))
        return OrderPage(items=[Order.build(x, info) for x in items], total_count=total)

    @permissions.field(
        "One order with its lines, status and receipts (yours; finance sees all).", permission=PAYER_OR_FINANCE
    )
    async def order(self, info: Info, id: strawberry.ID) -> Order | None:
        await info.context.catalog_snapshot()
        found = await _order_for(info, str(id))
        return Order.build(found, info) if found else None

    @permissions.field("Your fiscal e-receipts, newest first.", permission=permissions.IsCitizen(SCOPE))
    async def my_receipts(self, info: Info, first: int, offset: int = 0) -> list[Receipt]:
        principal = permissions.caller(info)
        size = check_page_size(first, info.context.settings.max_page_size)
        found = await pr.receipts_of_citizen(
            info.context.session, principal.subject_id, limit=size, offset=max(offset, 0)
        )
        return [Receipt.build(r, info, principal.subject_id) for r in found]


def _client_ip(info: Info) -> str | None:
    """The caller's address: WeChat Pay H5 names the buyer's browser (scene_info.payer_client_ip)."""
    return info.context.meta.ip


@strawberry.type
class PaymentMutation:
    @mutation(
        "Start paying an order; the same idempotencyKey always returns the first answer.",
        permission=permissions.IsCitizen(SCOPE),
    )
    async def pay_order(
        self,
        info: Info,
        order_id: strawberry.ID,
        idempotency_key: str,
        channel: PaymentChannel = PaymentChannel.ALIPAY,
        method: PaymentMethod = PaymentMethod.APP,
        payer_openid: Annotated[
            str | None,
            strawberry.argument(
                description=(
                    "WeChat Pay JSAPI only: the payer's openid in the platform's mini-program or official "
                    f"account (wx.login, then the platform's exchange); at most {paying.OPENID_MAX_LENGTH} "
                    "characters. The platform keeps no WeChat identity of its own; other methods ignore it."
                )
            ),
        ] = None,
    ) -> PayOrderPayload:
        citizen = caller(info).subject_id
        await info.context.catalog_snapshot()
        resources = info.context.resources
        launched, errors = await mutate(
            info,
            lambda: paying.pay(
                resources.sessions,
                resources.payments,
                str(order_id),
                citizen,
                method.value,
                idempotency_key,
                channel.value,
                payer_openid=payer_openid[: paying.OPENID_MAX_LENGTH + 1] if payer_openid else None,
                client_ip=_client_ip(info),
            ),
            transaction=False,  # the channel is asked between two short transactions of its own
        )
        if launched is None:
            return PayOrderPayload(order=None, launch=None, errors=errors)
        order, launch = launched
        return PayOrderPayload(
            order=Order.build(order, info),
            launch=PaymentLaunch(
                method=PaymentMethod(launch.method),
                order_string=launch.order_string,
                pay_url=launch.pay_url,
                qr_code=launch.qr_code,
                wechat=WechatPayParameters.build(launch.app_parameters),
            ),
            errors=[],
        )

    @mutation(
        "Refund (part of) one department's share (finance staff, or that department's officers).",
        permission=permissions.HasRole(Role.FINANCE, Role.OFFICER),
    )
    async def refund(self, info: Info, input: RefundInput) -> RefundPayload:
        staff = caller(info)
        # Finance refunds any department's share; an officer their own departments' only.
        departments = (
            None
            if staff.has_role(Role.FINANCE)
            else frozenset(g.department_code for g in staff.roles if g.role is Role.OFFICER)
        )
        await info.context.catalog_snapshot()
        refunds = Refunds(info.context.resources.sessions, info.context.resources.payments)

        async def work() -> Any:
            try:
                amount = to_fen(input.amount) if input.amount is not None else None
            except ValueError:
                amount = 0
            if amount is not None and amount <= 0:
                raise DomainError(CommonErrorCode.INVALID_MONEY, field="amount", max=MAX_YUAN_TEXT)
            return await refunds.refund(
                str(input.order_id),
                input.department_code,
                amount,
                input.reason,
                staff.subject_id,
                input.idempotency_key,
                departments=departments,
            )

        refund, errors = await mutate(info, work, transaction=False)
        if refund is None:
            return RefundPayload(refund=None, order=None, errors=errors)
        order = await po.get_order(info.context.session, refund.order_id)
        result = RefundResult(
            id=strawberry.ID(refund.id),
            out_request_no=refund.out_request_no,
            department_code=refund.department_code,
            amount=yuan(refund.amount_fen),
            reversal=Receipt.build(refund.receipt, info) if refund.receipt else None,
        )
        return RefundPayload(refund=result, order=Order.build(order, info) if order else None, errors=[])
