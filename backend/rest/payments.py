"""Payment endpoints that are not GraphQL: the channels' notifications, receipt verification and PDFs."""

from __future__ import annotations

import asyncio
from typing import Any
from urllib.parse import urlencode

import msgspec
import structlog
from litestar import Request, get, post
from litestar.params import FromPath
from litestar.response import Response

from backend.errors import CommonErrorCode, DomainError
from backend.i18n import Locale, negotiate, pick
from backend.identity.limits import Limit, address_key, check_limits
from backend.privacy import mask_name
from backend.receipt_links import link_valid, may_download
from backend.resources import Resources
from backend.rest.common import JSON, bearer_principal, error_response, resources_of
from backend.rest.oidc.common import pages_of
from payments import receipt_pdf, receipts
from payments.channels.base import Inbound
from payments.money import capital_yuan, to_yuan
from payments.orders import get_order
from payments.receipt_pdf import BEIJING

log = structlog.get_logger("backend.payments")


async def _notified(request: Request[Any, Any, Any], channel_name: str) -> Response[str]:
    """Verify and apply a channel's notification; answer the accepting way only once it is committed.

    The channel verifies the signature on the body's raw bytes (`request.body()`): parsing and
    re-encoding it first would change the bytes a genuine signature covers.
    """
    resources = resources_of(request)
    inbound = Inbound(await request.body(), dict(request.headers))
    channel = resources.payments.channel_named(channel_name)
    try:
        accepted, outcome = await resources.notifications.submit((channel_name, inbound))
    except Exception:
        log.exception("payments.notification_failed", channel=channel_name)
        answer = channel.acknowledgement(False)
    else:
        log.info("payments.notification", channel=channel_name, outcome=outcome)
        answer = channel.acknowledgement(accepted)
    return Response(answer.body, status_code=answer.status_code, media_type=answer.media_type)


@post("/payments/alipay/notify", status_code=200, include_in_schema=False)
async def alipay_notify(request: Request[Any, Any, Any]) -> Response[str]:
    """Alipay's trade notifications (a form): `success` only once the credit is committed."""
    return await _notified(request, "alipay")


@post("/payments/wechatpay/notify", status_code=200, include_in_schema=False)
async def wechatpay_notify(request: Request[Any, Any, Any]) -> Response[str]:
    """WeChat Pay's payment notifications (TRANSACTION.SUCCESS): 200 {"code":"SUCCESS"} once credited."""
    return await _notified(request, "wechatpay")


@post("/payments/wechatpay/refund-notify", status_code=200, include_in_schema=False)
async def wechatpay_refund_notify(request: Request[Any, Any, Any]) -> Response[str]:
    """WeChat Pay's refund notifications (REFUND.SUCCESS books the refund; ABNORMAL is not final)."""
    return await _notified(request, "wechatpay")


def verify_url(resources: Resources, receipt: receipts.Receipt) -> str:
    """The public verification link a receipt's QR code carries."""
    base = (resources.settings.public_url or "http://127.0.0.1:8000").rstrip("/")
    query = urlencode({"code": receipt.bill_code, "number": receipt.bill_number, "check": receipt.check_code})
    return f"{base}/receipts/verify?{query}"


# Checking a receipt is a scan of its QR code: a few a minute. Guessing check codes needs thousands.
VERIFY_LIMITS = (Limit(30, 60), Limit(300, 3600))


