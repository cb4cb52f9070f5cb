"""The appointments' sweep (a job every minute): holds that expired, places whose anti-trading delay
ended, confirmed appointments nobody came to, and the SMS of no-show notices not yet sent.

Booking and the slot listing do the first two lazily for the slot at hand, so a place reopens exactly
at its time for whoever looks; the sweep keeps the other slots' counts true for the hall's figures."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import select, update

from backend.db import tables as t
from backend.db.engine import execute
from backend.hall.appointments import noshows, notices, slots
from backend.hall.appointments.booking import expire_holds
from backend.i18n import Catalogs, Locale
from backend.identity.sms import SmsSender

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

A = t.appointments
N = t.notifications


async def sweep(session: AsyncSession, sms: SmsSender, messages: Catalogs, now: datetime) -> dict[str, Any]:
    """One pass, in the caller's transaction; what it did, counted."""
    expired = await expire_holds(session, now)
    reopened = await slots.reopen_due(session, now)
    missed = 0
    for appointment in await noshows.missed(session, now):
        missed += await noshows.mark_no_show(session, appointment, now) is not None
    texted = await text_pending(session, sms, messages, now)
    return {"expired": expired, "reopened": reopened, "no_shows": missed, "texted": texted}


async def text_pending(session: AsyncSession, sms: SmsSender, messages: Catalogs, now: datetime) -> int:
    """Send the SMS of each no-show notice not texted yet (in the appointment's language)."""
    pending = select(A.c.id, A.c.citizen_id, A.c.outcome_at, A.c.locale).where(
        A.c.strike.in_([noshows.WARNING, noshows.COUNTED]), A.c.strike_texted_at.is_(None)
    )
    texted = 0
    for row in list(await execute(session, pending.limit(500))):
        notice = (
            await execute(
                session,
                select(N.c.kind, N.c.params).where(
                    N.c.citizen_id == row.citizen_id, N.c.kind.in_(notices.KINDS), N.c.created_at == row.outcome_at
                ),
            )
        ).first()
        phone = (await execute(session, select(t.citizens.c.phone).where(t.citizens.c.id == row.citizen_id))).scalar()
        if notice is not None and phone:
            locale = Locale(row.locale) if row.locale in Locale.__members__.values() else Locale.ZH_HANS
            await sms.send(session, phone, notices.sms(messages, locale, notice.kind, dict(notice.params)))
            texted += 1
        await session.execute(update(A).where(A.c.id == row.id).values(strike_texted_at=now))
    return texted
