"""A closed day's record: what it held, as canonical JSON, its SHA-256 and the platform's ES256 signature.

The record is computed from the database (payments/closing/books.py) at the day's cut, so it can be
computed again later and must come out byte for byte the same: that is what `verify` checks. The
signature is the receipts' key (payments/receipts.py: ECDSA P-256 derived from the platform secret,
its public half served at GET /receipts/key) over the hex digest, so an auditor needs only the file
and the public key:

    record = json.load(open("closed-day-2026-12-06.json"))
    canonical = json.dumps(record["record"], sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    assert hashlib.sha256(canonical).hexdigest() == record["record_sha256"]
    public_key.verify(base64.b64decode(record["signature"]), record["record_sha256"].encode(),
                      ec.ECDSA(hashes.SHA256()))
"""

from __future__ import annotations

import base64
import hashlib
from datetime import date, datetime
from typing import Any

import msgspec
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from sqlalchemy.ext.asyncio import AsyncSession

from payments import receipts
from payments.closing.books import day_figures


async def day_record(
    session: AsyncSession, day: date, channels: list[str], *, cut: int, as_of: datetime
) -> dict[str, Any]:
    """The day's record at its cut: runs, the four totals per department and channel, the breaks and
    their resolutions, the ledger's cut, the receipts' totals. Only JSON's own types (no floats)."""
    found = await day_figures(session, day, channels, as_of=as_of, cut=cut)
    departments = [
        {
            "department_code": f.department_code,
            "channel": f.channel,
            "bill_fen": f.bill_fen,
            "collected_fen": f.collected_fen,
            "refunded_fen": f.refunded_fen,
            "fees_fen": f.fees_fen,
            "books_net_fen": f.books_net_fen,
            "receipts_issued_fen": f.receipts_issued_fen,
            "receipts_reversed_fen": f.receipts_reversed_fen,
            # The clearing instruction is the books' net of the day: issued after closing, from these
            "clearing_fen": f.books_net_fen,
        }
        for _, f in sorted(found.figures.items())
    ]
    breaks = [
        {
            "id": b.id,
            "channel": b.channel,
            "kind": b.kind,
            "entry_kind": b.entry_kind,
            "reference": b.reference,
            "channel_fen": b.channel_fen,
            "platform_fen": b.platform_fen,
            "status": b.status,
            "resolution": b.resolution,
            "note": b.resolution_note,
            "proposed_by": b.proposed_by,
            "resolved_by": b.resolved_by,
            "resolved_at": b.resolved_at.isoformat() if b.resolved_at else None,
        }
        for b in found.breaks
    ]
    figures = list(found.figures.values())
    return {
        "day": day.isoformat(),
        "as_of": as_of.isoformat(),
        "ledger_cut": cut,
        "channels": {name: {"runs": runs} for name, runs in found.runs.items()},
        "departments": departments,
        "breaks": breaks,
        "receipts": {
            "issued_fen": sum(f.receipts_issued_fen for f in figures),
            "reversed_fen": sum(f.receipts_reversed_fen for f in figures),
        },
    }


def canonical(record: dict[str, Any]) -> bytes:
    """Sorted keys, no spaces, UTF-8 (the same bytes as Python's json.dumps(sort_keys=True,
    separators=(",", ":"), ensure_ascii=False): what an auditor recomputes)."""
    return msgspec.json.encode(record, order="sorted")


def digest(record: dict[str, Any]) -> str:
    """The record's SHA-256, hex."""
    return hashlib.sha256(canonical(record)).hexdigest()


def sign(master_secret: bytes, record_sha256: str) -> str:
    """The platform's ES256 signature over the hex digest, base64 (the receipts' key)."""
    return receipts.sign(master_secret, record_sha256.encode())


def signature_valid(public_key: ec.EllipticCurvePublicKey, record_sha256: str, signature: str) -> bool:
    """Whether `signature` is the platform's over `record_sha256`."""
    try:
        public_key.verify(base64.b64decode(signature), record_sha256.encode(), ec.ECDSA(hashes.SHA256()))
    except (InvalidSignature, ValueError):
        return False
    return True


def public_key(master_secret: bytes) -> ec.EllipticCurvePublicKey:
    """The receipts' public key (what GET /receipts/key serves)."""
    return receipts.issuing_key(master_secret).public_key()


def public_key_pem(master_secret: bytes) -> bytes:
    """The receipts' public key as PEM (what GET /receipts/key serves)."""
    return receipts.public_key_pem(master_secret).encode()
