"""What finance staff see of a payment or a refund: amounts, channel, the state in words, the departments
by name, the payer masked, Beijing times and receipt numbers. Shared by the lists and the exports, so a
file says what the screen says."""

from __future__ import annotations

import functools
from collections.abc import Collection, Sequence
from datetime import datetime

import msgspec
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from backend.db.engine import execute
from backend.i18n import Msgid
from backend.privacy import mask_name
from payments import tables as t
from payments.finance.days import in_beijing
from payments.finance.references import References
from payments.finance.search import OrderHit
from payments.orders import status_label
from payments.parties import Parties

# A few states and a hundred thousand rows in an export: each label is worked out once.
_status_label = functools.cache(status_label)

# How each channel is named to a person (gettext msgids); an unknown channel shows its own name.
CHANNEL_LABELS = {"alipay": "Alipay", "wechatpay": "WeChat Pay"}


def channel_label(channel: str | None) -> Msgid | None:
    """The channel's name as a message (said in the reader's language)."""
    return Msgid(CHANNEL_LABELS.get(channel, channel)) if channel else None


class DepartmentShare(msgspec.Struct, frozen=True, kw_only=True):
    """One department's part of an order."""

    code: str
    name: dict[str, str]  # in each locale; the code itself when the catalog no longer has it
    amount_fen: int
    refunded_fen: int


class ReceiptNumber(msgspec.Struct, frozen=True, kw_only=True):
    """A receipt as finance quotes it: 票据代码 and 票据号码; red for a red-letter reversal."""

    department_code: str
    bill_code: str
    bill_number: str
    red: bool

    @property
    def text(self) -> str:
        """How a file writes it: 44010125-0000000123."""
        return f"{self.bill_code}-{self.bill_number}"


class PaymentView(msgspec.Struct, frozen=True, kw_only=True):
    """A payment as finance staff see it (times in Beijing, payer masked)."""

    order_id: str
    out_trade_no: str
    channel: str | None
    channel_label: Msgid | None
    channel_trade_no: str | None
    subject: str
    total_fen: int
    refunded_fen: int
    status: str
    status_label: Msgid
    departments: list[DepartmentShare]
    payer: str | None
    reference: str | None
    created_at: datetime
    paid_at: datetime | None
    channel_paid_at: datetime | None
    receipts: list[ReceiptNumber]
    moment: datetime  # its place in the list (the cursor's time)


async def department_names(
    session: AsyncSession, parties: Parties, codes: Collection[str]
) -> dict[str, dict[str, str]]:
    """Departments' names in each locale by code; a code the catalog does not know names itself."""
    units = await parties.issuing_units(session, set(codes))
    return {code: units[code].name if code in units else {"zh-Hans": code} for code in codes}


async def masked_payers(session: AsyncSession, parties: Parties, citizen_ids: Collection[str]) -> dict[str, str]:
    """Payers' names as finance may read them (李**): finance sees no profile (backend/privacy.py)."""
    names = await parties.payer_names(session, set(citizen_ids))
    return {citizen: mask_name(name) for citizen, name in names.items()}


async def receipt_numbers(session: AsyncSession, order_ids: Collection[str]) -> dict[str, list[ReceiptNumber]]:
    """Each order's receipts (originals, then reversals, in issuing order), numbers only."""
    r = t.receipts
    query = (
        select(r.c.order_id, r.c.department_code, r.c.bill_code, r.c.bill_number, r.c.kind)
        .where(r.c.order_id.in_(set(order_ids)))
        .order_by(r.c.issued_at, r.c.bill_number)
    )
    found: dict[str, list[ReceiptNumber]] = {}
    for row in await execute(session, query):
        found.setdefault(row.order_id, []).append(
            ReceiptNumber(
                department_code=row.department_code,
                bill_code=row.bill_code,
                bill_number=row.bill_number,
                red=row.kind == "red",
            )
        )
    return found


async def payment_views(
    session: AsyncSession, parties: Parties, references: References, found: Sequence[OrderHit]
) -> list[PaymentView]:
    """The views of a page (or an export's batch) of orders: five queries, whatever its size."""
    ids = [hit.id for hit in found]
    lines: dict[str, list[tuple[str, int, int]]] = {}
    query = (
        select(
            t.order_lines.c.order_id,
            t.order_lines.c.department_code,
            t.order_lines.c.amount_fen,
            t.order_lines.c.refunded_fen,
        )
        .where(t.order_lines.c.order_id.in_(ids))
        .order_by(t.order_lines.c.order_id, t.order_lines.c.line_no)
    )
    for row in await execute(session, query):
        lines.setdefault(row.order_id, []).append((row.department_code, row.amount_fen, row.refunded_fen))
    names = await department_names(session, parties, {code for each in lines.values() for code, _, _ in each})
    payers = await masked_payers(session, parties, {hit.citizen_id for hit in found})
    refs = await references.references_of(session, {hit.application_id for hit in found if hit.application_id})
    receipts = await receipt_numbers(session, ids)
    views = []
    for hit in found:
        shares: dict[str, tuple[int, int]] = {}
        for code, amount, refunded in lines.get(hit.id, []):
            before = shares.get(code, (0, 0))
            shares[code] = (before[0] + amount, before[1] + refunded)
        views.append(
            PaymentView(
                order_id=hit.id,
                out_trade_no=hit.out_trade_no,
                channel=hit.channel,
                channel_label=channel_label(hit.channel),
                channel_trade_no=hit.channel_trade_no,
                subject=hit.subject,
                total_fen=hit.total_fen,
                refunded_fen=hit.refunded_fen,
                status=hit.status,
                status_label=_status_label(hit.status, min(hit.refunded_fen, 1)),  # only whether any came back
                departments=[
                    DepartmentShare(code=code, name=names[code], amount_fen=amount, refunded_fen=refunded)
                    for code, (amount, refunded) in shares.items()
                ],
                payer=payers.get(hit.citizen_id),
                reference=refs.get(hit.application_id) if hit.application_id else None,
                created_at=in_beijing(hit.created_at) or hit.created_at,
                paid_at=in_beijing(hit.paid_at),
                channel_paid_at=in_beijing(hit.channel_paid_at),
                receipts=receipts.get(hit.id, []),
                moment=hit.moment,
            )
        )
    return views
