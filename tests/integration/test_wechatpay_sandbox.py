"""The sandboxes themselves, where the platform's tests lean on their faithfulness: WeChat Pay refuses a
request signed more than 5 minutes ago, retries an unaccepted notification on WeChat's schedule, and both
sandboxes plant the same 短款 and 长款 in a day's bill."""

from __future__ import annotations

import base64
import secrets
import time
from datetime import timedelta

import httpx
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey

from payments.channels.wechatpay.sdk import BEIJING
from standins.wechatpay.keys import SandboxKeys
from standins.wechatpay.state import RETRY_AFTER
from tests.support import factories
from tests.support.payments import Sessions, Stack

WECHAT = "wechatpay"


def _authorization(keys: SandboxKeys, method: str, target: str, stamp: int) -> str:
    nonce = secrets.token_hex(16)
    key = serialization.load_pem_private_key(keys.merchant_private.encode(), password=None)
    assert isinstance(key, RSAPrivateKey)
    content = f"{method}\n{target}\n{stamp}\n{nonce}\n\n".encode()
    signature = base64.b64encode(key.sign(content, padding.PKCS1v15(), hashes.SHA256())).decode()
    return (
        f'WECHATPAY2-SHA256-RSA2048 mchid="1900000001",nonce_str="{nonce}",signature="{signature}",'
        f'timestamp="{stamp}",serial_no="{keys.merchant_serial}"'
    )


async def test_the_sandbox_refuses_a_stale_or_forged_request_and_signs_what_it_answers(stack: Stack) -> None:
    keys = SandboxKeys(stack.data_dir / "wechatpay-sandbox")
    target = "/v3/pay/transactions/out-trade-no/OW-NONE?mchid=1900000001"
    async with httpx.AsyncClient(base_url=stack.wechatpay_url) as client:
        fresh = await client.get(
            target, headers={"Authorization": _authorization(keys, "GET", target, int(time.time()))}
        )
        stale = await client.get(
            target, headers={"Authorization": _authorization(keys, "GET", target, int(time.time()) - 301)}
        )
        forged = await client.get(
            target,
            headers={"Authorization": _authorization(keys, "GET", target.replace("NONE", "ONE"), int(time.time()))},
        )
    assert (fresh.status_code, fresh.json()["code"]) == (404, "ORDER_NOT_EXIST")
    assert fresh.headers["Wechatpay-Serial"] == keys.public_key_id and fresh.headers["Wechatpay-Signature"]
    assert (stale.status_code, stale.json()["code"]) == (401, "SIGN_ERROR")
    assert (forged.status_code, forged.json()["code"]) == (401, "SIGN_ERROR")


def test_wechat_retries_15_times_over_about_a_day() -> None:
    assert len(RETRY_AFTER) == 15
    assert [int(step.total_seconds()) for step in RETRY_AFTER[:4]] == [15, 15, 30, 180]
    assert timedelta(hours=24) <= sum(RETRY_AFTER, timedelta()) <= timedelta(hours=24, minutes=5)


async def test_a_refused_notification_comes_again_on_schedule(stack: Stack, db: Sessions) -> None:
    async with stack.client() as client:
        citizen = await factories.citizen(client, db)
    order = await factories.order(db, citizen.id)
    assert (await stack.launch(citizen.token, order.id, WECHAT, "NATIVE"))["errors"] == []
    # The notification's signature is damaged on the way: the platform answers FAIL, WeChat tries again
    await stack.control("/sandbox/faults", {"faults": ["tamper"]}, WECHAT)
    await stack.control("/sandbox/pay", {"out_trade_no": order.out_trade_no}, WECHAT)
    assert (await stack.control("/sandbox/deliver", {}, WECHAT))["sent"] == 1
    assert (await stack.control("/sandbox/deliver", {}, WECHAT))["sent"] == 0  # not due for 15 s
    await stack.control("/sandbox/clock", {"seconds": 15}, WECHAT)
    assert (await stack.control("/sandbox/deliver", {}, WECHAT))["sent"] == 1
    async with httpx.AsyncClient(base_url=stack.wechatpay_url) as client:
        (delivery,) = (await client.get("/sandbox/deliveries")).json()
    assert delivery["attempts"] == 2 and delivery["done"]
    assert delivery["answers"][0].startswith("500 ") and delivery["answers"][1] == '200 {"code":"SUCCESS"}'


async def test_both_sandboxes_plant_a_missing_and_an_unknown_trade_in_the_bill(stack: Stack, db: Sessions) -> None:
    async with stack.client() as client:
        citizen = await factories.citizen(client, db)
    for channel in ("alipay", WECHAT):
        missing, kept = await factories.order(db, citizen.id), await factories.order(db, citizen.id)
        await stack.pay(citizen.token, missing.id, channel)
        await stack.pay(citizen.token, kept.id, channel)
        day = (await stack.deps.channels[channel].query(kept.out_trade_no)).paid_at
        assert day is not None
        today = day.astimezone(BEIJING).date()
        faults = {
            "day": today.isoformat(),
            "omit": [missing.out_trade_no],
            "extra": [{"out_trade_no": f"OW-STRANGER-{channel}", "amount": "12.00", "kind": "payment"}],
        }
        await stack.control("/sandbox/bill-faults", faults, channel)
        if channel == WECHAT:
            await stack.control("/sandbox/clock", {"days": 1.5}, WECHAT)
        else:  # the day's bill is out from 10:00 the day after
            await stack.control("/sandbox/clock", {"seconds": 2 * 86400}, channel)
        bill = stack.deps.channels[channel]
        rows = {row.out_trade_no: row for row in bill.parse_bill(await bill.bill(today))}
        assert missing.out_trade_no not in rows  # 短款: booked, not in the bill
        assert rows[kept.out_trade_no].amount_fen == 47000 and rows[kept.out_trade_no].fee_fen == 282
        stranger = rows[f"OW-STRANGER-{channel}"]  # 长款: in the bill, booked nowhere
        assert (stranger.kind, stranger.amount_fen, stranger.fee_fen) == ("payment", 1200, 7)
