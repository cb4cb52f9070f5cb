"""The sandbox's WeChat Pay API v3: signed requests in, signed replies out (see app.py)."""

from __future__ import annotations

import gzip
import hashlib
import json
import secrets
import time
from datetime import date
from typing import Any

from litestar import Request, get, post
from litestar.params import FromPath
from litestar.response import Response

from standins.wechatpay.bill import fund_flow_bill, trade_bill
from standins.wechatpay.server import _AUTH, _TYPES, SKEW_SECONDS, _sandbox


async def _authorized(request: Request[Any, Any, Any]) -> tuple[str, Response[bytes] | None]:
    """The request's body, and a refusal when its Authorization is missing, forged or stale."""
    sandbox = _sandbox(request)
    body = (await request.body()).decode("utf-8")
    header = request.headers.get("authorization", "")
    scheme, _, rest = header.partition(" ")
    fields = dict(_AUTH.findall(rest))
    query = request.scope.get("query_string", b"").decode()
    target = request.url.path + (f"?{query}" if query else "")
    content = f"{request.method}\n{target}\n{fields.get('timestamp', '')}\n{fields.get('nonce_str', '')}\n{body}\n"
    if scheme != "WECHATPAY2-SHA256-RSA2048" or fields.get("mchid") != sandbox.gateway.mchid:
        return body, sandbox.error(401, "SIGN_ERROR", "签名错误")
    if fields.get("serial_no") != sandbox.keys.merchant_serial:
        return body, sandbox.error(401, "SIGN_ERROR", "商户证书序列号有误")
    if not fields.get("timestamp", "").isdigit() or abs(time.time() - int(fields["timestamp"])) > SKEW_SECONDS:
        return body, sandbox.error(401, "SIGN_ERROR", "请求时间戳过期")
    if not sandbox.keys.merchant_signed(content, fields.get("signature", "")):
        return body, sandbox.error(401, "SIGN_ERROR", "签名错误")
    return body, None


@post("/v3/pay/transactions/{method:str}", status_code=200)
async def place(request: Request[Any, Any, Any], method: FromPath[str]) -> Response[bytes]:
    """统一下单: prepay_id (JSAPI, APP), h5_url (H5) or code_url (Native)."""
    sandbox = _sandbox(request)
    raw, refused = await _authorized(request)
    if refused is not None:
        return refused
    body = json.loads(raw)
    if method not in _TYPES or body.get("mchid") != sandbox.gateway.mchid or body.get("appid") != sandbox.gateway.appid:
        return sandbox.error(400, "PARAM_ERROR", "参数错误")
    if method == "jsapi" and not (body.get("payer") or {}).get("openid"):
        return sandbox.error(400, "PARAM_ERROR", "JSAPI 需要 payer.openid")
    existing = sandbox.gateway.trades.get(body["out_trade_no"])
    if existing is not None and existing.state != "NOTPAY":
        return sandbox.error(400, "ORDERPAID" if existing.state == "SUCCESS" else "ORDER_CLOSED", "订单状态不可支付")
    trade = sandbox.gateway.open(body, _TYPES[method])
    base = sandbox.public_url
    if method == "h5":
        return sandbox.reply({"h5_url": f"{base}/sandbox/h5/{trade.out_trade_no}"})
    if method == "native":
        return sandbox.reply({"code_url": f"weixin://wxpay/bizpayurl?pr={trade.transaction_id[-10:]}"})
    return sandbox.reply({"prepay_id": f"wx{trade.transaction_id}"})


@get("/v3/pay/transactions/out-trade-no/{out_trade_no:str}")
async def query(request: Request[Any, Any, Any], out_trade_no: FromPath[str]) -> Response[bytes]:
    """The trade by out_trade_no."""
    sandbox = _sandbox(request)
    _, refused = await _authorized(request)
    if refused is not None:
        return refused
    trade = sandbox.gateway.trades.get(out_trade_no)
    if trade is None:
        return sandbox.error(404, "ORDER_NOT_EXIST", "订单不存在")
    return sandbox.reply(sandbox.gateway.transaction(trade))


@post("/v3/pay/transactions/out-trade-no/{out_trade_no:str}/close", status_code=200)
async def close(request: Request[Any, Any, Any], out_trade_no: FromPath[str]) -> Response[bytes]:
    """Close an unpaid trade (204)."""
    sandbox = _sandbox(request)
    _, refused = await _authorized(request)
    if refused is not None:
        return refused
    trade = sandbox.gateway.trades.get(out_trade_no)
    if trade is None:
        return sandbox.error(404, "ORDER_NOT_EXIST", "订单不存在")
    if trade.state not in ("NOTPAY", "CLOSED"):
        return sandbox.error(400, "ORDERPAID", "订单已支付")
    trade.state = "CLOSED"
    return sandbox.reply(None, 204)


