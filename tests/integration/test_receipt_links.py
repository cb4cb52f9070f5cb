"""Receipts as the citizen and whoever checks them meet them, through the live backend and the Alipay
sandbox: the PDF opened from the app's link without a token (a signed, short-lived link), dated in
Beijing time with the amount in capital numerals; the QR code's check answering a page to a browser and
JSON to an API client; a tax receipted as a tax; a red-letter reversal citing the receipt it reverses."""

from __future__ import annotations

import io
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from pypdf import PdfReader
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from backend.app import create_app
from backend.receipt_links import signed_pdf_url
from payments import receipts as pr
from payments import tables as pt
from payments.orders import LineSpec
from standins.alipay.app import Sandbox, create_sandbox_app
from standins.alipay.keys import SandboxKeys
from tests.conftest import make_settings
from tests.support import factories
from tests.support.gql import run
from tests.support.live import listener, served
from tests.support.servers import RedisServer

Sessions = async_sessionmaker[AsyncSession]
PAY = """mutation($o: ID!, $k: String!) { payOrder(orderId: $o, idempotencyKey: $k, method: QR) {
  errors { code message } } }"""
ORDER = """query($id: ID!) { order(id: $id) { status receipts { id billCode billNumber kind category categoryName
  departmentCode total reversesBillCode reversesBillNumber pdfUrl verifyUrl } } }"""
REFUND = """mutation($i: RefundInput!) { refund(input: $i) { refund { reversal { id billCode
  reversesBillCode reversesBillNumber pdfUrl } } errors { code message } } }"""
# The vehicle registration's fees as the demo catalog lists them: a plate fee (non-tax revenue, 103...)
# and the vehicle and vessel tax (车船税, tax revenue, 101190100).
CAR = (
    LineSpec(
        department_code="GZ-GA",
        fiscal_code="110001",
        item_code="103040142",
        amount_fen=12000,
        name={"zh-Hans": "机动车号牌工本费", "zh-Hant": "機動車號牌工本費", "en": "Number plate fee"},
    ),
    LineSpec(
        department_code="GZ-SWJ",
        fiscal_code="120001",
        item_code="101190100",
        amount_fen=36000,
        name={"zh-Hans": "车船税", "zh-Hant": "車船稅", "en": "Vehicle and vessel tax"},
    ),
)


class Stack:
    def __init__(self, backend: str, sandbox: str, secret: bytes) -> None:
        self.backend, self.sandbox, self.secret = backend, sandbox, secret


@pytest.fixture
def stack(catalog_database: str, fresh_redis: Any, redis_server: RedisServer, tmp_path: Path) -> Iterator[Stack]:
    data_dir = tmp_path / "payments"
    sandbox_socket, sandbox_url = listener()
    backend_socket, backend_url = listener()
    box = Sandbox(SandboxKeys(data_dir / "alipay-sandbox"), "2021000000000001", "2088000000000001", sandbox_url)
    port = int(sandbox_url.rsplit(":", 1)[1])
    with served(create_sandbox_app(box, auto_deliver=True), sandbox_socket):
        settings = make_settings(
            catalog_database, redis_server.url, data_dir, alipay_sandbox_port=port, public_url=backend_url
        )
        app = create_app(settings)
        with served(app, backend_socket):
            yield Stack(backend_url, sandbox_url, app.state.resources.identity.master_secret)


async def _paid_car_order(stack: Stack, db: Sessions, client: httpx.AsyncClient) -> tuple[Any, str]:
    citizen = await factories.citizen(client, db)
    order = await factories.order(db, citizen.id, CAR)
    paid = await run(client, citizen.token, PAY, {"o": order.id, "k": str(uuid.uuid4())})
    assert paid["payOrder"]["errors"] == [], paid
    async with httpx.AsyncClient(base_url=stack.sandbox, timeout=30) as sandbox:
        assert (await sandbox.post("/sandbox/pay", json={"out_trade_no": order.out_trade_no})).status_code == 200
    return citizen, order.id


async def _issued_at(db: Sessions, secret: bytes, receipt_id: str, when: datetime) -> None:
    """Date a receipt as if issued at `when` (signed again, as the platform signs what it issues)."""
    async with db() as session:
        receipt = await pr.get_receipt(session, receipt_id)
        assert receipt is not None
        dated = {**{f: getattr(receipt, f) for f in receipt.__struct_fields__}, "issued_at": when}
        signature = pr.sign(secret, pr.content(dated))
        await session.execute(
            update(pt.receipts).where(pt.receipts.c.id == receipt_id).values(issued_at=when, signature=signature)
        )
        await session.commit()


def _text(pdf: bytes) -> str:
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