@get("/receipts/verify", include_in_schema=False)
async def verify_receipt(request: Request[Any, Any, Any]) -> Response[bytes]:
    """Anyone holding a receipt checks it: valid, reversed (wholly or partly) or unknown."""
    resources = resources_of(request)
    address = address_key(request.client.host if request.client else "unknown")
    try:
        await check_limits(resources.redis, [(f"receipt_verify:{w.seconds}:{address}", w) for w in VERIFY_LIMITS])
    except DomainError as error:
        response = error_response(request, error.code, 429, **error.params)
        response.headers["retry-after"] = str(error.params["seconds"])
        return response
    query = request.query_params
    code, number, check = query.get("code", ""), query.get("number", ""), query.get("check", "")
    async with resources.sessions() as session:
        verdict, found = await receipts.verify(session, resources.identity.master_secret, code, number, check)
    locale = negotiate(request.headers.get("accept-language"))
    # Whoever scanned the QR code sees a page in their language; an API client gets JSON.
    if request.accept.best_match([JSON, "text/html"], default=JSON) == "text/html":
        return _verify_page(request, locale, verdict, found)
    body: dict[str, Any] = {"status": verdict}
    if found is not None:
        name = found.issuer.get("name") or {}
        original = found.original
        body["receipt"] = {
            "billCode": found.bill_code,
            "billNumber": found.bill_number,
            "kind": found.kind,
            "category": found.category,
            "reverses": {"billCode": original[0], "billNumber": original[1]} if original else None,
            "total": to_yuan(found.total_fen),
            "totalInWords": capital_yuan(found.total_fen),
            "issuer": name.get(locale.value) if isinstance(name, dict) else None,
            "issuedAt": found.issued_at.isoformat(),
            "payer": mask_name(found.payer),
        }
    return Response(msgspec.json.encode(body), media_type=JSON, headers=_VARY)


_VARY = {"cache-control": "no-store", "vary": "Accept, Accept-Language"}


def _verify_page(
    request: Request[Any, Any, Any], locale: Locale, verdict: str, found: receipts.Receipt | None
) -> Response[bytes]:
    shown = None
    if found is not None:
        name = found.issuer.get("name") or {}
        original = found.original
        shown = {
            "category": pick(receipts.CATEGORY_NAMES[found.category], locale),
            "bill_code": found.bill_code,
            "bill_number": found.bill_number,
            "reverses": f"{original[0]} {original[1]}" if original else None,
            "payer": mask_name(found.payer),
            "total": to_yuan(found.total_fen),
            "capital": capital_yuan(found.total_fen),
            "date": f"{found.issued_at.astimezone(BEIJING):%Y-%m-%d}",
            "issuer": pick(name, locale) if isinstance(name, dict) else "",
        }
    page = pages_of(request).render("receipt_verify.html", locale, status=verdict, receipt=shown)
    return Response(page.encode(), media_type="text/html; charset=utf-8", headers=_VARY)


@get("/receipts/{receipt_id:str}/pdf", include_in_schema=False)
async def receipt_pdf_file(request: Request[Any, Any, Any], receipt_id: FromPath[str]) -> Response[bytes]:
    """The receipt's PDF, for the citizen who paid (or finance staff)."""
    resources = resources_of(request)
    query = request.query_params
    signed = "signature" in query
    if signed:  # a link the API handed to who may see the receipt: no token needed, until it expires
        secret = resources.identity.master_secret
        if not link_valid(secret, receipt_id, query.get("expires", ""), query.get("signature", "")):
            return error_response(request, CommonErrorCode.FORBIDDEN, 403)
    principal = None if signed else await bearer_principal(request)
    async with resources.sessions() as session:
        found = await receipts.get_receipt(session, receipt_id)
        owner = None
        if found is not None:
            order = await get_order(session, found.order_id)
            owner = order.citizen_id if order else None
    if found is None or not (signed or may_download(principal, owner)):
        return error_response(request, CommonErrorCode.NOT_FOUND, 404, what=receipt_id)
    # Drawing takes tens of milliseconds of CPU, for whoever holds a link: off the event loop.
    pdf = await asyncio.to_thread(receipt_pdf.render, found, verify_url(resources, found))
    filename = f"receipt-{found.bill_code}-{found.bill_number}.pdf"
    return Response(
        pdf, media_type="application/pdf", headers={"content-disposition": f'inline; filename="{filename}"'}
    )


@get("/receipts/key", include_in_schema=False)
async def receipt_key(request: Request[Any, Any, Any]) -> Response[str]:
    """The public key receipts are signed with (PEM), to check a receipt offline."""
    return Response(receipts.public_key_pem(resources_of(request).identity.master_secret), media_type="text/plain")


ROUTES = [alipay_notify, wechatpay_notify, wechatpay_refund_notify, verify_receipt, receipt_pdf_file, receipt_key]
