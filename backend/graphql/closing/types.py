"""GraphQL types of closing: resolved breaks, closed days and their check, department day totals,
clearing instructions, the finance audit trail. Amounts are yuan with two decimals; labels are in the
reader's language."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

import strawberry
from strawberry.scalars import JSON

from backend.graphql.context import Info
from backend.graphql.errors import PayloadError
from backend.i18n import pick
from payments.closing import audit, clearing, days, resolutions, texts, totals
from payments.money import yuan
from payments.reconciliation.reading import Break


@strawberry.enum(description="How finance resolves a reconciliation difference.")
class BreakResolutionKind(Enum):
    CREDIT = "credit"  # a 长款 whose order exists: credited from the channel's answer
    REFUND = "refund"  # a 长款 nobody owes: refunded to the payer
    WRITE_OFF = "write_off"  # a 短款: written off, once a second finance staff member approves
    ACCEPTED = "accepted"  # explained by the note; no money moves


def department_name(info: Info, code: str) -> str:
    """A department's name in the reader's language (the catalog snapshot must be loaded)."""
    if not code:
        return info.context.gettext(texts.NO_DEPARTMENT)
    found = info.context.snapshot.departments.get(code)
    return pick(found.name, info.context.locale) if found else code


@strawberry.type(description="A reconciliation difference (差错) and how it was resolved.")
class ResolvedBreak:
    id: strawberry.ID
    reference: str = strawberry.field(description="Our trade number (or refund request number) it concerns.")
    status: str = strawberry.field(description="Its state, in your language.")
    resolution: str | None = strawberry.field(description="How it was resolved, in your language.")
    note: str | None
    awaiting_approval: bool = strawberry.field(description="A write-off proposed, waiting for a second person.")
    proposed_by: str | None = strawberry.field(description="Who proposed the write-off (their name).")
    resolved_by: str | None = strawberry.field(description="Who resolved it (their name).")
    resolved_at: datetime | None

    @classmethod
    def build(cls, found: Break, info: Info, names: dict[str, str]) -> ResolvedBreak:
        said = info.context.gettext
        state = "awaiting" if found.pending_write_off else found.status
        return cls(
            id=strawberry.ID(found.id),
            reference=found.reference,
            status=said(texts.BREAK_STATES.get(state, texts.BREAK_STATES["persisting"])),
            resolution=said(resolutions.RESOLUTION_LABELS[found.resolution]) if found.resolution else None,
            note=found.resolution_note,
            awaiting_approval=found.pending_write_off,
            proposed_by=names.get(found.proposed_by, found.proposed_by) if found.proposed_by else None,
            resolved_by=names.get(found.resolved_by, found.resolved_by) if found.resolved_by else None,
            resolved_at=found.resolved_at,
        )


@strawberry.type
class ResolveBreakPayload:
    difference: ResolvedBreak | None
    errors: list[PayloadError]


@strawberry.type(description="A closed day: its record, hashed (SHA-256) and signed (ES256) by the platform.")
class ClosedDay:
    day: date
    ledger_cut: int = strawberry.field(description="The last journal entry of the day: later ones are the next day's.")
    record: JSON = strawberry.field(description="The record as signed (amounts in fen).")
    record_sha256: str
    signature: str = strawberry.field(description="ES256 over the hex digest, base64; key at publicKeyUrl.")
    closed_by: str
    closed_at: datetime
    public_key_url: str
    file: JSON = strawberry.field(
        description="The file an auditor keeps: the record, its hash, its signature, and how to check them offline."
    )

    @classmethod
    def build(cls, found: days.ClosedDay, info: Info) -> ClosedDay:
        base = (info.context.settings.public_url or "http://127.0.0.1:8000").rstrip("/")
        key_url = f"{base}/receipts/key"
        content: Any = found.record
        kept: Any = found.file(key_url)
        return cls(
            day=found.day,
            ledger_cut=found.last_entry_id,
            record=content,
            record_sha256=found.record_sha256,
            signature=found.signature,
            closed_by=found.closed_by,
            closed_at=found.closed_at,
            public_key_url=key_url,
            file=kept,
        )


@strawberry.type
class CloseDayPayload:
    closed_day: ClosedDay | None
    errors: list[PayloadError]


@strawberry.type(description="A closed day's record computed again from the database and checked.")
class DayVerification:
    day: date
    valid: bool
    verdict: str = strawberry.field(description="What the check found, in your language.")
    record_sha256: str
    recomputed_sha256: str
    signature_valid: bool

    @classmethod
    def build(cls, found: days.Verification, info: Info) -> DayVerification:
        if found.valid:
            verdict = texts.VERIFIED
        elif not found.signature_valid:
            verdict = texts.ALTERED
        else:
            verdict = texts.CHANGED
        return cls(
            day=found.day,
            valid=found.valid,
            verdict=info.context.gettext(verdict),
            record_sha256=found.record_sha256,
            recomputed_sha256=found.recomputed_sha256,
            signature_valid=found.signature_valid,
        )


@strawberry.type(description="One reason for a difference, and the amount it accounts for.")
class Explanation:
    text: str
    amount: Decimal


@strawberry.type(description="Two of the four totals that do not agree.")
class TotalsDifference:
    between: str
    amount: Decimal
    explanations: list[Explanation]


@strawberry.type(description="A department's Beijing day: the four totals that must agree, and why they do not.")
class DepartmentDayTotals:
    day: date
    department_code: str
    department_name: str
    bill: Decimal | None = strawberry.field(description="The channels' bills (null: not reconciled yet).")
    collected: Decimal
    refunded: Decimal
    fees: Decimal = strawberry.field(description="The channels' fees on its payments, borne by the platform.")
    net: Decimal = strawberry.field(description="Owed to the department for the day: collected minus refunded.")
    receipts_issued: Decimal
    receipts_reversed: Decimal
    receipts_net: Decimal
    clearing: Decimal | None = strawberry.field(description="The clearing instruction (null: not issued yet).")
    agree: bool
    summary: str = strawberry.field(description="The totals said in words.")
    differences: list[TotalsDifference]

    @classmethod
    def build(cls, found: totals.DepartmentTotals, info: Info) -> DepartmentDayTotals:
        said = info.context.gettext
        net = yuan(found.books_net_fen)
        summary = said(texts.SETTLED if found.clearing_fen is not None else texts.HELD, amount=net)
        return cls(
            day=found.day,
            department_code=found.department_code,
            department_name=department_name(info, found.department_code),
            bill=yuan(found.bill_fen) if found.bill_fen is not None else None,
            collected=yuan(found.collected_fen),
            refunded=yuan(found.refunded_fen),
            fees=yuan(found.fees_fen),
            net=net,
            receipts_issued=yuan(found.receipts_issued_fen),
            receipts_reversed=yuan(found.receipts_reversed_fen),
            receipts_net=yuan(found.receipts_net_fen),
            clearing=yuan(found.clearing_fen) if found.clearing_fen is not None else None,
            agree=found.agree,
            summary=summary,
            differences=[
                TotalsDifference(
                    between=said(d.between),
                    amount=yuan(d.amount_fen),
                    explanations=[Explanation(text=said(why), amount=yuan(fen)) for why, fen in d.explanations],
                )
                for d in found.differences
            ],
        )


@strawberry.type(description="What moves from the platform to a department for one fiscal item of a day (清算).")
class ClearingInstruction:
    id: strawberry.ID
    day: date
    department_code: str
    department_name: str
    fiscal_code: str
    item_code: str
    amount: Decimal
    issued_at: datetime
    state: str = strawberry.field(description="What it did to the department's balance, in words.")

    @classmethod
    def build(cls, found: clearing.Instruction, info: Info) -> ClearingInstruction:
        return cls(
            id=strawberry.ID(found.id),
            day=found.day,
            department_code=found.department_code,
            department_name=department_name(info, found.department_code),
            fiscal_code=found.fiscal_code,
            item_code=found.item_code,
            amount=yuan(found.amount_fen),
            issued_at=found.created_at,
            state=info.context.gettext(texts.CLEARED),
        )


@strawberry.type
class IssueClearingPayload:
    instructions: list[ClearingInstruction]
    errors: list[PayloadError]


@strawberry.type(description="One act of finance staff or the reconciling job, as the control ledger keeps it.")
class FinanceAuditEntry:
    cursor: str
    at: datetime
    actor: str = strawberry.field(description="Who acted: a staff member's name, or the job or terminal user.")
    action: str = strawberry.field(description="What was done, in your language.")
    day: date | None
    channel: str | None = strawberry.field(description="The payment channel's name.")
    break_id: strawberry.ID | None
    note: str | None
    data: JSON

    @classmethod
    def build(cls, found: audit.AuditEntry, info: Info, names: dict[str, str]) -> FinanceAuditEntry:
        label = audit.ACTION_LABELS.get(found.action)
        data: Any = found.data
        return cls(
            cursor=str(found.id),
            at=found.at,
            actor=names.get(found.actor, found.actor),
            action=info.context.gettext(label) if label else found.action,
            day=found.day,
            channel=pick(days.channel_name(found.channel), info.context.locale) if found.channel else None,
            break_id=strawberry.ID(found.break_id) if found.break_id else None,
            note=found.note,
            data=data,
        )


@strawberry.type
class FinanceAuditPage:
    items: list[FinanceAuditEntry]
    end_cursor: str | None
    has_next_page: bool
