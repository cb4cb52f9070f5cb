"""The tamper-evident log (上链): an append-only SHA-256 hash chain of certificates and decisions.

Each entry commits to the previous entry's hash, so changing, removing or reordering any entry
breaks every link after it (`check_chain` walks them all). Each entry also carries an HMAC under a
key derived from ONEWINDOW_SECRET_KEY, so someone who can write to the database but does not hold
the key cannot forge an entry: checking one certificate costs one entry, not a walk to the head.
Appends take the head row's lock first (an UPDATE), which serializes them on SQLite and PostgreSQL.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any

import msgspec
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from backend.db import tables as t
from backend.db.engine import execute

GENESIS = "0" * 64


def log_key(master_secret: bytes) -> bytes:
    """The trust log's MAC key, derived from the platform's master secret."""
    return hmac.new(master_secret, b"onewindow/trust-log", hashlib.sha256).digest()


def content_hash(document: Any) -> str:
    """SHA-256 of a canonical JSON rendering (sorted keys, no spaces, UTF-8)."""
    text = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def entry_hash(prev_hash: str, seq: int, kind: str, subject: str, content: str, at: datetime) -> str:
    """The hash that links one entry to the previous one."""
    material = "|".join([prev_hash, str(seq), kind, subject, content, at.astimezone(UTC).isoformat()])
    return hashlib.sha256(material.encode()).hexdigest()


def mac(key: bytes, seq: int, digest: str) -> str:
    """The entry's (or the head's) HMAC: only the key holder can produce it."""
    return hmac.new(key, f"{seq}|{digest}".encode(), hashlib.sha256).hexdigest()


class Entry(msgspec.Struct, frozen=True):
    """One appended entry."""

    seq: int
    kind: str
    subject: str
    content_hash: str
    prev_hash: str
    entry_hash: str
    mac: str
    at: datetime


async def append_many(session: AsyncSession, key: bytes, items: Iterable[tuple[str, str, str]]) -> list[Entry]:
    """Append (kind, subject, content_hash) items in order; returns their entries."""
    items = list(items)
    if not items:
        return []
    head_row = t.trust_log_head.c
    # The UPDATE takes the write lock before we read the head, so two appends never share a seq.
    await session.execute(update(t.trust_log_head).where(head_row.id == 1).values(seq=head_row.seq))
    head = (await session.execute(select(head_row.seq, head_row.entry_hash))).one()
    seq, prev = head.seq, head.entry_hash
    at = datetime.now(UTC)
    entries = []
    for kind, subject, content in items:
        seq += 1
        digest = entry_hash(prev, seq, kind, subject, content, at)
        entries.append(Entry(seq, kind, subject, content, prev, digest, mac(key, seq, digest), at))
        prev = digest
    await session.execute(t.trust_log.insert(), [msgspec.structs.asdict(e) for e in entries])
    await session.execute(
        update(t.trust_log_head).where(head_row.id == 1).values(seq=seq, entry_hash=prev, mac=mac(key, seq, prev))
    )
    return entries


async def append(session: AsyncSession, key: bytes, kind: str, subject: str, content: str) -> Entry:
    """Append one entry."""
    return (await append_many(session, key, [(kind, subject, content)]))[0]


def _recompute(row: Any) -> str:
    return entry_hash(row.prev_hash, row.seq, row.kind, row.subject, row.content_hash, row.at)


class EntryCheck(msgspec.Struct, frozen=True):
    """How one entry stands: it vouches for this content and subject, its hash holds, and its MAC."""

    found: bool
    content_matches: bool
    hash_valid: bool
    mac_valid: bool

    @property
    def intact(self) -> bool:
        """Whether nothing about this entry was altered or forged."""
        return self.found and self.content_matches and self.hash_valid and self.mac_valid


async def check_entry(session: AsyncSession, key: bytes, seq: int, subject: str, expected_content: str) -> EntryCheck:
    """Check one entry against the subject and content it should vouch for."""
    row = (await execute(session, select(t.trust_log).where(t.trust_log.c.seq == seq))).first()
    if row is None:
        return EntryCheck(found=False, content_matches=False, hash_valid=False, mac_valid=False)
    return EntryCheck(
        found=True,
        content_matches=row.content_hash == expected_content and row.subject == subject,
        hash_valid=_recompute(row) == row.entry_hash,
        mac_valid=hmac.compare_digest(row.mac, mac(key, row.seq, row.entry_hash)),
    )


async def entries_about(session: AsyncSession, key: bytes, subject: str, kind: str) -> list[Entry]:
    """Authentic entries of one kind about a subject (a certificate's revocation, say)."""
    rows = await execute(
        session, select(t.trust_log).where(t.trust_log.c.subject == subject, t.trust_log.c.kind == kind)
    )
    return [
        Entry(r.seq, r.kind, r.subject, r.content_hash, r.prev_hash, r.entry_hash, r.mac, r.at)
        for r in rows
        if _recompute(r) == r.entry_hash and hmac.compare_digest(r.mac, mac(key, r.seq, r.entry_hash))
    ]


class ChainReport(msgspec.Struct, frozen=True):
    """The result of walking the whole chain."""

    entries: int
    broken_at: int | None  # the first seq whose hash, link or MAC does not hold
    head_matches: bool

    @property
    def intact(self) -> bool:
        """Whether every entry and the head hold."""
        return self.broken_at is None and self.head_matches


async def check_chain(
    session: AsyncSession, key: bytes, *, batch: int = 5000, progress: Callable[[int], Any] | None = None
) -> ChainReport:
    """Walk every entry in order, recomputing hashes, links and MACs; `progress(n)` is called per batch."""
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
            valid = (
                row.seq == expected_seq
                and row.prev_hash == prev
                and _recompute(row) == row.entry_hash
                and hmac.compare_digest(row.mac, mac(key, row.seq, row.entry_hash))
            )
            if broken is None and not valid:
                broken = row.seq
            prev, expected_seq, last = row.entry_hash, row.seq + 1, row.seq
            count += 1
        if progress is not None:
            progress(len(rows))
    head = (await execute(session, select(t.trust_log_head))).one()
    head_matches = head.seq == last and head.entry_hash == prev
    if last:
        head_matches = head_matches and hmac.compare_digest(head.mac or "", mac(key, head.seq, head.entry_hash))
    return ChainReport(entries=count, broken_at=broken, head_matches=head_matches)
