"""GraphQL types of payment orders, launches, receipts and refunds. Amounts are yuan strings ("20.00")."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import Enum
from urllib.parse import urlencode

import strawberry

from backend.graphql.catalog.places import Department
from backend.graphql.context import Info
from backend.graphql.errors import PayloadError
from backend.i18n import pick
from backend.privacy import Personal, mask_name
from backend.receipt_links import may_download, signed_pdf_url
from payments import orders as po
from payments import receipts as pr
from payments.money import yuan


@strawberry.enum(
    description=(
        "How the app launches the payment. Alipay: APP, WAP, QR. WeChat Pay: JSAPI (inside WeChat: a "
        "mini-program or an in-app web page; needs payerOpenid), APP, H5 (a mobile browser), NATIVE (a QR code)."
    )
)
class PaymentMethod(Enum):
    APP = "app"  # Alipay: an order string for its app SDK; WeChat Pay: APP parameters for its SDK
    WAP = "wap"  # Alipay: a URL for a mobile browser
    QR = "qr"  # Alipay: a QR code to scan
    JSAPI = "jsapi"  # WeChat Pay inside WeChat: wx.requestPayment parameters
    H5 = "h5"  # WeChat Pay in a mobile browser: a URL
    NATIVE = "native"  # WeChat Pay: a QR code to scan


@strawberry.enum(description="The payment channel the citizen pays through.")
class PaymentChannel(Enum):
    ALIPAY = "alipay"
    WECHATPAY = "wechatpay"


@strawberry.type(
    description=(
        "What WeChat's client SDK needs to pay (methods JSAPI and APP), signed by the platform. JSAPI: pass "
        "appId, timeStamp, nonceStr, package, signType and paySign to wx.requestPayment. APP: pass appId, "
        "partnerId, prepayId, package, nonceStr, timeStamp and sign to the WeChat SDK's PayReq."
    )
)
class WechatPayParameters:
    app_id: str
    time_stamp: str
    nonce_str: str
    package: str
    sign_type: str | None = strawberry.field(description="RSA (JSAPI only).")
    pay_sign: str | None = strawberry.field(description="The JSAPI signature.")
    partner_id: str | None = strawberry.field(description="The merchant number (APP only).")
    prepay_id: str | None = strawberry.field(description="APP only (JSAPI carries it in package).")
    sign: str | None = strawberry.field(description="The APP signature.")

    @classmethod
    def build(cls, values: dict[str, str] | None) -> WechatPayParameters | None:
        """The launch's parameters under one spelling (WeChat spells JSAPI's and APP's differently)."""
        if not values:
            return None
        return cls(
            app_id=values.get("appId") or values.get("appid", ""),
            time_stamp=values.get("timeStamp") or values.get("timestamp", ""),
            nonce_str=values.get("nonceStr") or values.get("noncestr", ""),
            package=values.get("package", ""),
            sign_type=values.get("signType"),
            pay_sign=values.get("paySign"),
            partner_id=values.get("partnerid"),
            prepay_id=values.get("prepayid"),
            sign=values.get("sign"),
        )


@strawberry.type(description="One fee of an order: which department, which fiscal item, how much.")
class OrderLine:
    item_code: str
    name: str
    amount: Decimal
    refunded: Decimal
    matter_code: str | None
    department_code: strawberry.Private[str]

    @strawberry.field
    def department(self, info: Info) -> Department | None:
        found = info.context.snapshot.departments.get(self.department_code)
        return Department.build(found, info.context.locale) if found else None


@strawberry.type(description="A fiscal e-receipt (财政电子票据), or its red-letter reversal (冲红).")
class Receipt:
    id: strawberry.ID
    bill_code: str = strawberry.field(description="票据代码 (8 digits).")
    bill_number: str = strawberry.field(description="票据号码 (10 digits).")
    check_code: str = strawberry.field(description="校验码 (6 characters).")
    kind: str = strawberry.field(description="normal, or red for a reversal.")
    status: str = strawberry.field(description="valid, partially_reversed or reversed: a code; show statusLabel.")
    status_label: str = strawberry.field(
        description="The state in the caller's language (有效, 部分冲红, 已冲红; a red-letter receipt says it is one)."
    )
    payer: str = strawberry.field(description="The payer's name; masked (李**) without the profile scope.")
    total: Decimal
    issued_at: datetime
    department_code: str
    category: str = strawberry.field(description="non_tax (非税收入票据), or tax (税收完税证明) for a tax.")
    category_name: str = strawberry.field(description="What the receipt is, in the caller's language.")
    reverses_bill_code: str | None = strawberry.field(description="A reversal's original receipt: its 票据代码.")
    reverses_bill_number: str | None = strawberry.field(description="A reversal's original receipt: its 票据号码.")
    pdf_url: str | None = strawberry.field(
        description="The PDF, opened without a token (a signed link, valid for minutes: ask again for a fresh one); "
        "null for a caller who may not download it (only the payer and finance staff may)."
    )
    verify_url: str

    @staticmethod
    def build(model: pr.Receipt, info: Info, owner: str | None = None) -> Receipt:
        """With the links to its PDF (for the citizen `owner` who paid, or finance) and to the public verification."""
        settings = info.context.settings
        base = (settings.public_url or "http://127.0.0.1:8000").rstrip("/")
        query = urlencode({"code": model.bill_code, "number": model.bill_number, "check": model.check_code})
        pdf_url = None
        if may_download(info.context.principal, owner):
            secret = info.context.resources.identity.master_secret
            pdf_url = signed_pdf_url(base, secret, model.id, settings.receipt_link_seconds)
        original = model.original
        return Receipt(
            id=strawberry.ID(model.id),
            bill_code=model.bill_code,
            bill_number=model.bill_number,
            check_code=model.check_code,
            kind=model.kind,
            status=model.status,
            status_label=pick(pr.STATE_NAMES["red" if model.kind == "red" else model.status], info.context.locale),
            payer=model.payer if info.context.disclosure.sees(Personal.PROFILE) else mask_name(model.payer),
            total=yuan(model.total_fen),
            issued_at=model.issued_at,
            department_code=model.department_code,
            category=model.category,
            category_name=pick(pr.CATEGORY_NAMES[model.category], info.context.locale),
            reverses_bill_code=original[0] if original else None,
            reverses_bill_number=original[1] if original else None,
            pdf_url=pdf_url,
            verify_url=f"{base}/receipts/verify?{query}",
        )


