"""The double-entry ledger: immutable journal entries that always balance.

A posting's amount is in fen, debits positive and credits negative; every entry's postings sum to
zero. Balances and statements are computed from the postings, never stored apart from them. An
entry's (kind, reference) is unique: the backstop behind crediting exactly once however many times a
notification arrives (the order's open -> paid step is the gate).

Accounts: `channel:<name>` (asset: money the channel holds for us), `clearing` (liability: received,
not yet split), `dept:<code>` (liability: owed to a department), `fees:<channel>` (expense), `suspense` (liability),
`writeoff:<channel>` (expense: an approved write-off), `bank:clearing` (asset: what clearing pays out of).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

import msgspec
from sqlalchemy import func, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from payments import tables as t

KINDS = {
    "channel": "asset",
    "clearing": "liability",
    "dept": "liability",
    "fees": "expense",
    "suspense": "liability",
    # A 短款 finance wrote off (approved by a second person): money the books expected from the channel
    # that never came, an expense of the platform, kept per channel.
    "writeoff": "expense",
    # bank:clearing, the platform's settlement account the daily clearing pays departments from: an
    # asset, because paying a department out of it discharges what the platform owes the department
    # (dept:<code> debit) while the money leaves the platform (the asset credited).
    "bank": "asset",
}


class UnbalancedEntryError(ValueError):
    """An entry whose postings do not sum to zero: a bug, never written."""


def account_kind(code: str) -> str:
    """The kind of an account from its code's prefix."""
    return KINDS[code.split(":", 1)[0]]


async def ensure_accounts(session: AsyncSession, codes: Sequence[str]) -> None:
    """Open the accounts that do not exist yet (an account is opened on its first posting)."""
    existing = set(
        (
            await session.execute(select(t.ledger_accounts.c.code).where(t.ledger_accounts.c.code.in_(set(codes))))
        ).scalars()
    )
    missing = sorted(set(codes) - existing)
    for code in missing:
        try:
            async with session.begin_nested():
                await session.execute(insert(t.ledger_accounts).values(code=code, kind=account_kind(code), name=code))
        except IntegrityError:  # opened by a concurrent transaction: fine
            continue
        # Known only once committed elsewhere too; a rollback of this transaction is rare enough
        # that re-checking on the next posting is the cost, not a wrong ledger.


class Entry(msgspec.Struct, frozen=True, kw_only=True):
    """One journal entry to write."""

    kind: str
    reference: str
    memo: str
    postings: list[tuple[str, int]]
    order_id: str | None = None


async def post_many(session: AsyncSession, entries: Sequence[Entry]) -> list[int]:
    """Write several balanced entries in two statements (a credit writes three at once)."""
    for entry in entries:
        if sum(amount for _, amount in entry.postings) != 0 or not entry.postings:
            raise UnbalancedEntryError(f"{entry.kind} {entry.reference}: postings do not sum to zero")
    await ensure_accounts(session, sorted({account for e in entries for account, _ in e.postings}))
    now = datetime.now(UTC)
    rows = [
        {"kind": e.kind, "reference": e.reference, "order_id": e.order_id, "memo": e.memo[:200], "at": now}
        for e in entries
    ]
    result = await session.execute(
        insert(t.journal_entries).returning(t.journal_entries.c.id, sort_by_parameter_order=True), rows
    )
    ids = [int(row.id) for row in result]
    await session.execute(
        insert(t.postings),
        [
            {"entry_id": i, "account": a, "amount_fen": f}
            for i, e in zip(ids, entries, strict=True)
            for a, f in e.postings
            if f
        ],
    )
    return ids


async def post(
    session: AsyncSession,
    *,
    kind: str,
    reference: str,
    memo: str,
    postings: Sequence[tuple[str, int]],
    order_id: str | None = None,
) -> int:
    """Write one balanced entry. A second entry with the same (kind, reference) violates the unique
    constraint and fails the whole unit of work: callers gate on state first (an order moves open ->
    paid once), the constraint is the backstop."""
    entry = Entry(kind=kind, reference=reference, memo=memo, postings=list(postings), order_id=order_id)
    return (await post_many(session, [entry]))[0]


async def balance(session: AsyncSession, account: str) -> int:
    """An account's balance in fen (debits minus credits), from its postings."""
    total = (
        await session.execute(
            select(func.coalesce(func.sum(t.postings.c.amount_fen), 0)).where(t.postings.c.account == account)
        )
    ).scalar_one()
    return int(total)


class LedgerReport(msgspec.Struct, frozen=True):
    """What `onewindow ledger check` prints."""

    entries: int
    postings: int
    unbalanced_entries: list[int]
    debits_fen: int
    credits_fen: int
    balances: dict[str, int]

    @property
    def ok(self) -> bool:
        """Every entry balances, so debits equal credits."""
        return not self.unbalanced_entries and self.debits_fen == -self.credits_fen


async def check(session: AsyncSession, progress: Callable[[int], Any] | None = None) -> LedgerReport:
    """Check every entry balances and derive every account's balance from the postings."""
    entries = (await session.execute(select(func.count()).select_from(t.journal_entries))).scalar_one()
    unbalanced = [
        row.entry_id
        for row in await session.execute(
            select(t.postings.c.entry_id).group_by(t.postings.c.entry_id).having(func.sum(t.postings.c.amount_fen) != 0)
        )
    ]
    # An entry without postings is as wrong as an unbalanced one.
    empty = [
        row.id
        for row in await session.execute(
            select(t.journal_entries.c.id).where(~t.journal_entries.c.id.in_(select(t.postings.c.entry_id)))
        )
    ]
    sums = (
        await session.execute(
            select(
                func.count(),
                func.coalesce(func.sum(func.abs(t.postings.c.amount_fen)).filter(t.postings.c.amount_fen > 0), 0),
                func.coalesce(func.sum(t.postings.c.amount_fen).filter(t.postings.c.amount_fen < 0), 0),
            )
        )
    ).one()
    balances = {
        row.account: int(row.total)
        for row in await session.execute(
            select(t.postings.c.account, func.sum(t.postings.c.amount_fen).label("total"))
            .group_by(t.postings.c.account)
            .order_by(t.postings.c.account)
        )
    }
    if progress is not None:
        progress(int(entries))
    return LedgerReport(
        entries=int(entries),
        postings=int(sums[0]),
        unbalanced_entries=sorted(unbalanced + empty),
        debits_fen=int(sums[1]),
        credits_fen=int(sums[2]),
        balances=balances,
    )
