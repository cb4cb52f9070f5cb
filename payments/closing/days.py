"""Closing a Beijing day: only once every channel's bill of it is reconciled (or its breaks resolved);
the record hashed, signed and kept in closed_days; a second close refused. Checking a closed day again.

The ledger's cut is the last journal entry id when the day closes. On PostgreSQL the journal is locked
against new entries for the instant of reading it (SHARE mode waits for transactions writing entries
and holds new ones back until the close commits), so no entry with a lower id can commit after the
cut: an id sequence hands out numbers before commit, and without the lock such an entry would slip
into a closed day. SQLite has one writer at a time anyway.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import msgspec
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import load_pem_public_key
from sqlalchemy import func, insert, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from payments import tables as t
from payments.closing import audit, record
from payments.closing.errors import ClosingError, ClosingErrorCode
from payments.closing.period import beijing_today
from payments.reconciliation.reading import Break

# How each channel is named to people, by locale (the errors list them)
CHANNEL_NAMES: dict[str, dict[str, str]] = {
    "alipay": {"zh-Hans": "支付宝", "zh-Hant": "支付寶", "en": "Alipay"},
    "wechatpay": {"zh-Hans": "微信支付", "zh-Hant": "微信支付", "en": "WeChat Pay"},
}


class ClosedDay(msgspec.Struct, frozen=True, kw_only=True):
    """A closed day as kept."""

    day: date
    last_entry_id: int
    record: dict[str, Any]
    record_sha256: str
    signature: str
    closed_by: str
    closed_at: datetime

    def file(self, public_key_url: str) -> dict[str, Any]:
        """What an auditor downloads: the record, its hash and signature, and how to check them."""
        return {
            "day": self.day.isoformat(),
            "record": self.record,
            "record_sha256": self.record_sha256,
            "signature": self.signature,
            "signature_algorithm": "ES256 (ECDSA P-256, SHA-256) over the UTF-8 bytes of record_sha256",
            "canonical_form": "JSON of `record` with sorted keys, separators (',', ':'), not ASCII-escaped, UTF-8",
            "public_key_url": public_key_url,
            "closed_by": self.closed_by,
            "closed_at": self.closed_at.isoformat(),
        }


class Verification(msgspec.Struct, frozen=True, kw_only=True):
    """A closed day's record recomputed from the database and checked against what was signed."""

    day: date
    record_sha256: str
    recomputed_sha256: str
    signature_valid: bool

    @property
    def valid(self) -> bool:
        """The day is as it was closed, and the platform signed it."""
        return self.signature_valid and self.record_sha256 == self.recomputed_sha256


def channel_name(code: str) -> dict[str, str]:
    """A channel's name in each locale."""
    return CHANNEL_NAMES.get(code, {"zh-Hans": code, "zh-Hant": code, "en": code})


def _listed(parts: list[dict[str, str]], joiner: dict[str, str]) -> dict[str, str]:
    return {locale: joiner[locale].join(part[locale] for part in parts) for locale in joiner}


async def open_items(session: AsyncSession, day: date, channels: list[str]) -> tuple[list[str], list[dict[str, str]]]:
    """What keeps a day from closing: channels without a run, and (in words) each unfinished run and
    open break."""
    run = t.reconciliation_runs.c
    latest: dict[str, Any] = {}
    for row in await session.execute(
        select(t.reconciliation_runs).where(run.day == day, run.channel.in_(channels)).order_by(run.id)
    ):
        latest[row.channel] = row
    missing = [name for name in channels if name not in latest]
    breaks_c = t.reconciliation_breaks.c
    columns = [breaks_c[name] for name in Break.__struct_fields__]
    unresolved = [
        Break(**row._mapping)
        for row in await session.execute(
            select(*columns).where(breaks_c.day == day, breaks_c.status != "resolved").order_by(breaks_c.reference)
        )
    ]
    why: list[dict[str, str]] = []
    for name, row in sorted(latest.items()):
        said = channel_name(name)
        if row.verdict in ("running", "incomplete"):
            why.append(
                {
                    "zh-Hans": f"{said['zh-Hans']}的对账未完成",
                    "zh-Hant": f"{said['zh-Hant']}的對賬未完成",
                    "en": f"the reconciliation of {said['en']} did not finish",
                }
            )
        elif row.verdict != "reconciled":
            waiting = [b for b in unresolved if b.channel == name]
            if waiting:
                refs = ", ".join(b.reference for b in waiting)
                count = len(waiting)
                why.append(
                    {
                        "zh-Hans": f"{said['zh-Hans']}有{count}笔差错未处理（{refs}）",
                        "zh-Hant": f"{said['zh-Hant']}有{count}筆差錯未處理（{refs}）",
                        "en": f"{count} difference(s) of {said['en']} still open ({refs})",
                    }
                )
    return missing, why


