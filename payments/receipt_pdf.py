"""A receipt as a PDF: Chinese text in an embedded font (a subset of WenQuanYi Micro Hei) and a QR code
that opens the public verification page."""

from __future__ import annotations

import functools
import io
from pathlib import Path
from zoneinfo import ZoneInfo

from reportlab.graphics import renderPDF
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib.pagesizes import A5, landscape
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

from payments.money import capital_yuan, to_yuan
from payments.receipts import Receipt

# Receipts are dated in Beijing time: a payment at 07:02 on 12-07 in Beijing is 23:02 on 12-06 in UTC.
BEIJING = ZoneInfo("Asia/Shanghai")
TITLES = {"non_tax": "广东省非税收入电子票据", "tax": "中华人民共和国税收完税证明"}

FONT_PATHS = [Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")]
FONT = "WenQuanYiMicroHei"


@functools.cache
def _register_font() -> str:
    for path in FONT_PATHS:
        if path.exists():
            pdfmetrics.registerFont(TTFont(FONT, str(path), subfontIndex=0))
            return FONT
    raise RuntimeError("no Chinese font: install the Debian package fonts-wqy-microhei (make run / make test do)")


def render(receipt: Receipt, verify_url: str) -> bytes:
    """The receipt's PDF (fonts embedded as a subset)."""
    font = _register_font()
    buffer = io.BytesIO()
    width, height = landscape(A5)
    pdf = canvas.Canvas(buffer, pagesize=(width, height))
    pdf.setTitle(f"{receipt.bill_code}-{receipt.bill_number}")
    title = TITLES[receipt.category] + ("（红字）" if receipt.kind == "red" else "")
    pdf.setFont(font, 16)
    pdf.drawCentredString(width / 2, height - 40, title)
    pdf.setFont(font, 9)
    issuer = receipt.issuer
    name = issuer.get("name", {}).get("zh-Hans", issuer.get("code", "")) if isinstance(issuer.get("name"), dict) else ""
    lines = [
        f"票据代码：{receipt.bill_code}    票据号码：{receipt.bill_number}    校验码：{receipt.check_code}",
        f"交款人：{receipt.payer}    开票日期：{receipt.issued_at.astimezone(BEIJING):%Y-%m-%d}",
        f"开票单位：{name}（执收单位编码 {issuer.get('fiscal_code', '')}）",
    ]
    original = receipt.original
    if original is not None:
        lines.append(f"冲红原票据：票据代码 {original[0]}    票据号码 {original[1]}")
    y = height - 70
    for line in lines:
        pdf.drawString(36, y, line)
        y -= 16
    y -= 6
    pdf.drawString(36, y, "项目编码")
    pdf.drawString(150, y, "项目名称")
    pdf.drawRightString(width - 150, y, "金额（元）")
    y -= 14
    for item in receipt.items:
        item_name = item.get("name", {})
        pdf.drawString(36, y, str(item.get("item_code", "")))
        pdf.drawString(150, y, item_name.get("zh-Hans", "") if isinstance(item_name, dict) else str(item_name))
        pdf.drawRightString(width - 150, y, to_yuan(int(item["amount_fen"])))
        y -= 14
    pdf.drawString(36, y - 6, f"合计（小写）：{to_yuan(receipt.total_fen)} 元")
    pdf.drawString(36, y - 22, f"合计（大写）：人民币{capital_yuan(receipt.total_fen)}")
    pdf.setFont(font, 7)
    pdf.drawString(36, 30, f"电子签名：{receipt.signature[:64]}…")
    qr = QrCodeWidget(verify_url)
    x0, y0, x1, y1 = qr.getBounds()
    size = 96.0
    drawing = Drawing(size, size, transform=[size / (x1 - x0), 0, 0, size / (y1 - y0), 0, 0])
    drawing.add(qr)
    renderPDF.draw(drawing, pdf, width - 36 - size, 40)
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()