@strawberry.type(description="A payment order: one or several departments' fees, paid at once.")
class Order:
    id: strawberry.ID
    out_trade_no: str
    subject: str
    total: Decimal
    refunded: Decimal
    status: str = strawberry.field(description="open, paid, refunded or closed: a code; show statusLabel.")
    status_label: str = strawberry.field(
        description="The state in the caller's language (待缴费, 已缴费, 已部分退款, 已退款, 已关闭)."
    )
    channel: str | None
    created_at: datetime
    paid_at: datetime | None
    lines: list[OrderLine]
    application_id: strawberry.ID | None
    visible_departments: strawberry.Private[frozenset[str] | None] = None
    citizen_id: strawberry.Private[str | None] = None

    @staticmethod
    def build(model: po.Order, info: Info, visible_departments: frozenset[str] | None = None) -> Order:
        """In the caller's locale; an officer (`visible_departments`) sees their departments' lines and share."""
        locale = info.context.locale
        lines = [x for x in model.lines if visible_departments is None or x.department_code in visible_departments]
        total, refunded = model.total_fen, model.refunded_fen
        if visible_departments is not None:
            total, refunded = sum(x.amount_fen for x in lines), sum(x.refunded_fen for x in lines)
        return Order(
            id=strawberry.ID(model.id),
            out_trade_no=model.out_trade_no,
            subject=model.subject,
            total=yuan(total),
            refunded=yuan(refunded),
            status=model.status,
            status_label=info.context.gettext(po.status_label(model.status, model.refunded_fen)),
            channel=model.channel,
            created_at=model.created_at,
            paid_at=model.paid_at,
            lines=[
                OrderLine(
                    item_code=x.item_code,
                    name=pick(x.name, locale),
                    amount=yuan(x.amount_fen),
                    refunded=yuan(x.refunded_fen),
                    matter_code=x.matter_code,
                    department_code=x.department_code,
                )
                for x in lines
            ],
            application_id=strawberry.ID(model.application_id) if model.application_id else None,
            visible_departments=visible_departments,
            citizen_id=model.citizen_id,
        )

    @strawberry.field(description="Its receipts: one per department, and reversals after refunds.")
    async def receipts(self, info: Info) -> list[Receipt]:
        found = await info.context.payment_loaders.receipts.load(str(self.id))
        visible = self.visible_departments
        owner = self.citizen_id
        return [Receipt.build(r, info, owner) for r in found if visible is None or r.department_code in visible]


@strawberry.type(description="What the app needs to start the payment in Alipay or WeChat Pay.")
class PaymentLaunch:
    method: PaymentMethod
    order_string: str | None = strawberry.field(description="For Alipay's app SDK (Alipay, method APP).")
    pay_url: str | None = strawberry.field(description="For a mobile browser (Alipay WAP, WeChat Pay H5).")
    qr_code: str | None = strawberry.field(description="To show as a QR code (Alipay QR, WeChat Pay NATIVE).")
    wechat: WechatPayParameters | None = strawberry.field(
        description="For WeChat's client SDK (WeChat Pay, methods JSAPI and APP)."
    )


@strawberry.type
class PayOrderPayload:
    order: Order | None
    launch: PaymentLaunch | None
    errors: list[PayloadError]


@strawberry.type
class OrderPage:
    items: list[Order]
    total_count: int


@strawberry.input(description="Refund (part of) one department's share of a paid order.")
class RefundInput:
    order_id: strawberry.ID
    department_code: str
    amount: Decimal | None = strawberry.field(default=None, description="Yuan; null refunds the whole share left.")
    reason: str
    idempotency_key: str


@strawberry.type
class RefundResult:
    id: strawberry.ID
    out_request_no: str
    department_code: str
    amount: Decimal
    reversal: Receipt | None


@strawberry.type
class RefundPayload:
    refund: RefundResult | None
    order: Order | None
    errors: list[PayloadError]
