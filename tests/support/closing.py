"""Reconciliation runs and breaks as the reconciling job writes them (reconciliation_runs and
reconciliation_breaks, by the tables' contract), and the GraphQL documents of closing: what closing's
tests need until the reconciliation's own job is merged."""

from __future__ import annotations

import base64
import hashlib
import json
import uuid
from collections.abc import Iterable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import load_pem_public_key
from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from backend.db.engine import unit_of_work
from payments import tables as pt

Sessions = async_sessionmaker[AsyncSession]

RESOLVE = """mutation($id: ID!, $r: BreakResolutionKind!, $n: String) {
  resolveBreak(id: $id, resolution: $r, note: $n) {
    difference { id reference status resolution note awaitingApproval proposedBy resolvedBy }
    errors { code field message } } }"""
APPROVE = """mutation($id: ID!) { approveWriteOff(id: $id) {
  difference { id status resolution awaitingApproval resolvedBy } errors { code message } } }"""
CLOSE = """mutation($d: Date!) { closeDay(day: $d) {
  closedDay { day ledgerCut recordSha256 signature publicKeyUrl file } errors { code field message } } }"""
VERIFY = "query($d: Date!) { verifyClosedDay(day: $d) { valid verdict recordSha256 recomputedSha256 signatureValid } }"
CLOSED = "query($d: Date!) { closedDay(day: $d) { day ledgerCut record recordSha256 signature file } }"
CLEAR = """mutation($d: Date!) { issueClearing(day: $d) {
  instructions { departmentCode departmentName fiscalCode itemCode amount state } errors { code message } } }"""
INSTRUCTIONS = """query($d: Date!, $c: String) { clearingInstructions(day: $d, departmentCode: $c) {
  departmentCode departmentName itemCode amount state } }"""
TOTALS = """query($d: Date!, $c: String) { departmentDayTotals(day: $d, departmentCode: $c) {
  departmentCode departmentName bill collected refunded fees net receiptsIssued receiptsReversed receiptsNet
  clearing agree summary differences { between amount explanations { text amount } } } }"""
AUDIT = """query($d: Date, $f: Int!) { financeAudit(day: $d, first: $f) {
  items { actor action channel breakId note } hasNextPage } }"""


async def run_of(
    db: Sessions, channel: str, day: date, verdict: str = "reconciled", *, started_by: str = "job:reconcile"
) -> int:
    """A finished reconciliation run of `channel`'s bill of `day`; its id."""
    now = datetime.now(UTC)
    async with db() as session, unit_of_work(session):
        result = await session.execute(
            insert(pt.reconciliation_runs).returning(pt.reconciliation_runs.c.id),
            {
                "channel": channel,
                "day": day,
                "verdict": verdict,
                "reason": None,
                "counts": {"bill_rows": 0, "matched": 0},
                "totals": {"bill_fen": 0, "books_fen": 0, "fees_fen": 0},
                "started_by": started_by,
                "started_at": now,
                "finished_at": now,
            },
        )
        return int(result.scalar_one())


async def runs_of_every_channel(db: Sessions, channels: Iterable[str], day: date) -> list[int]:
    """A clean run of each channel's bill of the day."""
    return [await run_of(db, name, day) for name in sorted(channels)]


async def planted_break(
    db: Sessions,
    run_id: int,
    channel: str,
    day: date,
    kind: str,
    reference: str,
    *,
    channel_fen: int | None = None,
    platform_fen: int | None = None,
    trade_no: str | None = None,
) -> str:
    """A payment break the run found and asking the channel again did not settle; its id."""
    break_id = str(uuid.uuid4())
    async with db() as session, unit_of_work(session):
        await session.execute(
            insert(pt.reconciliation_breaks).values(
                id=break_id,
                channel=channel,
                day=day,
                kind=kind,
                entry_kind="payment",
                reference=reference,
                trade_no=trade_no,
                channel_fen=channel_fen,
                platform_fen=platform_fen,
                priority="P1",
                status="new",
                first_run_id=run_id,
                last_run_id=run_id,
                detected_at=datetime.now(UTC),
            )
        )
    return break_id


def auditor_accepts(path: Path, public_key_pem: bytes) -> bool:
    """What the record file's instructions tell an auditor to do, with the standard library and the key."""
    exported: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    canonical = json.dumps(exported["record"], sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    if hashlib.sha256(canonical).hexdigest() != exported["record_sha256"]:
        return False
    key = load_pem_public_key(public_key_pem)
    assert isinstance(key, ec.EllipticCurvePublicKey)
    try:
        key.verify(
            base64.b64decode(exported["signature"]), exported["record_sha256"].encode(), ec.ECDSA(hashes.SHA256())
        )
    except Exception:
        return False
    return True
