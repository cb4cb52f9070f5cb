"""WeChat Pay API v3 as the second channel, against the protocol-faithful sandbox: every launch, query,
close, refund and its notification, the bills (hash checked), and the notification guards (tampered
signature, a key not ours, a stale timestamp, a re-encoded body), through the real server's endpoints."""

from __future__ import annotations

import base64
import json
import logging
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
import structlog
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding
from sqlalchemy import select

from payments import tables as pt
from payments.channels.base import BILL_NOT_READY, ChannelError
from payments.channels.wechatpay.sdk import BEIJING
from standins.wechatpay.keys import SandboxKeys
from tests.support import factories
from tests.support.payments import Sessions, Stack

WECHAT = "wechatpay"


async def _citizen_order(stack: Stack, db: Sessions) -> tuple[factories.Citizen, Any]:
    async with stack.client() as client:
        citizen = await factories.citizen(client, db)
    return citizen, await factories.order(db, citizen.id)


async def _outcomes(db: Sessions, out_trade_no: str) -> list[str]:
    async with db() as session:
        rows = await session.execute(
            select(pt.channel_notifications.c.outcome)
            .where(pt.channel_notifications.c.out_trade_no == out_trade_no)
            .order_by(pt.channel_notifications.c.id)
        )
        return list(rows.scalars())


async def test_each_wechat_method_launches_what_the_phone_needs(stack: Stack, db: Sessions) -> None:
    citizen, order = await _citizen_order(stack, db)
    keys = SandboxKeys(stack.data_dir / "wechatpay-sandbox")
    merchant = serialization.load_pem_public_key(keys.merchant_public.encode())
    # JSAPI: wx.requestPayment's parameters, paySign verifiable with the merchant's key
    jsapi = await stack.launch(citizen.token, order.id, WECHAT, "JSAPI")
    assert jsapi["errors"] == [], jsapi
    wx = jsapi["launch"]["wechat"]
    assert wx["appId"] == "wx0000000000000001" and wx["signType"] == "RSA" and wx["package"].startswith("prepay_id=wx")
    signed = f"{wx['appId']}\n{wx['timeStamp']}\n{wx['nonceStr']}\n{wx['package']}\n".encode()
    merchant.verify(base64.b64decode(wx["paySign"]), signed, padding.PKCS1v15(), hashes.SHA256())  # type: ignore[union-attr,call-arg,arg-type]
    # APP: the SDK's PayReq, package Sign=WXPay, the merchant number as partnerId
    app = (await stack.launch(citizen.token, order.id, WECHAT, "APP"))["launch"]["wechat"]
    assert app["package"] == "Sign=WXPay" and app["partnerId"] == "1900000001" and app["prepayId"].startswith("wx")
    signed = f"{app['appId']}\n{app['timeStamp']}\n{app['nonceStr']}\n{app['prepayId']}\n".encode()
    merchant.verify(base64.b64decode(app["sign"]), signed, padding.PKCS1v15(), hashes.SHA256())  # type: ignore[union-attr,call-arg,arg-type]
    # H5: a page for the mobile browser; Native: a weixin:// code for a QR image
    h5 = (await stack.launch(citizen.token, order.id, WECHAT, "H5"))["launch"]
    assert h5["method"] == "H5" and h5["payUrl"].startswith(stack.wechatpay_url) and h5["wechat"] is None
    native = (await stack.launch(citizen.token, order.id, WECHAT, "NATIVE"))["launch"]
    assert native["qrCode"].startswith("weixin://wxpay/bizpayurl?pr=")
    # The sandbox holds one trade, JSAPI, for the order
    assert (await stack.trade(order.out_trade_no, WECHAT))["trade_type"] == "JSAPI"


async def test_a_method_of_the_other_channel_or_jsapi_without_openid_is_a_clear_error(
    stack: Stack, db: Sessions
) -> None:
    citizen, order = await _citizen_order(stack, db)
    wap = await stack.launch(citizen.token, order.id, WECHAT, "WAP")
    assert wap["errors"][0]["code"] == "METHOD_NOT_OFFERED" and "JSAPI, APP, H5, NATIVE" in wap["errors"][0]["message"]
    jsapi_at_alipay = await stack.launch(citizen.token, order.id, "alipay", "JSAPI")
    assert jsapi_at_alipay["errors"][0]["code"] == "METHOD_NOT_OFFERED"
    pay = """mutation($o: ID!) { payOrder(orderId: $o, idempotencyKey: "k-openid", channel: WECHATPAY,
      method: JSAPI) { errors { code field message } } }"""
    refused = (await stack.gql(citizen.token, pay, {"o": order.id}, "zh-Hans"))["payOrder"]["errors"][0]
    assert refused["code"] == "PAYER_OPENID_REQUIRED" and refused["field"] == "payerOpenid"
    assert "微信" in refused["message"]


