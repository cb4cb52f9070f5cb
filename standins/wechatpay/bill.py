"""WeChat Pay's bills as it ships them: UTF-8 CSV, a header line, detail rows with every field prefixed by a
back-quote, then a summary header and a summary row. Fees: 0.6% of each payment, rounded per row."""

from __future__ import annotations

import zlib
from datetime import date, datetime
from decimal import Decimal

from payments.money import to_fen
from standins.wechatpay.state import BEIJING, Gateway

TRADE_COLUMNS = (
    "交易时间,公众账号ID,商户号,特约商户号,设备号,微信订单号,商户订单号,用户标识,交易类型,交易状态,付款银行,货币种类,"
    "应结订单金额,代金券金额,微信退款单号,商户退款单号,退款金额,充值券退款金额,退款类型,退款状态,商品名称,商户数据包,"
    "手续费,费率,订单金额,申请退款金额,费率备注"
)
TRADE_SUMMARY = "总交易单数,应结订单总金额,退款总金额,充值券退款总金额,手续费总金额,订单总金额,申请退款总金额"
FLOW_COLUMNS = (
    "记账时间,微信支付业务单号,资金流水单号,业务名称,业务类型,收支类型,收支金额（元）,账户结余（元）,"
    "资金变更提交申请人,备注,业务凭证号"
)
FLOW_SUMMARY = "资金流水总笔数,收入笔数,收入金额,支出笔数,支出金额"
FEE_RATE_PER_MILLE = 6


def fee_fen(amount_fen: int) -> int:
    """The 0.6% service fee on a payment, rounded half up to the fen."""
    return (amount_fen * FEE_RATE_PER_MILLE + 500) // 1000


def _yuan(fen: int, places: int = 2) -> str:
    return f"{Decimal(fen) / 100:.{places}f}"


def _joined(*parts: list[str]) -> list[str]:
    return [cell for part in parts for cell in part]


def _line(cells: list[str]) -> str:
    return ",".join(f"`{cell}" for cell in cells)


def _at(moment: datetime) -> str:
    return f"{moment.astimezone(BEIJING):%Y-%m-%d %H:%M:%S}"


def _on(moment: datetime | None, day: date) -> bool:
    return moment is not None and moment.astimezone(BEIJING).date() == day


def trade_bill(gateway: Gateway, day: date) -> bytes:
    """Payments made and refunds asked on `day` (refunds appear when initiated), with the day's bill faults."""
    faults = gateway.bill_faults.get(day)
    omit = faults.omit if faults else set()
    rows: list[list[str]] = []  # (cells) with amounts in fen kept aside for the summary
    paid = refunded = fees = 0
    for trade in gateway.trades.values():
        if trade.out_trade_no in omit:
            continue
        common = [gateway.appid, gateway.mchid, "0", "", trade.transaction_id, trade.out_trade_no, trade.openid or ""]
        if trade.paid_at is not None and _on(trade.paid_at, day):
            fee = fee_fen(trade.total_fen)
            paid, fees = paid + trade.total_fen, fees + fee
            rows.append(
                _joined(
                    [_at(trade.paid_at), *common, trade.trade_type, "SUCCESS", "OTHERS", "CNY", _yuan(trade.total_fen)],
                    ["0.00", "0", "0", "0.00", "0.00", "", "", trade.description, "", _yuan(fee, 5), "0.60%"],
                    [_yuan(trade.total_fen), "0.00", ""],
                )
            )
        for refund in trade.refunds.values():
            if not _on(refund.created_at, day):
                continue
            refunded += refund.amount_fen
            rows.append(
                _joined(
                    [_at(refund.created_at), *common, trade.trade_type, "REFUND", "OTHERS", "CNY", "0.00", "0.00"],
                    [refund.refund_id, refund.out_refund_no, _yuan(refund.amount_fen), "0.00", "ORIGINAL"],
                    [refund.status, trade.description, "", _yuan(0, 5), "0.60%", "0.00", _yuan(refund.amount_fen), ""],
                )
            )
    for extra in faults.extra if faults else []:
        amount = to_fen(extra["amount"])
        number = f"42000{day:%Y%m%d}{zlib.crc32(extra['out_trade_no'].encode()):014d}"
        when = datetime.combine(day, datetime.min.time(), BEIJING).replace(hour=12)
        common = [gateway.appid, gateway.mchid, "0", "", number, extra["out_trade_no"], "oSandboxStranger"]
        if extra.get("kind", "payment") == "refund":
            refunded += amount
            rows.append(
                _joined(
                    [_at(when), *common, "NATIVE", "REFUND", "OTHERS", "CNY", "0.00", "0.00", f"503{number}"],
                    [
                        extra.get("request_no", f"R{extra['out_trade_no']}"),
                        _yuan(amount),
                        "0.00",
                        "ORIGINAL",
                        "SUCCESS",
                    ],
                    ["", "", _yuan(0, 5), "0.60%", "0.00", _yuan(amount), ""],
                )
            )
        else:
            fee = fee_fen(amount)
            paid, fees = paid + amount, fees + fee
            rows.append(
                _joined(
                    [_at(when), *common, "NATIVE", "SUCCESS", "OTHERS", "CNY", _yuan(amount), "0.00", "0", "0", "0.00"],
                    ["0.00", "", "", "", "", _yuan(fee, 5), "0.60%", _yuan(amount), "0.00", ""],
                )
            )
    summary = [str(len(rows)), _yuan(paid), _yuan(refunded), "0.00", _yuan(fees, 5), _yuan(paid), _yuan(refunded)]
    text = "\r\n".join([TRADE_COLUMNS, *(_line(r) for r in rows), TRADE_SUMMARY, _line(summary)]) + "\r\n"
    return text.encode("utf-8")


def fund_flow_bill(gateway: Gateway, day: date) -> bytes:
    """The basic account's money movements on `day`: payments in (less fees), refunds out."""
    rows: list[list[str]] = []
    balance = income = spent = 0
    incoming = outgoing = 0
    for trade in gateway.trades.values():
        if trade.paid_at is not None and _on(trade.paid_at, day):
            for name, kind, amount in (
                ("交易", "收入", trade.total_fen),
                ("扣除交易手续费", "支出", fee_fen(trade.total_fen)),
            ):
                balance += amount if kind == "收入" else -amount
                income, incoming = (income + amount, incoming + 1) if kind == "收入" else (income, incoming)
                spent, outgoing = (spent + amount, outgoing + 1) if kind == "支出" else (spent, outgoing)
                rows.append(
                    _joined(
                        [
                            _at(trade.paid_at),
                            trade.transaction_id,
                            f"F{trade.transaction_id}{len(rows)}",
                            name,
                            name,
                            kind,
                        ],
                        [_yuan(amount), _yuan(balance), "system", "", trade.out_trade_no],
                    )
                )
        for refund in trade.refunds.values():
            if _on(refund.created_at, day):
                balance -= refund.amount_fen
                spent, outgoing = spent + refund.amount_fen, outgoing + 1
                rows.append(
                    _joined(
                        [_at(refund.created_at), refund.refund_id, f"F{refund.refund_id}", "退款", "退款", "支出"],
                        [_yuan(refund.amount_fen), _yuan(balance), gateway.mchid, "", refund.out_refund_no],
                    )
                )
    summary = [str(len(rows)), str(incoming), _yuan(income), str(outgoing), _yuan(spent)]
    text = "\r\n".join([FLOW_COLUMNS, *(_line(r) for r in rows), FLOW_SUMMARY, _line(summary)]) + "\r\n"
    return text.encode("utf-8")
