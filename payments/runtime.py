"""Build the payment service's process-wide parts from settings: the channel and the receipt issuer."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path

from backend.db.engine import create_engine, session_factory
from backend.settings import Settings
from payments.channels.alipay.adapter import AlipayChannel, AlipayConfig
from payments.channels.wechatpay.adapter import WechatPayChannel
from payments.channels.wechatpay.sdk import WechatPayConfig
from payments.events import NoEvents, PaymentEvents
from payments.parties import Parties
from payments.receipts import ReceiptIssuer
from payments.service import PaymentDeps


def alipay_config(settings: Settings) -> AlipayConfig:
    """The merchant's Alipay configuration; outside production, the local sandbox and its keys."""
    if settings.alipay_private_key_file and settings.alipay_public_key_file:
        private = Path(settings.alipay_private_key_file).read_text()
        public = Path(settings.alipay_public_key_file).read_text()
    else:
        from standins.alipay.keys import SandboxKeys

        keys = SandboxKeys(settings.alipay_sandbox_dir)
        private, public = keys.merchant_private, keys.alipay_public
    return AlipayConfig(
        app_id=settings.alipay_app_id,
        seller_id=settings.alipay_seller_id,
        app_private_key=private,
        alipay_public_key=public,
        gateway=settings.resolved_alipay_gateway,
    )


def wechatpay_config(settings: Settings, public_url: str) -> WechatPayConfig:
    """The merchant's WeChat Pay configuration; outside production, the local sandbox's keys."""
    if settings.wechatpay_private_key_file and settings.wechatpay_public_key_file:
        private = Path(settings.wechatpay_private_key_file).read_text()
        public = Path(settings.wechatpay_public_key_file).read_text()
        apiv3 = Path(settings.wechatpay_apiv3_key_file).read_text().strip()
        public_id, serial = settings.wechatpay_public_key_id, settings.wechatpay_cert_serial_no
    else:
        from standins.wechatpay.keys import SandboxKeys

        keys = SandboxKeys(settings.wechatpay_sandbox_dir)
        private, public, apiv3 = keys.merchant_private, keys.platform_public, keys.apiv3_key
        public_id, serial = keys.public_key_id, keys.merchant_serial
    return WechatPayConfig(
        mchid=settings.wechatpay_mchid,
        appid=settings.wechatpay_appid,
        cert_serial_no=serial,
        private_key=private,
        apiv3_key=apiv3,
        public_key=public,
        public_key_id=public_id,
        gateway=settings.resolved_wechatpay_gateway,
        notify_url=f"{public_url}/payments/wechatpay/notify",
        refund_notify_url=f"{public_url}/payments/wechatpay/refund-notify",
    )


def build_payments(
    settings: Settings,
    master_secret: bytes,
    parties: Parties,
    *,
    events: PaymentEvents | None = None,
    own_pool: bool = True,
) -> PaymentDeps:
    """The channels (Alipay, WeChat Pay), the receipt issuer (finance bureau stand-in outside production), the notify
    URL, the `parties` (departments, payers) the process knows, and the `events` it hears payments by
    (issuing what waited for the fees, notices of refunds and expired orders).

    The stand-in reserves receipt-number blocks in transactions of their own, on a small pool of its
    own: borrowing from the request pool while every request holds a connection would deadlock it.
    """
    if settings.finance_bureau != "standin":
        # The bureau's platform adapter is not written yet (production settings refuse the stand-in).
        raise NotImplementedError("only the finance bureau stand-in exists so far (ONEWINDOW_FINANCE_BUREAU)")
    sessions = None
    closers: list[Callable[[], Awaitable[None]]] = []
    if own_pool and not settings.resolved_database_url.startswith("sqlite"):
        engine = create_engine(settings.resolved_database_url, pool_size=2, max_overflow=2)
        sessions = session_factory(engine)
        closers.append(engine.dispose)
    from standins.finance_bureau import FinanceBureauStandIn  # chosen by the settings; not in the wheel

    issuer = ReceiptIssuer(master_secret, FinanceBureauStandIn(master_secret, sessions))
    public_url = (settings.public_url or "http://127.0.0.1:8000").rstrip("/")
    notify = f"{public_url}/payments/alipay/notify"
    return PaymentDeps(
        channels={
            "alipay": AlipayChannel(alipay_config(settings)),
            "wechatpay": WechatPayChannel(wechatpay_config(settings, public_url)),
        },
        issuer=issuer,
        parties=parties,
        notify_url=notify,
        events=events or NoEvents(),
        unpaid_days=settings.order_unpaid_days,
        closers=closers,
    )