async def close_day(
    session: AsyncSession, day: date, channels: list[str], actor: str, master_secret: bytes
) -> ClosedDay:
    """Close the day (see the module); the caller commits."""
    if day > beijing_today():
        raise ClosingError(ClosingErrorCode.FUTURE_DAY, field="day", day=day.isoformat())
    if await get_closed_day(session, day) is not None:
        raise ClosingError(ClosingErrorCode.DAY_ALREADY_CLOSED, field="day", day=day.isoformat())
    missing, why = await open_items(session, day, channels)
    if missing:
        listed = _listed([channel_name(name) for name in missing], {"zh-Hans": "、", "zh-Hant": "、", "en": ", "})
        raise ClosingError(ClosingErrorCode.DAY_WITHOUT_RUNS, field="day", day=day.isoformat(), channels=listed)
    if why:
        listed = _listed(why, {"zh-Hans": "；", "zh-Hant": "；", "en": "; "})
        raise ClosingError(ClosingErrorCode.DAY_HAS_OPEN_BREAKS, field="day", day=day.isoformat(), open=listed)
    if session.bind.dialect.name == "postgresql":
        await session.execute(text("LOCK TABLE journal_entries IN SHARE MODE"))
    cut = int((await session.execute(select(func.coalesce(func.max(t.journal_entries.c.id), 0)))).scalar_one())
    closed_at = datetime.now(UTC)  # kept to the microsecond on either database: the record reads up to it
    content = await record.day_record(session, day, channels, cut=cut, as_of=closed_at)
    sha = record.digest(content)
    closed = ClosedDay(
        day=day,
        last_entry_id=cut,
        record=content,
        record_sha256=sha,
        signature=record.sign(master_secret, sha),
        closed_by=actor,
        closed_at=closed_at,
    )
    try:
        async with session.begin_nested():
            await session.execute(insert(t.closed_days).values(**msgspec.structs.asdict(closed)))
    except IntegrityError:  # closed by someone else at the same moment: the first close stands
        raise ClosingError(ClosingErrorCode.DAY_ALREADY_CLOSED, field="day", day=day.isoformat()) from None
    await audit.record(session, actor, "closed", day=day, data={"record_sha256": sha, "ledger_cut": cut})
    return closed


async def get_closed_day(session: AsyncSession, day: date) -> ClosedDay | None:
    """The day's record if it is closed."""
    row = (await session.execute(select(t.closed_days).where(t.closed_days.c.day == day))).first()
    return ClosedDay(**row._mapping) if row else None


async def verify_day(session: AsyncSession, day: date, master_secret: bytes) -> Verification:
    """Recompute the closed day's record from the database and check its hash and signature."""
    closed = await get_closed_day(session, day)
    if closed is None:
        raise ClosingError(ClosingErrorCode.DAY_NOT_CLOSED, field="day", day=day.isoformat())
    recomputed = await record.day_record(
        session, day, sorted(closed.record.get("channels", {})), cut=closed.last_entry_id, as_of=closed.closed_at
    )
    return Verification(
        day=day,
        record_sha256=closed.record_sha256,
        recomputed_sha256=record.digest(recomputed),
        signature_valid=record.signature_valid(
            record.public_key(master_secret), closed.record_sha256, closed.signature
        ),
    )


def verify_file(file: dict[str, Any], public_key_pem: bytes) -> bool:
    """An auditor's check of an exported record with only the file and the public key."""
    key = load_pem_public_key(public_key_pem)
    if not isinstance(key, ec.EllipticCurvePublicKey):
        return False
    sha = str(file["record_sha256"])
    return record.digest(file["record"]) == sha and record.signature_valid(key, sha, str(file["signature"]))
