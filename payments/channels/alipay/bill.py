"""Reading Alipay's daily trade bill: a zip of GBK CSVs whose detail file ends in 业务明细.csv.

Numbers carry a trailing tab (Alipay's way of keeping Excel from mangling them); fees are negative in
the bill (taken from us), positive in a BillRow.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterator
from datetime import UTC, datetime

from payments.channels.alipay import sdk
from payments.channels.base import BillRow
from payments.money import to_fen


def _when(text: str) -> datetime | None:
    try:
        return datetime.strptime(text.strip(), "%Y-%m-%d %H:%M:%S").replace(tzinfo=sdk.BEIJING).astimezone(UTC)
    except ValueError:
        return None


def parse_bill(content: bytes) -> Iterator[BillRow]:
    """The detail rows of a bill zip (entry names and contents in GBK), one at a time."""
    with zipfile.ZipFile(io.BytesIO(content), metadata_encoding="gbk") as archive:
        detail = next(name for name in archive.namelist() if name.endswith("业务明细.csv"))
        with archive.open(detail) as raw:
            text = io.TextIOWrapper(raw, encoding="gbk", newline="")
            lines = (line for line in text if line.strip() and not line.startswith("#"))
            reader = csv.reader(lines)
            column = {name: i for i, name in enumerate(next(reader))}
            for cells in reader:
                refund = cells[column["业务类型"]] == "退款"
                fee = cells[column["服务费（元）"]].strip()
                yield BillRow(
                    kind="refund" if refund else "payment",
                    trade_no=cells[column["支付宝交易号"]].strip(),
                    out_trade_no=cells[column["商户订单号"]].strip(),
                    request_no=cells[column["退款批次号/请求号"]].strip() or None,
                    amount_fen=to_fen(cells[column["订单金额（元）"]].strip()),
                    fee_fen=-to_fen(fee) if fee else 0,
                    at=_when(cells[column["完成时间"]]),
                )
