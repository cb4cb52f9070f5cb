"""Every ledger account's balance said in words: what the money is and whose it is.

The ledger keeps debits positive and credits negative, so a liability (money the platform owes: to a
department, in clearing, held for a refund) has a negative balance. Nobody should have to know that to
read it: each account gets a sentence ("Owed to 广州市公安局: 250.00") with the amount as a positive
number, and the side (debit: held or spent by the platform; credit: owed by it) in words.
"""

from __future__ import annotations

from collections.abc import Mapping

import msgspec
from sqlalchemy.ext.asyncio import AsyncSession

from backend.i18n import Catalogs, Locale, Msgid, pick
from payments.finance.rows import channel_label, department_names
from payments.ledger import account_kind
from payments.parties import Parties

KIND_LABELS = {"asset": "Asset", "liability": "Liability", "expense": "Expense"}
SIDE_LABELS = {
    "debit": "Debit balance: the platform holds or has spent this money",
    "credit": "Credit balance: the platform owes this money",
    "zero": "Nothing outstanding",
}

# Per account family: what a balance on its usual side means, at zero, and on the other side.
_USUAL = {"channel": "debit", "fees": "debit", "clearing": "credit", "dept": "credit", "suspense": "credit"}
MEANINGS: dict[str, tuple[str, str, str]] = {
    "channel": (
        "Held by {channel} for the platform: {amount}",
        "Nothing held by {channel}",
        "Paid out by {channel} beyond what it held for the platform: {amount}",
    ),
    "clearing": (
        "Received, not yet split among the departments: {amount}",
        "Nothing waiting to be split among the departments",
        "Split out to the departments beyond what was received: {amount}",
    ),
    "dept": (
        "Owed to {department}: {amount}",
        "Settled with {department}: nothing owed",
        "{department} owes the platform: {amount} (refunded more than it was owed)",
    ),
    "fees": (
        "Fees paid to {channel}: {amount}",
        "No fees paid to {channel}",
        "Fees given back by {channel}: {amount}",
    ),
    "suspense": (
        "Held for refund of duplicate payments: {amount}",
        "No duplicate payment waiting for its refund",
        "Refunded of duplicate payments beyond what was held: {amount}",
    ),
}


class BalanceLine(msgspec.Struct, frozen=True, kw_only=True):
    """One account: its balance as the ledger keeps it, and as a person reads it."""

    account: str
    kind: str  # asset | liability | expense
    kind_label: Msgid
    balance_fen: int  # debits minus credits
    amount_fen: int  # the balance as a positive amount
    side: str  # debit | credit | zero
    side_label: Msgid
    meaning: Msgid  # a message with {amount}, {channel}, {department}
    params: dict[str, object]  # amount as yuan text; a channel's name as a Msgid; a department's name per locale
    usual: bool  # whether the balance is on the side the account normally has (else worth a look)


def _side(balance: int) -> str:
    return "zero" if balance == 0 else ("debit" if balance > 0 else "credit")


def explain(balances: Mapping[str, int], names: Mapping[str, dict[str, str]]) -> list[BalanceLine]:
    """Each account's line, in the order given; `names` are departments' names by code."""
    from payments.money import to_yuan

    lines = []
    for account, balance in balances.items():
        family, _, suffix = account.partition(":")
        side = _side(balance)
        usual, zero, other = MEANINGS[family]
        meaning = zero if side == "zero" else (usual if side == _USUAL[family] else other)
        params: dict[str, object] = {"amount": to_yuan(abs(balance))}
        if family in ("channel", "fees"):
            params["channel"] = channel_label(suffix) or suffix
        if family == "dept":
            params["department"] = names.get(suffix) or {"zh-Hans": suffix}
        kind = account_kind(account)
        lines.append(
            BalanceLine(
                account=account,
                kind=kind,
                kind_label=Msgid(KIND_LABELS[kind]),
                balance_fen=balance,
                amount_fen=abs(balance),
                side=side,
                side_label=Msgid(SIDE_LABELS[side]),
                meaning=Msgid(meaning),
                params=params,
                usual=side in ("zero", _USUAL[family]),
            )
        )
    return lines


async def explained_balances(session: AsyncSession, parties: Parties, balances: Mapping[str, int]) -> list[BalanceLine]:
    """`explain`, with the departments' names asked of the platform."""
    codes = {account.partition(":")[2] for account in balances if account.startswith("dept:")}
    return explain(balances, await department_names(session, parties, codes) if codes else {})


def said(messages: Catalogs, locale: Locale, line: BalanceLine) -> str:
    """The line's meaning in `locale` (a channel's name and a department's said in it too)."""
    params = {
        key: messages.gettext(locale, value)
        if isinstance(value, Msgid)
        else pick(value, locale)
        if isinstance(value, dict)
        else value
        for key, value in line.params.items()
    }
    return messages.gettext(locale, line.meaning, **params)


async def account_balances(session: AsyncSession) -> dict[str, int]:
    """Every open account's balance from its postings (an account at zero too: "settled"), by code."""
    from sqlalchemy import func, select

    from backend.db.engine import execute
    from payments import tables as t

    query = (
        select(t.ledger_accounts.c.code, func.coalesce(func.sum(t.postings.c.amount_fen), 0).label("total"))
        .select_from(t.ledger_accounts.outerjoin(t.postings, t.postings.c.account == t.ledger_accounts.c.code))
        .group_by(t.ledger_accounts.c.code)
        .order_by(t.ledger_accounts.c.code)
    )
    return {row.code: int(row.total) for row in await execute(session, query)}