@post("/v3/refund/domestic/refunds", status_code=200)
async def refund(request: Request[Any, Any, Any]) -> Response[bytes]:
    """申请退款: PROCESSING (it succeeds on the next delivery round); the same out_refund_no refunds once."""
    sandbox = _sandbox(request)
    raw, refused = await _authorized(request)
    if refused is not None:
        return refused
    body = json.loads(raw)
    trade = sandbox.gateway.trades.get(str(body.get("out_trade_no", "")))
    if trade is None:
        return sandbox.error(404, "RESOURCE_NOT_EXISTS", "订单不存在")
    amount = body.get("amount") or {}
    number = str(body.get("out_refund_no", ""))
    found = trade.refunds.get(number)
    if found is None:
        if trade.state not in ("SUCCESS", "REFUND"):
            return sandbox.error(400, "INVALID_REQUEST", "订单状态不可退款")
        if int(amount.get("total", -1)) != trade.total_fen:
            return sandbox.error(400, "PARAM_ERROR", "订单金额与支付金额不一致")
        if not 0 < int(amount.get("refund", 0)) <= trade.total_fen - trade.refunded_fen:
            return sandbox.error(400, "NOT_ENOUGH", "可退金额不足")
        found = sandbox.gateway.refund(
            trade, number, int(amount["refund"]), str(body.get("reason", "")), body.get("notify_url")
        )
    elif found.amount_fen != int(amount.get("refund", -1)):
        return sandbox.error(400, "INVALID_REQUEST", "同一退款单号的金额不一致")
    return sandbox.reply(sandbox.gateway.refund_resource(trade, found))


@get("/v3/refund/domestic/refunds/{out_refund_no:str}")
async def refund_query(request: Request[Any, Any, Any], out_refund_no: FromPath[str]) -> Response[bytes]:
    """查询单笔退款."""
    sandbox = _sandbox(request)
    _, refused = await _authorized(request)
    if refused is not None:
        return refused
    for trade in sandbox.gateway.trades.values():
        if out_refund_no in trade.refunds:
            return sandbox.reply(sandbox.gateway.refund_resource(trade, trade.refunds[out_refund_no]))
    return sandbox.error(404, "RESOURCE_NOT_EXISTS", "退款单不存在")


async def _describe_bill(request: Request[Any, Any, Any], kind: str) -> Response[bytes]:
    sandbox = _sandbox(request)
    _, refused = await _authorized(request)
    if refused is not None:
        return refused
    try:
        day = date.fromisoformat(request.query_params.get("bill_date", ""))
    except ValueError:
        return sandbox.error(400, "PARAM_ERROR", "bill_date 格式错误")
    if not sandbox.gateway.bill_ready(day):
        return sandbox.error(400, "STATEMENT_CREATING", "账单生成中")
    packed = request.query_params.get("tar_type") == "GZIP"
    content = (trade_bill if kind == "trade" else fund_flow_bill)(sandbox.gateway, day)
    faults = sandbox.gateway.bill_faults.get(day)
    digest = hashlib.sha1(content + (b"x" if faults and faults.bad_hash else b"")).hexdigest()  # noqa: S324
    token = secrets.token_urlsafe(16)
    sandbox.tokens[token] = (kind, day, packed, time.time() + 300)
    return sandbox.reply(
        {
            "hash_type": "SHA1",
            "hash_value": digest,  # SHA1: WeChat's choice
            "download_url": f"{sandbox.public_url}/v3/billdownload/file?token={token}",
        }
    )


@get("/v3/bill/tradebill")
async def describe_trade_bill(request: Request[Any, Any, Any]) -> Response[bytes]:
    """申请交易账单: its hash and a download URL valid 5 minutes."""
    return await _describe_bill(request, "trade")


@get("/v3/bill/fundflowbill")
async def describe_fund_flow_bill(request: Request[Any, Any, Any]) -> Response[bytes]:
    """申请资金账单 (the basic account)."""
    return await _describe_bill(request, "flow")


@get("/v3/billdownload/file")
async def download(request: Request[Any, Any, Any]) -> Response[bytes]:
    """The bill file (gzip when asked); the request is signed, the reply is not."""
    sandbox = _sandbox(request)
    _, refused = await _authorized(request)
    if refused is not None:
        return refused
    found = sandbox.tokens.get(request.query_params.get("token", ""))
    if found is None or found[3] < time.time():
        return sandbox.error(400, "INVALID_REQUEST", "下载链接已过期")
    kind, day, packed, _ = found
    content = (trade_bill if kind == "trade" else fund_flow_bill)(sandbox.gateway, day)
    return Response(gzip.compress(content) if packed else content, media_type="application/octet-stream")


API_ROUTES = [place, query, close, refund, refund_query, describe_trade_bill, describe_fund_flow_bill, download]
