"""The tamper-evident log (上链): an append-only SHA-256 hash chain of certificates and decisions.

Each entry commits to the previous entry's hash, so changing, removing or reordering any entry (or
the certificate it vouches for) breaks every hash after it. Appends take the head row's lock first
(an UPDATE), which serializes them on SQLite and PostgreSQL alike; callers append at the end of their
unit of work so the lock is held briefly.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

import msgspec
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from backend.db import tables as t
from backend.db.engine import execute

GENESIS = "0" * 64


def content_hash(document: Any) -> str:
    """SHA-256 of a canonical JSON rendering (sorted keys, no spaces, UTF-8)."""
    text = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def entry_hash(prev_hash: str, seq: int, kind: str, subject: str, content: str, at: datetime) -> str:
    """The hash that links one entry to the previous one."""
    material = "|".join([prev_hash, str(seq), kind, subject, content, at.astimezone(UTC).isoformat()])
    return hashlib.sha256(material.encode()).hexdigest()


class Entry(msgspec.Struct, frozen=True):
    """One appended entry."""

    seq: int
    kind: str
    subject: str
    content_hash: str
    prev_hash: str
    entry_hash: str
    at: datetime


async def append_many(session: AsyncSession, items: Iterable[tuple[str, str, str]]) -> list[Entry]:
    """Append (kind, subject, content_hash) items in order; returns their entries."""
    items = list(items)
    if not items:
        return []
    # The UPDATE takes the write lock before we read the head, so two appends never share a seq.
    await session.execute(update(t.trust_log_head).where(t.trust_log_head.c.id == 1).values(seq=t.trust_log_head.c.seq))
    head = (await session.execute(select(t.trust_log_head.c.seq, t.trust_log_head.c.entry_hash))).one()
    seq, prev = head.seq, head.entry_hash
    at = datetime.now(UTC)
    entries = []
    for kind, subject, content in items:
        seq += 1
        digest = entry_hash(prev, seq, kind, subject, content, at)
        entries.append(Entry(seq, kind, subject, content, prev, digest, at))
        prev = digest
    await session.execute(t.trust_log.insert(), [msgspec.structs.asdict(e) for e in entries])
    await session.execute(update(t.trust_log_head).where(t.trust_log_head.c.id == 1).values(seq=seq, entry_hash=prev))
    return entries


async def append(session: AsyncSession, kind: str, subject: str, content: str) -> Entry:
    """Append one entry."""
    return (await append_many(session, [(kind, subject, content)]))[0]


class EntryCheck(msgspec.Struct, frozen=True):
    """How one entry stands: its own hash recomputes, and the next entry (or the head) links to it."""

    found: bool
    content_matches: bool
    hash_valid: bool
    linked: bool

    @property
    def intact(self) -> bool:
        """Whether nothing about this entry was altered."""
        return self.found and self.content_matches and self.hash_valid and self.linked


def _recompute(row: Any) -> str:
    return entry_hash(row.prev_hash, row.seq, row.kind, row.subject, row.content_hash, row.at)


async def check_entry(session: AsyncSession, seq: int, expected_content: str) -> EntryCheck:
    """Check one entry against the content it should vouch for and its neighbours in the chain."""
    rows = (
        await execute(
            session, select(t.trust_log).where(t.trust_log.c.seq.in_([seq, seq + 1])).order_by(t.trust_log.c.seq)
        )
    ).all()
    row = next((r for r in rows if r.seq == seq), None)
    if row is None:
        return EntryCheck(found=False, content_matches=False, hash_valid=False, linked=False)
    following = next((r for r in rows if r.seq == seq + 1), None)
    if following is not None:
        linked = following.prev_hash == row.entry_hash
    else:
        head = (await execute(session, select(t.trust_log_head.c.seq, t.trust_log_head.c.entry_hash))).one()
        linked = head.seq == seq and head.entry_hash == row.entry_hash
    return EntryCheck(
        found=True,
        content_matches=row.content_hash == expected_content,
        hash_valid=_recompute(row) == row.entry_hash,
        linked=linked,
    )


class ChainReport(msgspec.Struct, frozen=True):
    """The result of walking the whole chain."""

    entries: int
    broken_at: int | None  # the first seq whose hash or link does not hold
    head_matches: bool

    @property
    def intact(self) -> bool:
        """Whether every entry and the head hold."""
        return self.broken_at is None and self.head_matches


async def check_chain(session: AsyncSession, *, batch: int = 5000, progress: Any = None) -> ChainReport:
    """Walk every entry in order, recomputing hashes and links; `progress(n)` is called per batch."""
    prev, expected_seq, count, broken = GENESIS, 1, 0, None
    last = 0
    while True:
        rows = (
            await execute(
                session, select(t.trust_log).where(t.trust_log.c.seq > last).order_by(t.trust_log.c.seq).limit(batch)
            )
        ).all()
        if not rows:
            break
        for row in rows:
            if broken is None and (
                row.seq != expected_seq or row.prev_hash != prev or _recompute(row) != row.entry_hash
            ):
                broken = row.seq
            prev, expected_seq, last = row.entry_hash, row.seq + 1, row.seq
            count += 1
        if progress is not None:
            progress(len(rows))
    head = (await execute(session, select(t.trust_log_head.c.seq, t.trust_log_head.c.entry_hash))).one()
    return ChainReport(entries=count, broken_at=broken, head_matches=head.seq == last and head.entry_hash == prev)
