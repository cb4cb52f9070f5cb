"""The daily trade bill as Alipay ships it: a zip of CSVs whose names and contents are GBK."""

from __future__ import annotations

import io
import zipfile
import zlib
from datetime import date, datetime, time, timedelta

from payments.money import to_fen, to_yuan
from standins.alipay.state import BEIJING, Gateway, Trade

# A planted 长款's trade number: Alipay's shape (the day, then digits from its out_trade_no).
_EXTRA_TRADE_NO = "{day:%Y%m%d}2200{number:016d}"

COLUMNS = [
    "支付宝交易号",
    "商户订单号",
    "业务类型",
    "商品名称",
    "创建时间",
    "完成时间",
    "门店编号",
    "门店名称",
    "操作员",
    "终端号",
    "对方账户",
    "订单金额（元）",
    "商家实收（元）",
    "支付宝红包（元）",
    "集分宝（元）",
    "支付宝优惠（元）",
    "商家优惠（元）",
    "券核销金额（元）",
    "券名称",
    "商家红包消费金额（元）",
    "卡消费金额（元）",
    "退款批次号/请求号",
    "服务费（元）",
    "分润（元）",
    "备注",
]
FEE_RATE_PER_MILLE = 6  # 0.6% channel fee on payments
READY_HOUR = 10  # a day's bill exists from 10:00 Beijing time the day after


def beijing_text(moment: datetime) -> str:
    """Alipay's time format: Beijing time, to the second."""
    return f"{moment.astimezone(BEIJING):%Y-%m-%d %H:%M:%S}"


def bill_ready(gateway: Gateway, day: date) -> bool:
    """Whether the bill of `day` exists yet by the sandbox's clock."""
    return gateway.now() >= datetime.combine(day + timedelta(days=1), time(READY_HOUR), BEIJING)


class _GbkName(zipfile.ZipInfo):
    """A zip entry whose name is stored as GBK bytes without the UTF-8 flag, as Alipay's bills are."""

    def _encodeFilenameFlags(self) -> tuple[bytes, int]:  # noqa: N802 - zipfile's own hook
        return self.filename.encode("gbk"), self.flag_bits & ~0x800


def fee_fen(amount_fen: int) -> int:
    """The channel's service fee on an amount (rounded half up to the fen)."""
    return (amount_fen * FEE_RATE_PER_MILLE + 500) // 1000


def _row(cells: list[str]) -> str:
    return ",".join(cells)


def _cells(trade: Trade, kind: str, when: datetime, amount_fen: int) -> list[str]:
    """A bill line's columns shared by payments and refunds (numbers kept as text with a tab, as Alipay does)."""
    cells = [""] * len(COLUMNS)
    cells[0], cells[1], cells[2], cells[3] = trade.trade_no + "\t", trade.out_trade_no + "\t", kind, trade.subject
    cells[5] = f"{when.astimezone(BEIJING):%Y-%m-%d %H:%M:%S}"
    cells[11] = cells[12] = to_yuan(amount_fen)
    return cells


def _planted(gateway: Gateway, day: date, extra: list[dict[str, str]]) -> list[list[str]]:
    """Rows for trades nobody booked: {"out_trade_no", "amount": "12.00", "kind": "payment" | "refund"}."""
    rows = []
    noon = datetime.combine(day, datetime.min.time(), BEIJING).replace(hour=12)
    for planted in extra:
        number = _EXTRA_TRADE_NO.format(day=day, number=zlib.crc32(planted["out_trade_no"].encode()))
        amount = to_fen(planted["amount"])
        trade = Trade("", planted["out_trade_no"], number, amount, "", None, noon)
        refund = planted.get("kind") == "refund"
        cells = _cells(trade, "退款" if refund else "交易", noon, -amount if refund else amount)
        if refund:
            cells[21] = planted.get("request_no", f"R{planted['out_trade_no']}") + "\t"
        else:
            cells[22] = to_yuan(-fee_fen(amount))
        rows.append(cells)
    return rows


def bill_zip(gateway: Gateway, day: date) -> bytes:
    """The bill of `day` (Beijing dates): payments and refunds completed that day; unpaid orders never appear."""
    rows: list[list[str]] = []
    faults = gateway.bill_faults.get(day)
    for trade in gateway.trades.values():
        if faults is not None and trade.out_trade_no in faults.omit:
            continue
        if trade.paid_at and trade.paid_at.astimezone(BEIJING).date() == day:
            cells = _cells(trade, "交易", trade.paid_at, trade.total_fen)
            cells[4] = f"{trade.created_at.astimezone(BEIJING):%Y-%m-%d %H:%M:%S}"
            cells[22] = to_yuan(-fee_fen(trade.total_fen))
            rows.append(cells)
        for request_no, amount in trade.refunds.items():
            when = trade.refund_times[request_no]
            if when.astimezone(BEIJING).date() == day:
                cells = _cells(trade, "退款", when, -amount)
                cells[21] = request_no + "\t"
                rows.append(cells)
    rows += _planted(gateway, day, faults.extra if faults is not None else [])
    payments = [r for r in rows if r[2] == "交易"]
    refunds = [r for r in rows if r[2] == "退款"]
    rule = "-" * 41
    period = f"#起始日期：[{day:%Y年%m月%d日} 00:00:00]   终止日期：[{day + timedelta(days=1):%Y年%m月%d日} 00:00:00]"
    lines = [
        "#支付宝业务明细查询",
        f"#账号：[{gateway.seller_id}]",
        period,
        f"#{rule}业务明细列表{rule}",
        _row(COLUMNS),
        *(_row(r) for r in rows),
        f"#{rule}业务明细列表结束{rule}",
        f"#交易合计：{len(payments)}笔，商家实收共{to_yuan(sum(to_fen(r[12]) for r in payments))}元",
        f"#退款合计：{len(refunds)}笔，商家实收共{to_yuan(sum(to_fen(r[12]) for r in refunds))}元",
        f"#导出时间：[{gateway.now().astimezone(BEIJING):%Y年%m月%d日 %H:%M:%S}]",
    ]
    buffer = io.BytesIO()
    stem = f"{gateway.seller_id}0156_{day:%Y%m%d}"
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in ((f"{stem}_业务明细.csv", lines), (f"{stem}_业务明细(汇总).csv", lines[:4] + lines[-3:])):
            info = _GbkName(name, date_time=(day.year, day.month, day.day, 9, 0, 0))
            archive.writestr(info, "\r\n".join(content).encode("gbk"))
    return buffer.getvalue()