async def test_the_apps_pdf_link_opens_without_a_token_dated_in_beijing_with_the_amount_in_words(
    stack: Stack, db: Sessions
) -> None:
    async with httpx.AsyncClient(base_url=stack.backend, timeout=30) as client:
        citizen, order_id = await _paid_car_order(stack, db, client)
        receipts = (await run(client, citizen.token, ORDER, {"id": order_id}))["order"]["receipts"]
        plate = next(r for r in receipts if r["departmentCode"] == "GZ-GA")
        # paid at 07:02 on 12-07 in Beijing: 23:02 on 12-06 in UTC
        await _issued_at(db, stack.secret, plate["id"], datetime(2026, 12, 6, 23, 2, tzinfo=UTC))
        plate = next(
            r
            for r in (await run(client, citizen.token, ORDER, {"id": order_id}))["order"]["receipts"]
            if r["id"] == plate["id"]
        )

        # a phone's PDF viewer sends no token
        pdf = await client.get(plate["pdfUrl"])
        assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf", pdf.text
        text = _text(pdf.content)
        assert "开票日期：2026-12-07" in text, text
        assert "人民币壹佰贰拾元整" in text and "120.00" in text, text
        assert "广东省非税收入电子票据" in text, text

        # the link names one receipt until it expires: changed, or past its time, it opens nothing
        other = next(r for r in receipts if r["departmentCode"] == "GZ-SWJ")
        moved = await client.get(plate["pdfUrl"].replace(plate["id"], other["id"]))
        tampered = await client.get(plate["pdfUrl"][:-4] + ("0000" if not plate["pdfUrl"].endswith("0000") else "1111"))
        expired = await client.get(signed_pdf_url(stack.backend, stack.secret, plate["id"], 60, now=1_000_000))
        assert [moved.status_code, tampered.status_code, expired.status_code] == [403, 403, 403]
        assert moved.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"
        # without a signature it is the token-holder's download, as before
        assert (await client.get(f"/receipts/{plate['id']}/pdf")).status_code == 404


async def test_the_receipt_check_answers_a_browser_a_page_and_an_api_client_json(stack: Stack, db: Sessions) -> None:
    async with httpx.AsyncClient(base_url=stack.backend, timeout=30) as client:
        citizen, order_id = await _paid_car_order(stack, db, client)
        receipts = (await run(client, citizen.token, ORDER, {"id": order_id}))["order"]["receipts"]
        plate = next(r for r in receipts if r["departmentCode"] == "GZ-GA")
        await _issued_at(db, stack.secret, plate["id"], datetime(2026, 12, 6, 23, 2, tzinfo=UTC))

        browser = {"accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
        page = await client.get(plate["verifyUrl"], headers=browser | {"accept-language": "zh-CN,zh;q=0.9"})
        assert page.status_code == 200 and page.headers["content-type"].startswith("text/html"), page.text
        masked = citizen.name[0] + "*" * (len(citizen.name) - 1)
        for shown in ("此票据真实有效", masked, "¥120.00", "壹佰贰拾元整", "2026-12-07", "非税收入电子票据"):
            assert shown in page.text, (shown, page.text)
        assert citizen.name not in page.text
        english = await client.get(plate["verifyUrl"], headers=browser | {"accept-language": "en"})
        assert "This receipt is genuine." in english.text and "Issued by" in english.text
        forged = await client.get(
            "/receipts/verify",
            params={"code": plate["billCode"], "number": plate["billNumber"], "check": "000000"},
            headers=browser | {"accept-language": "zh-TW"},
        )
        assert "查無此票據" in forged.text and "¥" not in forged.text

        api = await client.get(plate["verifyUrl"], headers={"accept": "application/json"})
        assert api.headers["content-type"].startswith("application/json")
        body = api.json()
        assert body["status"] == "valid" and body["receipt"]["total"] == "120.00"
        assert body["receipt"]["totalInWords"] == "壹佰贰拾元整" and body["receipt"]["payer"] == masked
        assert (await client.get(plate["verifyUrl"])).json()["status"] == "valid"  # no Accept: JSON


async def test_a_tax_gets_a_tax_certificate_and_a_reversal_cites_the_original(stack: Stack, db: Sessions) -> None:
    async with httpx.AsyncClient(base_url=stack.backend, timeout=30) as client:
        citizen, order_id = await _paid_car_order(stack, db, client)
        receipts = (await run(client, citizen.token, ORDER, {"id": order_id}, "en"))["order"]["receipts"]
        kinds = {r["departmentCode"]: (r["category"], r["categoryName"]) for r in receipts}
        assert kinds == {
            "GZ-GA": ("non_tax", "Non-tax revenue e-receipt"),
            "GZ-SWJ": ("tax", "Tax payment certificate"),
        }
        tax = next(r for r in receipts if r["departmentCode"] == "GZ-SWJ")
        text = _text((await client.get(tax["pdfUrl"])).content)
        assert "中华人民共和国税收完税证明" in text and "非税收入" not in text, text
        assert tax["reversesBillCode"] is None

        finance = await factories.staff(client, "finance")
        refund = {
            "orderId": order_id,
            "departmentCode": "GZ-SWJ",
            "amount": "100.00",
            "reason": "多收车船税",
            "idempotencyKey": str(uuid.uuid4()),
        }
        done = (await run(client, finance, REFUND, {"i": refund}))["refund"]
        assert done["errors"] == [], done
        reversal = done["refund"]["reversal"]
        assert (reversal["reversesBillCode"], reversal["reversesBillNumber"]) == (tax["billCode"], tax["billNumber"])
        text = _text((await client.get(reversal["pdfUrl"])).content)
        assert f"冲红原票据：票据代码 {tax['billCode']}" in text and f"票据号码 {tax['billNumber']}" in text, text
        assert "中华人民共和国税收完税证明（红字）" in text and "负壹佰元整" in text, text
        again = (await run(client, citizen.token, ORDER, {"id": order_id}))["order"]["receipts"]
        red = next(r for r in again if r["kind"] == "red")
        assert (red["reversesBillCode"], red["category"]) == (tax["billCode"], "tax")
