"""Tables of payments: orders and their lines, channel notifications, the ledger, refunds, receipts.

Money is stored as integer fen (分) everywhere: no floats, no rounding.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    UniqueConstraint,
    func,
)

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
    Column("channel_refunded_at", UTCDateTime, nullable=True),  # the channel's time: its bill lists it that day
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

# --- finance (issue 18): second payments, reconciliation runs and breaks, closed days, clearing ---------

# A payment a channel took for an order already paid (through the other channel, or twice): the money is
# not owed to anyone, so it is held in `suspense` and refunded automatically to where it came from.
duplicate_payments = Table(
    "duplicate_payments",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("order_id", String(36), ForeignKey("payment_orders.id"), nullable=False),
    Column("channel", String(16), nullable=False),
    Column("channel_trade_no", String(64), nullable=False),
    Column("amount_fen", BigInteger, nullable=False),
    Column("channel_paid_at", UTCDateTime, nullable=True),
    Column("out_request_no", String(64), nullable=False, unique=True),  # its refund's request number
    Column("status", String(16), nullable=False),  # refunding | refunded
    Column("created_at", UTCDateTime, nullable=False),
    Column("refunded_at", UTCDateTime, nullable=True),
    UniqueConstraint("channel", "channel_trade_no", name="uq_duplicate_payments_trade"),
)
Index("ix_duplicate_payments_order", duplicate_payments.c.order_id)

# One comparison of a channel's bill of a Beijing day with the books, and its verdict.
reconciliation_runs = Table(
    "reconciliation_runs",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("channel", String(16), nullable=False),
    Column("day", Date, nullable=False),
    Column("verdict", String(16), nullable=False),  # running | reconciled | breaks | incomplete
    Column("reason", String(200), nullable=True),  # why incomplete
    Column("counts", Json, nullable=False),  # bill rows, matched, settled by asking again, breaks by kind
    Column("totals", Json, nullable=False),  # amounts in fen: bill, books, fees from the bill
    Column("started_by", String(64), nullable=False),  # a staff subject id, or job:<name>
    Column("started_at", UTCDateTime, nullable=False),
    Column("finished_at", UTCDateTime, nullable=True),
)
Index("ix_reconciliation_runs_channel_day", reconciliation_runs.c.channel, reconciliation_runs.c.day)

# A difference a run found that asking the channel again did not settle; lives until resolved.
reconciliation_breaks = Table(
    "reconciliation_breaks",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("channel", String(16), nullable=False),
    Column("day", Date, nullable=False),
    Column("kind", String(24), nullable=False),  # channel_only (长款) | platform_only (短款) | amount_mismatch | ...
    Column("entry_kind", String(16), nullable=False),  # payment | refund | fee
    Column("reference", String(64), nullable=False),  # out_trade_no, or out_request_no for a refund
    Column("trade_no", String(64), nullable=True),  # the channel's
    Column("channel_fen", BigInteger, nullable=True),
    Column("platform_fen", BigInteger, nullable=True),
    Column("priority", String(2), nullable=False),  # P1 (most urgent) .. P4
    Column("status", String(16), nullable=False),  # new | persisting | resolved
    Column("first_run_id", Integer, ForeignKey("reconciliation_runs.id"), nullable=False),
    Column("last_run_id", Integer, ForeignKey("reconciliation_runs.id"), nullable=False),
    Column("detected_at", UTCDateTime, nullable=False),
    # A resolution: credit (from the channel's answer) | refund | write_off | accepted | settled (by the channel)
    Column("resolution", String(16), nullable=True),
    Column("resolution_note", String(500), nullable=True),
    Column("proposed_by", String(64), nullable=True),  # a write-off waits for a second person's approval
    Column("proposed_at", UTCDateTime, nullable=True),
    Column("resolved_by", String(64), nullable=True),
    Column("resolved_at", UTCDateTime, nullable=True),
    UniqueConstraint("channel", "day", "kind", "reference", name="uq_reconciliation_breaks_item"),
)
Index("ix_reconciliation_breaks_status", reconciliation_breaks.c.status, reconciliation_breaks.c.day)

# The control ledger: every act of finance staff and of the reconciling job, never updated or deleted.
finance_audit = Table(
    "finance_audit",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", UTCDateTime, nullable=False),
    Column("actor", String(64), nullable=False),
    Column("action", String(32), nullable=False),  # detected | settled | proposed | approved | resolved | closed ...
    Column("day", Date, nullable=True),
    Column("channel", String(16), nullable=True),
    Column("break_id", String(36), nullable=True),
    Column("department_code", String(48), nullable=True),
    Column("note", String(500), nullable=True),
    Column("data", Json, nullable=False),
)
Index("ix_finance_audit_day", finance_audit.c.day)
Index("ix_finance_audit_break", finance_audit.c.break_id)

# A Beijing day finance closed: its record (totals, runs, breaks and the ledger's cut) hashed and signed.
closed_days = Table(
    "closed_days",
    metadata,
    Column("day", Date, primary_key=True),
    Column("last_entry_id", Integer, nullable=False),  # the ledger's cut: entries after it belong to open days
    Column("record", Json, nullable=False),
    Column("record_sha256", String(64), nullable=False),
    Column("signature", String(200), nullable=False),  # ES256 over the hash, with the platform's key
    Column("closed_by", String(64), nullable=False),
    Column("closed_at", UTCDateTime, nullable=False),
)

# What moves from the platform's clearing to each department on a day, by fiscal item (清算指令).
clearing_instructions = Table(
    "clearing_instructions",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("day", Date, nullable=False),
    Column("department_code", String(48), nullable=False),
    Column("fiscal_code", String(16), nullable=False),
    Column("item_code", String(48), nullable=False),
    Column("amount_fen", BigInteger, nullable=False),
    Column("entry_id", Integer, ForeignKey("journal_entries.id"), nullable=True),  # the ledger's record of it
    Column("created_by", String(64), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    UniqueConstraint("day", "department_code", "item_code", name="uq_clearing_instructions_item"),
)
Index("ix_clearing_instructions_department", clearing_instructions.c.department_code, clearing_instructions.c.day)

# A Beijing day's period and its receipts are read by time (payments/closing): without these, every
# department total and closing would read the whole journal.
Index("ix_journal_entries_at", journal_entries.c.at)
Index("ix_receipts_issued_at", receipts.c.issued_at)
# Reconciliation reads one channel's books of one Beijing day by the channel's clock (migration 0009_recon).
Index("ix_payment_orders_channel_paid", payment_orders.c.channel, payment_orders.c.channel_paid_at)
Index("ix_refunds_channel_refunded", refunds.c.channel_refunded_at)
# --- finance views (issue 18): finding a payment by the channel's number or its application, and reading
# days of payments and refunds in order (payments.finance.search: a payment's moment is when it was
# credited, or opened for an order never paid) --------------------------------------------------------
Index("ix_payment_orders_channel_trade", payment_orders.c.channel_trade_no)
Index("ix_payment_orders_application", payment_orders.c.application_id)
# On PostgreSQL only, where a city's orders are (SQLite, for development and tests, reads its few without it)
Index(
    "ix_payment_orders_moment",
    func.coalesce(payment_orders.c.paid_at, payment_orders.c.created_at),
    payment_orders.c.id,
).ddl_if(dialect="postgresql")
Index("ix_refunds_created", refunds.c.created_at, refunds.c.id)

# The channels' fees, one row per paid order the bill charged one on (the fee sub-ledger): a reconciliation
# run writes its matched payments' new fees here in one statement and posts their sum as one journal entry
# (entry_id: it decides the day's period the fees belong to, as any entry does). No foreign keys: a city's
# day is a million rows written at once, and a per-row check of order, run and entry would cost more than
# the writing; every row comes from one INSERT ... SELECT that takes order_id from payment_orders itself
# and entry_id from the entry just posted (payments/reconciliation/fees.py).
payment_fees = Table(
    "payment_fees",
    metadata,
    Column("channel", String(16), primary_key=True),
    Column("out_trade_no", String(64), primary_key=True),
    Column("order_id", String(36), nullable=False),
    Column("fee_fen", BigInteger, nullable=False),  # positive: what the channel charged
    Column("day", Date, nullable=False),  # the Beijing day of the bill that stated it
    Column("run_id", Integer, nullable=False),  # the reconciliation run that recorded it
    Column("entry_id", Integer, nullable=False),  # the journal entry (kind fee) that posted it, with others
)
Index("ix_payment_fees_entry", payment_fees.c.entry_id)