async def test_query_close_and_refund_with_its_notification(stack: Stack, db: Sessions) -> None:
    channel = stack.deps.channels[WECHAT]
    assert (await channel.query("OW-NEVER-LAUNCHED")).status == "NOT_EXIST"
    citizen, order = await _citizen_order(stack, db)
    assert (await stack.launch(citizen.token, order.id, WECHAT, "NATIVE"))["errors"] == []
    assert (await channel.query(order.out_trade_no)).status == "WAIT_BUYER_PAY"
    # Paid: the notification credits it; the query says so with WeChat's transaction id and time
    await stack.control("/sandbox/pay", {"out_trade_no": order.out_trade_no}, WECHAT)
    assert (await stack.control("/sandbox/deliver", {}, WECHAT))["sent"] == 1
    assert await _outcomes(db, order.out_trade_no) == ["credited"]
    state = await channel.query(order.out_trade_no)
    assert state.status == "TRADE_SUCCESS" and state.total_fen == 47000 and state.trade_no
    assert state.paid_at is not None and abs(state.paid_at - datetime.now(UTC)) < timedelta(minutes=1)
    # A paid trade cannot be closed
    with pytest.raises(ChannelError) as refused:
        await channel.close(order.out_trade_no)
    assert refused.value.code == "ORDERPAID"
    # Refund: WeChat answers PROCESSING; the refund notification says SUCCESS
    with pytest.raises(ChannelError) as processing:
        await channel.refund(order.out_trade_no, "R-TEST-1", 1000, "多收")
    assert processing.value.code == "REFUND_PROCESSING"
    await stack.control("/sandbox/deliver", {}, WECHAT)
    done = await channel.refund(order.out_trade_no, "R-TEST-1", 1000, "多收")  # the same number: once
    assert done.refund_fen == 1000 and done.refunded_at is not None
    assert (await stack.trade(order.out_trade_no, WECHAT))["refunded"] == "10.00"
    # (a refund nobody reserved is told, recorded and refused)
    assert await _outcomes(db, order.out_trade_no) == ["credited", "rejected:unknown_refund"]
    # An unopened trade needs no closing; an opened, unpaid one closes
    _, other = await _citizen_order(stack, db)
    await channel.close(other.out_trade_no)


async def test_the_trade_bill_is_downloaded_hash_checked_and_parsed(stack: Stack, db: Sessions) -> None:
    channel = stack.deps.channels[WECHAT]
    citizen, order = await _citizen_order(stack, db)
    await stack.pay(citizen.token, order.id, WECHAT)
    today = datetime.now(BEIJING).date()
    # Today's bill is not ready before 10:00 tomorrow (nor a future day's)
    for day in (today, today + timedelta(days=3)):
        with pytest.raises(ChannelError) as not_ready:
            await channel.bill(day)
        assert not_ready.value.code == BILL_NOT_READY
    await stack.control("/sandbox/clock", {"days": 1.5}, WECHAT)
    await stack.control(
        "/sandbox/bill-faults",
        {"day": today.isoformat(), "extra": [{"out_trade_no": "OW-NOBODY", "amount": "12.00", "kind": "payment"}]},
        WECHAT,
    )
    content = await channel.bill(today)
    assert content.splitlines()[1].startswith(b"`") and "总交易单数".encode() in content
    rows = {row.out_trade_no: row for row in channel.parse_bill(content)}
    ours = rows[order.out_trade_no]
    assert (ours.kind, ours.amount_fen, ours.fee_fen, ours.request_no) == ("payment", 47000, 282, None)
    assert ours.trade_no == (await stack.trade(order.out_trade_no, WECHAT))["trade_no"]
    assert ours.at is not None and ours.at.tzinfo is not None and abs(ours.at - datetime.now(UTC)) < timedelta(hours=1)
    assert rows["OW-NOBODY"].amount_fen == 1200 and rows["OW-NOBODY"].fee_fen == 7
    # The fund-flow bill too
    flow = await channel.fund_flow_bill(today)  # type: ignore[attr-defined]
    assert "资金流水总笔数".encode() in flow and order.out_trade_no.encode() in flow
    # A bill whose hash does not match what was downloaded is refused, not reconciled
    await stack.control("/sandbox/bill-faults", {"day": today.isoformat(), "bad_hash": True}, WECHAT)
    with pytest.raises(ChannelError) as mismatch:
        await channel.bill(today)
    assert mismatch.value.code == "BILL_HASH_MISMATCH"


