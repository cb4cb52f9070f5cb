"""GraphQL types of the finance views: payments and refunds as finance staff see them, ledger balances
in words. Amounts are yuan ("20.00"); times are Beijing time (+08:00); payers are masked."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import Enum

import strawberry

from backend.errors import CommonErrorCode, DomainError
from backend.graphql.context import Info
from backend.graphql.pagination import PageInfo, time_cursor
from backend.graphql.payments.types import PaymentChannel
from backend.i18n import Msgid, pick
from payments.finance import balances as fb
from payments.finance.refund_search import RefundFilter, RefundView
from payments.finance.rows import DepartmentShare, PaymentView, ReceiptNumber
from payments.finance.search import PaymentFilter
from payments.money import MAX_YUAN_TEXT, to_fen, yuan


@strawberry.enum(description="A payment's state to search by.")
class FinancePaymentStatus(Enum):
    OPEN = "open"
    PAID = "paid"
    PARTLY_REFUNDED = "partly_refunded"
    REFUNDED = "refunded"
    CLOSED = "closed"


@strawberry.enum(description="A refund's state to search by.")
class FinanceRefundStatus(Enum):
    PENDING = "pending"  # asked of the channel, not yet confirmed
    DONE = "done"


def _fen(amount: Decimal | None, field: str) -> int | None:
    if amount is None:
        return None
    try:
        fen = to_fen(amount)
    except ValueError:
        fen = -1
    if fen < 0:
        raise DomainError(CommonErrorCode.INVALID_MONEY, field=field, max=MAX_YUAN_TEXT)
    return fen


@strawberry.input(description="What to find payments by; every part optional, all given parts must hold.")
class FinancePaymentFilter:
    day_from: date | None = strawberry.field(default=None, description="First Beijing day of payment.")
    day_to: date | None = strawberry.field(default=None, description="Last Beijing day of payment (inclusive).")
    department_code: str | None = None
    channel: PaymentChannel | None = None
    status: FinancePaymentStatus | None = None
    min_amount: Decimal | None = strawberry.field(default=None, description="Yuan, the order's total at least.")
    max_amount: Decimal | None = strawberry.field(default=None, description="Yuan, the order's total at most.")
    trade_no: str | None = strawberry.field(
        default=None,
        description="Our order number (outTradeNo) or the channel's trade number, as the citizen quotes it.",
    )
    order_id: strawberry.ID | None = None
    reference: str | None = strawberry.field(default=None, description="The application's reference number.")

    def domain(self) -> PaymentFilter:
        """As the domain searches it."""
        return PaymentFilter(
            day_from=self.day_from,
            day_to=self.day_to,
            department_code=self.department_code,
            channel=self.channel.value if self.channel else None,
            status=self.status.value if self.status else None,
            min_fen=_fen(self.min_amount, "minAmount"),
            max_fen=_fen(self.max_amount, "maxAmount"),
            trade_no=self.trade_no,
            order_id=str(self.order_id) if self.order_id else None,
            reference=self.reference,
        )


@strawberry.input(description="What to find refunds by; every part optional, all given parts must hold.")
class FinanceRefundFilter:
    day_from: date | None = strawberry.field(default=None, description="First Beijing day the refund was asked for.")
    day_to: date | None = strawberry.field(default=None, description="Last Beijing day (inclusive).")
    department_code: str | None = None
    channel: PaymentChannel | None = None
    status: FinanceRefundStatus | None = None
    min_amount: Decimal | None = None
    max_amount: Decimal | None = None
    trade_no: str | None = strawberry.field(
        default=None, description="The order's number (ours or the channel's) or the refund's request number."
    )
    order_id: strawberry.ID | None = None
    reference: str | None = strawberry.field(default=None, description="The application's reference number.")

    def domain(self) -> RefundFilter:
        """As the domain searches it."""
        return RefundFilter(
            day_from=self.day_from,
            day_to=self.day_to,
            department_code=self.department_code,
            channel=self.channel.value if self.channel else None,
            status=self.status.value if self.status else None,
            min_fen=_fen(self.min_amount, "minAmount"),
            max_fen=_fen(self.max_amount, "maxAmount"),
            trade_no=self.trade_no,
            order_id=str(self.order_id) if self.order_id else None,
            reference=self.reference,
        )


def _said(info: Info, label: Msgid | None) -> str | None:
    return info.context.gettext(label) if label is not None else None


@strawberry.type(description="One department's part of a payment.")
class FinanceDepartmentShare:
    code: str
    name: str = strawberry.field(description="The department's name in the caller's language.")
    amount: Decimal
    refunded: Decimal

    @staticmethod
    def build(share: DepartmentShare, info: Info) -> FinanceDepartmentShare:
        return FinanceDepartmentShare(
            code=share.code,
            name=pick(share.name, info.context.locale),
            amount=yuan(share.amount_fen),
            refunded=yuan(share.refunded_fen),
        )


@strawberry.type(description="A fiscal receipt's numbers, as finance quotes them.")
class FinanceReceiptNumber:
    department_code: str
    bill_code: str = strawberry.field(description="票据代码.")
    bill_number: str = strawberry.field(description="票据号码.")
    red: bool = strawberry.field(description="A red-letter reversal (冲红) of a refund.")

    @staticmethod
    def build(number: ReceiptNumber) -> FinanceReceiptNumber:
        return FinanceReceiptNumber(
            department_code=number.department_code,
            bill_code=number.bill_code,
            bill_number=number.bill_number,
            red=number.red,
        )


@strawberry.type(description="A payment as finance staff see it: times in Beijing, the payer masked.")
class FinancePayment:
    order_id: strawberry.ID
    out_trade_no: str = strawberry.field(description="Our order number, sent to the channel.")
    channel: str | None = strawberry.field(description="alipay or wechatpay: a code; show channelName.")
    channel_name: str | None = strawberry.field(description="The channel's name in the caller's language.")
    channel_trade_no: str | None
    subject: str
    total: Decimal
    refunded: Decimal
    status: str = strawberry.field(description="open, paid, refunded or closed: a code; show statusLabel.")
    status_label: str
    departments: list[FinanceDepartmentShare]
    payer: str | None = strawberry.field(description="The payer's name, masked (李**).")
    reference: str | None = strawberry.field(description="The application's reference number.")
    created_at: datetime = strawberry.field(description="When the order was opened (Beijing time).")
    paid_at: datetime | None = strawberry.field(description="When we credited it (Beijing time).")
    channel_paid_at: datetime | None = strawberry.field(description="The channel's time of payment (Beijing).")
    receipts: list[FinanceReceiptNumber]
    cursor: str

    @staticmethod
    def build(view: PaymentView, info: Info) -> FinancePayment:
        return FinancePayment(
            order_id=strawberry.ID(view.order_id),
            out_trade_no=view.out_trade_no,
            channel=view.channel,
            channel_name=_said(info, view.channel_label),
            channel_trade_no=view.channel_trade_no,
            subject=view.subject,
            total=yuan(view.total_fen),
            refunded=yuan(view.refunded_fen),
            status=view.status,
            status_label=info.context.gettext(view.status_label),
            departments=[FinanceDepartmentShare.build(d, info) for d in view.departments],
            payer=view.payer,
            reference=view.reference,
            created_at=view.created_at,
            paid_at=view.paid_at,
            channel_paid_at=view.channel_paid_at,
            receipts=[FinanceReceiptNumber.build(r) for r in view.receipts],
            cursor=time_cursor(view.moment, view.order_id),
        )


@strawberry.type(description="A refund as finance staff see it: times in Beijing, the payer masked.")
class FinanceRefund:
    id: strawberry.ID
    out_request_no: str = strawberry.field(description="The refund's request number at the channel.")
    order_id: strawberry.ID
    out_trade_no: str
    channel: str | None
    channel_name: str | None
    channel_trade_no: str | None
    department_code: str
    department_name: str
    amount: Decimal
    reason: str
    status: str = strawberry.field(description="pending or done: a code; show statusLabel.")
    status_label: str
    payer: str | None = strawberry.field(description="The payer's name, masked (李**).")
    reference: str | None
    requested_at: datetime = strawberry.field(description="When it was asked for (Beijing time).")
    refunded_at: datetime | None = strawberry.field(
        description="The channel's time of the refund (Beijing); null while pending."
    )
    reversal: FinanceReceiptNumber | None = strawberry.field(description="Its red-letter receipt.")
    cursor: str

    @staticmethod
    def build(view: RefundView, info: Info) -> FinanceRefund:
        return FinanceRefund(
            id=strawberry.ID(view.id),
            out_request_no=view.out_request_no,
            order_id=strawberry.ID(view.order_id),
            out_trade_no=view.out_trade_no,
            channel=view.channel,
            channel_name=_said(info, view.channel_label),
            channel_trade_no=view.channel_trade_no,
            department_code=view.department_code,
            department_name=pick(view.department_name, info.context.locale),
            amount=yuan(view.amount_fen),
            reason=view.reason,
            status=view.status,
            status_label=info.context.gettext(view.status_label),
            payer=view.payer,
            reference=view.reference,
            requested_at=view.requested_at,
            refunded_at=view.refunded_at,
            reversal=FinanceReceiptNumber.build(view.reversal) if view.reversal else None,
            cursor=time_cursor(view.moment, view.id),
        )


@strawberry.type(description="A page of payments, newest first.")
class FinancePaymentPage:
    items: list[FinancePayment]
    total_count: int
    page_info: PageInfo


@strawberry.type(description="A page of refunds, newest first.")
class FinanceRefundPage:
    items: list[FinanceRefund]
    total_count: int
    page_info: PageInfo


@strawberry.type(description="One ledger account's balance, and what it means in words.")
class LedgerBalance:
    account: str = strawberry.field(description="channel:alipay, clearing, dept:<code>, fees:<channel>, suspense.")
    kind: str = strawberry.field(description="asset, liability or expense: a code; show kindLabel.")
    kind_label: str
    balance: Decimal = strawberry.field(description="As the ledger keeps it: debits minus credits (owed is negative).")
    amount: Decimal = strawberry.field(description="The balance as a positive amount (what `meaning` says).")
    side: str = strawberry.field(description="debit, credit or zero: a code; show sideLabel.")
    side_label: str = strawberry.field(description="What the sign means, in words.")
    meaning: str = strawberry.field(description='What the balance is, in words: "Owed to 广州市公安局: 250.00".')
    usual: bool = strawberry.field(description="False when the balance is on the side the account should not have.")

    @staticmethod
    def build(line: fb.BalanceLine, info: Info) -> LedgerBalance:
        return LedgerBalance(
            account=line.account,
            kind=line.kind,
            kind_label=info.context.gettext(line.kind_label),
            balance=yuan(line.balance_fen),
            amount=yuan(line.amount_fen),
            side=line.side,
            side_label=info.context.gettext(line.side_label),
            meaning=fb.said(info.context.resources.messages, info.context.locale, line),
            usual=line.usual,
        )
