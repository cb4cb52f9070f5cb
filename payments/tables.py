"""Tables of payments: orders and their lines, channel notifications, the ledger, refunds, receipts.

Money is stored as integer fen (分) everywhere: no floats, no rounding.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Boolean, Column, Date, ForeignKey, Index, Integer, String, Table, UniqueConstraint

from backend.db.tables.base import metadata
from backend.db.types import Json, UTCDateTime

payment_orders = Table(
    "payment_orders",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("out_trade_no", String(64), nullable=False, unique=True),  # our number, sent to the channel
    Column("citizen_id", String(36), ForeignKey("citizens.id"), nullable=False),
    Column("application_id", String(36), ForeignKey("applications.id"), nullable=True),
    Column("subject", String(128), nullable=False),
    Column("total_fen", BigInteger, nullable=False),
    Column("refunded_fen", BigInteger, nullable=False),
    Column("status", String(24), nullable=False),  # open | paid | closed | refunded
    Column("channel", String(16), nullable=True),
    Column("channel_trade_no", String(64), nullable=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("paid_at", UTCDateTime, nullable=True),  # when we credited it
    Column("channel_paid_at", UTCDateTime, nullable=True),  # when the channel says the buyer paid (its bill's day)
    Column("closed_at", UTCDateTime, nullable=True),
    # A closed order's trade can no longer be paid at the channel (closed there, or never opened in time)
    Column("channel_closed_at", UTCDateTime, nullable=True),
)
Index("ix_payment_orders_citizen", payment_orders.c.citizen_id, payment_orders.c.created_at)
Index("ix_payment_orders_status", payment_orders.c.status, payment_orders.c.created_at)

order_lines = Table(
    "order_lines",
    metadata,
    Column("order_id", String(36), ForeignKey("payment_orders.id"), primary_key=True),
    Column("line_no", Integer, primary_key=True),
    Column("department_code", String(48), nullable=False),
    Column("fiscal_code", String(16), nullable=False),  # 执收单位编码 of the department
    Column("item_code", String(48), nullable=False),  # 收费项目 (fiscal item)
    Column("name", Json, nullable=False),  # locale map
    Column("matter_code", String(48), nullable=True),
    Column("amount_fen", BigInteger, nullable=False),
    Column("refunded_fen", BigInteger, nullable=False),
)

# The same key and actor always get the first answer (a retried payOrder, a retried refund).
idempotency_keys = Table(
    "idempotency_keys",
    metadata,
    Column("actor", String(64), primary_key=True),
    Column("key", String(128), primary_key=True),
    Column("operation", String(32), nullable=False),
    Column("request_hash", String(64), nullable=False),
    Column("response", Json, nullable=True),  # NULL while the request is being worked on
    Column("created_at", UTCDateTime, nullable=False),
)

# Every notification a channel sent, verified or not: what came, and what we did with it.
channel_notifications = Table(
    "channel_notifications",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("channel", String(16), nullable=False),
    Column("notify_id", String(128), nullable=True),
    Column("out_trade_no", String(64), nullable=True),
    Column("outcome", String(48), nullable=False),  # credited | duplicate | rejected:<why> | ignored:<status>
    Column("params", Json, nullable=False),
    Column("received_at", UTCDateTime, nullable=False),
)
Index("ix_channel_notifications_order", channel_notifications.c.out_trade_no)

ledger_accounts = Table(
    "ledger_accounts",
    metadata,
    Column("code", String(64), primary_key=True),  # channel:alipay, clearing, dept:GZ-GA, fees:alipay
    Column("kind", String(16), nullable=False),  # asset | liability | expense
    Column("name", String(128), nullable=False),
)

# Immutable journal entries; (kind, reference) is unique, which is what makes a credit happen once.
journal_entries = Table(
    "journal_entries",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("kind", String(24), nullable=False),  # payment | split | fee | refund
    Column("reference", String(128), nullable=False),
    Column("order_id", String(36), ForeignKey("payment_orders.id"), nullable=True),
    Column("memo", String(200), nullable=False),
    Column("at", UTCDateTime, nullable=False),
    UniqueConstraint("kind", "reference", name="uq_journal_entries_kind_reference"),
)
Index("ix_journal_entries_order", journal_entries.c.order_id)

# Debits positive, credits negative; each entry's postings sum to zero.
postings = Table(
    "postings",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("entry_id", Integer, ForeignKey("journal_entries.id"), nullable=False),
    Column("account", String(64), ForeignKey("ledger_accounts.code"), nullable=False),
    Column("amount_fen", BigInteger, nullable=False),
)
Index("ix_postings_account", postings.c.account)
Index("ix_postings_entry", postings.c.entry_id)

refunds = Table(
    "refunds",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("order_id", String(36), ForeignKey("payment_orders.id"), nullable=False),
    Column("out_request_no", String(64), nullable=False, unique=True),
    Column("department_code", String(48), nullable=False),
    Column("amount_fen", BigInteger, nullable=False),
    Column("reason", String(200), nullable=False),
    Column("status", String(16), nullable=False),  # pending (asked of the channel), done
    Column("requested_by", String(36), nullable=False),
    Column("idempotency_key", String(128), nullable=True),  # the request's, to answer it once booked
    Column("receipt_id", String(36), nullable=True),  # its red-letter reversal, once booked
    Column("created_at", UTCDateTime, nullable=False),
)
Index("ix_refunds_order", refunds.c.order_id)
Index("ix_refunds_status", refunds.c.status, refunds.c.created_at)

# Fiscal e-receipts (财政电子票据): one per department per payment; a red-letter reversal (冲红) per refund.
receipts = Table(
    "receipts",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("order_id", String(36), ForeignKey("payment_orders.id"), nullable=False),
    Column("department_code", String(48), nullable=False),
    Column("bill_code", String(8), nullable=False),  # 票据代码
    Column("bill_number", String(10), nullable=False),  # 票据号码
    Column("check_code", String(6), nullable=False),  # 校验码
    Column("kind", String(8), nullable=False),  # normal | red
    Column("reverses", String(36), ForeignKey("receipts.id"), nullable=True),
    Column("status", String(24), nullable=False),  # valid | partially_reversed | reversed
    Column("payer", String(100), nullable=False),
    Column("items", Json, nullable=False),
    Column("total_fen", BigInteger, nullable=False),
    Column("issuer", Json, nullable=False),  # the issuing unit: department code, name, fiscal code
    Column("signature", String(200), nullable=False),  # the platform's ES256 signature over the content
    Column("issued_at", UTCDateTime, nullable=False),
    UniqueConstraint("bill_code", "bill_number", name="uq_receipts_code_number"),
)
Index("ix_receipts_order", receipts.c.order_id)

# The finance bureau stand-in's number series: one per bill code.
receipt_series = Table(
    "receipt_series",
    metadata,
    Column("bill_code", String(8), primary_key=True),
    Column("next_number", BigInteger, nullable=False),
)

# Each comparison of a channel's daily bill with the books (the daily job's and finance staff's).
bill_checks = Table(
    "bill_checks",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("channel", String(16), nullable=False),
    Column("day", Date, nullable=False),  # the bill's Beijing day
    Column("clean", Boolean, nullable=False),
    Column("report", Json, nullable=False),  # payments.reconcile.BillReport
    Column("checked_at", UTCDateTime, nullable=False),
    Index("ix_bill_checks_channel_day", "channel", "day"),
)
