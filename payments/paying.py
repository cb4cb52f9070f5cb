"""Launching a payment: what the app needs to open Alipay, the same for the same idempotency key.

The key is reserved in one short transaction, the channel asked outside any, the launch kept in
another: a slow channel holds no database transaction open, and a second tap with the same key gets
the first tap's launch (waiting for it if it is still under way) instead of an error.
"""

from __future__ import annotations

import msgspec
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from backend.db.engine import unit_of_work
from payments import idempotency
from payments import tables as t
from payments.channels.base import DEFAULT_CHANNEL, ChannelError, Method, PaymentLaunch, PaymentRequest
from payments.errors import NotFoundError, PaymentError, PaymentErrorCode
from payments.orders import Order, OrderStatus, get_order, orders_by_trade_no, status_label
from payments.service import PaymentDeps

# A launch is local signing, or one precreate call: a reservation this old was abandoned.
TAKE_OVER_SECONDS = 30.0
# The ways each channel launches a payment (app: Alipay's order string or WeChat's APP prepay).
METHODS: dict[str, tuple[Method, ...]] = {"alipay": ("app", "wap", "qr"), "wechatpay": ("jsapi", "app", "h5", "native")}
OPENID_MAX_LENGTH = 128


def check_method(channel_name: str, method: Method, payer_openid: str | None) -> None:
    """Refuse a method the channel does not offer, and WeChat JSAPI without the payer's openid."""
    offered = METHODS.get(channel_name, ())
    if method not in offered:
        raise PaymentError(
            PaymentErrorCode.METHOD_NOT_OFFERED, field="method", methods=", ".join(m.upper() for m in offered)
        )
    if method == "jsapi" and not (payer_openid and 0 < len(payer_openid) <= OPENID_MAX_LENGTH):
        raise PaymentError(PaymentErrorCode.PAYER_OPENID_REQUIRED, field="payerOpenid")


async def pay(
    sessions: async_sessionmaker[AsyncSession],
    deps: PaymentDeps,
    order_id: str,
    citizen_id: str,
    method: Method,
    idempotency_key: str,
    channel_name: str = DEFAULT_CHANNEL,
    *,
    payer_openid: str | None = None,
    client_ip: str | None = None,
) -> tuple[Order, PaymentLaunch]:
    """What the app needs to launch the payment of the citizen's open order; the same key, the same launch.

    `payer_openid`: WeChat JSAPI only (the citizen's openid in the mini-program: we keep none of our own).
    """
    check_method(channel_name, method, payer_openid)
    order: Order | None = None

    async def reservation(session: AsyncSession) -> dict[str, object] | None:
        nonlocal order
        order = await get_order(session, order_id)
        if order is None or order.citizen_id != citizen_id:
            raise NotFoundError(order_id, field="orderId")
        stored = await idempotency.reserve(
            session, citizen_id, idempotency_key, "pay", {"order": order_id, "method": method, "channel": channel_name}
        )
        if stored is None and order.status is not OrderStatus.OPEN:
            raise PaymentError(
                PaymentErrorCode.ORDER_NOT_PAYABLE, status=status_label(order.status, order.refunded_fen)
            )
        return stored

    stored = await idempotency.reserved_once(sessions, reservation, take_over_after=TAKE_OVER_SECONDS)
    assert order is not None
    if stored is not None:
        return order, msgspec.convert(stored, PaymentLaunch)
    request = PaymentRequest(
        out_trade_no=order.out_trade_no,
        total_fen=order.total_fen,
        subject=order.subject,
        method=method,
        notify_url=deps.notify_url,  # Alipay's; WeChat Pay's channel names its own (payments and refunds)
        payer_openid=payer_openid if method == "jsapi" else None,
        client_ip=client_ip,
    )
    try:
        launch = await deps.channel_named(channel_name).launch(request)
    except ChannelError as error:
        async with sessions() as session, unit_of_work(session):
            await idempotency.release(session, citizen_id, idempotency_key)
        raise PaymentError(PaymentErrorCode.CHANNEL_UNAVAILABLE, detail=error.code) from None
    async with sessions() as session, unit_of_work(session):
        await session.execute(
            update(t.payment_orders).where(t.payment_orders.c.id == order.id).values(channel=channel_name)
        )
        await idempotency.answer(session, citizen_id, idempotency_key, msgspec.to_builtins(launch))
    return order, launch


async def latest_launch(
    session: AsyncSession, out_trade_no: str, channel: str = DEFAULT_CHANNEL
) -> PaymentLaunch | None:
    """The last launch the citizen got for the order of `out_trade_no` (what the buyer holds), if any."""
    order = (await orders_by_trade_no(session, [out_trade_no])).get(out_trade_no)
    if order is None:
        return None
    methods: tuple[Method, ...] = ("app", "wap", "qr", "jsapi", "h5", "native")
    requests = [{"order": order.id, "method": method, "channel": channel} for method in methods]
    answers = await idempotency.answers_to(session, "pay", requests)
    return msgspec.convert(answers[0], PaymentLaunch) if answers else None
