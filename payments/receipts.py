"""Fiscal e-receipts (财政电子票据): one per department per payment, red-letter reversals (冲红) for refunds.

The finance bureau's platform assigns each receipt its 票据代码 (8 digits), 票据号码 (10 digits) and
校验码 (6 characters); outside production a stand-in does (its own number series per code, check
codes keyed by its own secret). The platform signs every receipt's content with its issuing key
(ECDSA P-256, derived from the platform secret) so a receipt and its PDF can be checked offline.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import json
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any, Literal, Protocol

import msgspec
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from backend.db.batch import per_key
from backend.db.engine import execute
from payments import tables as t

CHECK_ALPHABET = "0123456789ABCDEFGHJKLMNPQRSTUVWXYZ"


class Receipt(msgspec.Struct, frozen=True, kw_only=True):
    """A receipt as stored."""

    id: str
    order_id: str
    department_code: str
    bill_code: str
    bill_number: str
    check_code: str
    kind: str
    reverses: str | None
    status: str
    payer: str
    items: list[dict[str, Any]]
    total_fen: int
    issuer: dict[str, Any]
    signature: str
    issued_at: datetime

    @property
    def category(self) -> Category:
        """A tax payment certificate when it receipts a tax, else a non-tax revenue receipt (its items
        carry their fee's kind, as the catalog gave it when the receipt was issued)."""
        kinds = {item.get("fee_kind", "non_tax") for item in self.items}
        return "tax" if kinds == {"tax"} else "non_tax"

    @property
    def original(self) -> tuple[str, str] | None:
        """A red-letter reversal's original receipt: (票据代码, 票据号码)."""
        for item in self.items:
            if item.get("original_bill_code"):
                return str(item["original_bill_code"]), str(item["original_bill_number"])
            if isinstance(item.get("reverses"), str) and "-" in item["reverses"]:  # reversals issued before
                code, number = item["reverses"].split("-", 1)
                return code, number
        return None


Category = Literal["non_tax", "tax"]
# What each category of receipt is called, in each locale.
CATEGORY_NAMES: dict[str, dict[str, str]] = {
    "non_tax": {"zh-Hans": "非税收入电子票据", "zh-Hant": "非稅收入電子票據", "en": "Non-tax revenue e-receipt"},
    "tax": {"zh-Hans": "税收完税证明", "zh-Hant": "稅收完稅證明", "en": "Tax payment certificate"},
}

# How a receipt's state reads, in each locale: a red-letter receipt is the reversal itself.
STATE_NAMES: dict[str, dict[str, str]] = {
    "valid": {"zh-Hans": "有效", "zh-Hant": "有效", "en": "Valid"},
    "partially_reversed": {"zh-Hans": "部分冲红", "zh-Hant": "部分沖紅", "en": "Partly reversed"},
    "reversed": {"zh-Hans": "已冲红", "zh-Hant": "已沖紅", "en": "Reversed"},
    "red": {"zh-Hans": "红字票据（冲红）", "zh-Hant": "紅字票據（沖紅）", "en": "Red-letter reversal"},
}

_COLUMNS = [t.receipts.c[name] for name in Receipt.__struct_fields__]


@functools.lru_cache(maxsize=4)
def issuing_key(master_secret: bytes) -> ec.EllipticCurvePrivateKey:
    """The platform's receipt-signing key, derived from its secret (nothing stored, same on every instance)."""
    seed = hmac.new(master_secret, b"onewindow/receipt-signing", hashlib.sha256).digest()
    order = int("FFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551", 16)
    return ec.derive_private_key(int.from_bytes(seed, "big") % (order - 1) + 1, ec.SECP256R1())


def public_key_pem(master_secret: bytes) -> str:
    """The issuing key's public half, for anyone verifying receipts."""
    key = issuing_key(master_secret).public_key()
    return key.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()


def content(receipt: Receipt | dict[str, Any]) -> bytes:
    """What the signature covers: the receipt's fields a verifier relies on, canonical JSON."""
    data = msgspec.structs.asdict(receipt) if isinstance(receipt, Receipt) else receipt
    fields = {
        k: data[k]
        for k in (
            "bill_code",
            "bill_number",
            "check_code",
            "kind",
            "reverses",
            "payer",
            "items",
            "total_fen",
            "issuer",
            "department_code",
        )
    }
    fields["issued_at"] = data["issued_at"].astimezone(UTC).isoformat()
    return json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def sign(master_secret: bytes, data: bytes) -> str:
    """ES256 signature, base64."""
    return base64.b64encode(issuing_key(master_secret).sign(data, ec.ECDSA(hashes.SHA256()))).decode()


def signature_valid(master_secret: bytes, receipt: Receipt) -> bool:
    """Whether the stored fields are what the platform signed."""
    try:
        issuing_key(master_secret).public_key().verify(
            base64.b64decode(receipt.signature), content(receipt), ec.ECDSA(hashes.SHA256())
        )
    except (InvalidSignature, ValueError):
        return False
    return True


class FinanceBureau(Protocol):
    """The finance bureau's platform (财政电子票据平台): numbers and check codes for receipts."""

    async def assign(self, session: AsyncSession, fiscal_code: str, year: int, total_fen: int) -> tuple[str, str, str]:
        """(票据代码, 票据号码, 校验码) for a receipt of a unit in a year."""
        ...


class ReceiptIssuer:
    """Issues and reverses receipts in the caller's transaction."""

    def __init__(self, master_secret: bytes, bureau: FinanceBureau) -> None:
        self._secret = master_secret
        self._bureau = bureau

    async def issue_many(
        self, session: AsyncSession, batch: Sequence[tuple[str, str, dict[str, Any], Sequence[dict[str, Any]]]]
    ) -> list[Receipt]:
        """Number, sign and store one receipt per (order id, payer, department, items), in one insert."""
        made = [
            await self._prepare(session, order_id, department, payer, items, "normal", None)
            for order_id, payer, department, items in batch
        ]
        if made:
            await session.execute(t.receipts.insert(), made)
        return [Receipt(**data) for data in made]

    async def _prepare(
        self,
        session: AsyncSession,
        order_id: str,
        department: dict[str, Any],
        payer: str,
        items: Sequence[dict[str, Any]],
        kind: str,
        reverses: str | None,
    ) -> dict[str, Any]:
        total = sum(int(x["amount_fen"]) for x in items)
        now = datetime.now(UTC)
        code, number, check = await self._bureau.assign(session, department["fiscal_code"], now.year, total)
        data: dict[str, Any] = {
            "id": str(uuid.uuid4()),
            "order_id": order_id,
            "department_code": department["code"],
            "bill_code": code,
            "bill_number": number,
            "check_code": check,
            "kind": kind,
            "reverses": reverses,
            "status": "valid",
            "payer": payer,
            "items": list(items),
            "total_fen": total,
            "issuer": department,
            "issued_at": now,
        }
        data["signature"] = sign(self._secret, content(data))
        return data

    async def issue(
        self,
        session: AsyncSession,
        *,
        order_id: str,
        department: dict[str, Any],
        payer: str,
        items: Sequence[dict[str, Any]],
        kind: Literal["normal", "red"] = "normal",
        reverses: str | None = None,
    ) -> Receipt:
        """Number, sign and store one receipt."""
        data = await self._prepare(session, order_id, department, payer, items, kind, reverses)
        await session.execute(t.receipts.insert().values(**data))
        return Receipt(**data)


async def receipts_of_orders(session: AsyncSession, order_ids: Sequence[str]) -> list[list[Receipt]]:
    """Each order's receipts in issue order (one query for a page of orders)."""
    rows = await execute(
        session,
        select(*_COLUMNS).where(t.receipts.c.order_id.in_(set(order_ids))).order_by(t.receipts.c.issued_at),
    )
    return per_key(rows, order_ids, "order_id", lambda row: Receipt(**row._mapping))


async def receipts_of_order(session: AsyncSession, order_id: str) -> list[Receipt]:
    """One order's receipts, in issue order."""
    return (await receipts_of_orders(session, [order_id]))[0]


async def receipts_of_citizen(session: AsyncSession, citizen_id: str, *, limit: int, offset: int) -> list[Receipt]:
    """A citizen's receipts, newest first."""
    rows = await execute(
        session,
        select(*_COLUMNS)
        .join(t.payment_orders, t.payment_orders.c.id == t.receipts.c.order_id)
        .where(t.payment_orders.c.citizen_id == citizen_id)
        .order_by(t.receipts.c.issued_at.desc())
        .limit(limit)
        .offset(offset),
    )
    return [Receipt(**r._mapping) for r in rows]


async def get_receipt(session: AsyncSession, receipt_id: str) -> Receipt | None:
    """One receipt (the caller checks who may see it)."""
    row = (await execute(session, select(*_COLUMNS).where(t.receipts.c.id == receipt_id))).first()
    return Receipt(**row._mapping) if row else None


Verdict = Literal["valid", "reversed", "partially_reversed", "unknown"]


async def verify(
    session: AsyncSession, master_secret: bytes, bill_code: str, bill_number: str, check_code: str
) -> tuple[Verdict, Receipt | None]:
    """What the public verification says: valid, reversed (wholly or partly), or unknown (incl. altered)."""
    row = (
        await execute(
            session,
            select(*_COLUMNS).where(
                t.receipts.c.bill_code == bill_code.strip(), t.receipts.c.bill_number == bill_number.strip()
            ),
        )
    ).first()
    if row is None:
        return "unknown", None
    receipt = Receipt(**row._mapping)
    if not hmac.compare_digest(receipt.check_code, check_code.strip().upper()) or not signature_valid(
        master_secret, receipt
    ):
        return "unknown", None
    if receipt.status in ("reversed", "partially_reversed"):
        return receipt.status, receipt  # type: ignore[return-value]
    return "valid", receipt