async def _genuine(stack: Stack, out_trade_no: str) -> tuple[bytes, dict[str, str]]:
    signed = await stack.control("/sandbox/notification", {"out_trade_no": out_trade_no}, WECHAT)
    return signed["body"].encode(), signed["headers"]


async def _post(stack: Stack, body: bytes, headers: dict[str, str]) -> httpx.Response:
    async with stack.client() as client:
        return await client.post(
            "/payments/wechatpay/notify", content=body, headers={**headers, "Content-Type": "application/json"}
        )


async def test_forged_stale_foreign_and_reencoded_notifications_are_refused_each_for_its_reason(
    stack: Stack, db: Sessions
) -> None:
    citizen, order = await _citizen_order(stack, db)
    assert (await stack.launch(citizen.token, order.id, WECHAT, "NATIVE"))["errors"] == []
    await stack.control("/sandbox/pay", {"out_trade_no": order.out_trade_no}, WECHAT)
    body, headers = await _genuine(stack, order.out_trade_no)
    tampered = body.replace(b'"summary":"', b'"summary":"!', 1)
    foreign = {**headers, "Wechatpay-Serial": "PUB_KEY_ID_0114232134912410000000000000"}
    reencoded = json.dumps(json.loads(body)).encode()  # what a framework re-serializing the JSON sends on
    for forged in ((tampered, headers), (body, foreign), (reencoded, headers)):
        refused = await _post(stack, *forged)
        assert refused.status_code == 500 and refused.json()["code"] == "FAIL"
    # A genuine one more than 5 minutes old is a replay
    await stack.control("/sandbox/faults", {"faults": ["stale"]}, WECHAT)
    await stack.control("/sandbox/deliver", {}, WECHAT)
    accepted = await _post(stack, body, headers)
    assert accepted.status_code == 200 and accepted.json() == {"code": "SUCCESS"}
    # (an untrusted notification is not decrypted: nothing of it names a trade)
    async with db() as session:
        outcomes = await session.execute(
            select(pt.channel_notifications.c.outcome)
            .where(pt.channel_notifications.c.channel == WECHAT)
            .order_by(pt.channel_notifications.c.id)
        )
    assert list(outcomes.scalars()) == [
        "rejected:signature",
        "rejected:unknown_key",
        "rejected:signature",
        "rejected:stale",
        "credited",
    ]
    async with db() as session:
        kept = (
            await session.execute(
                select(pt.channel_notifications.c.params).where(
                    pt.channel_notifications.c.out_trade_no == order.out_trade_no,
                    pt.channel_notifications.c.outcome == "credited",
                )
            )
        ).scalar_one()
    # What is recorded: the trade's numbers and amounts, not the payer's openid nor the ciphertext
    assert kept["trade_state"] == "SUCCESS" and kept["total"] == "47000" and "openid" not in json.dumps(kept)
    assert "ciphertext" not in json.dumps(kept)


async def test_no_secret_reaches_the_logs(stack: Stack, db: Sessions, caplog: pytest.LogCaptureFixture) -> None:
    keys = SandboxKeys(stack.data_dir / "wechatpay-sandbox")
    caplog.set_level(logging.DEBUG)
    with structlog.testing.capture_logs() as captured:
        citizen, order = await _citizen_order(stack, db)
        await stack.pay(citizen.token, order.id, WECHAT)
        await stack.control("/sandbox/faults", {"faults": ["tamper"]}, WECHAT)
        body, headers = await _genuine(stack, order.out_trade_no)
        await _post(stack, body.replace(b"SUCCESS", b"SUCCESS ", 1), headers)
    text = caplog.text + repr(captured)
    assert "payments.notification" in text  # the notification was logged, without what follows
    private_line = keys.merchant_private.splitlines()[2]
    for secret in (keys.apiv3_key, private_line, "WECHATPAY2-SHA256-RSA2048 mchid", "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o"):
        assert secret not in text
