"""Reminding citizens before a certificate expires: an inbox notice 30 days before its valid_until.

A pass (hourly in `onewindow worker`, or `onewindow certificates remind` by hand) finds the valid
certificates of verified citizens that expire within the next REMIND_DAYS days and writes each one
notice. A notice's id is derived from the certificate and its valid_until, so a pass run again writes
nothing new, and of two passes racing (two instances) the later one fails on the primary key and writes
nothing (the next pass finds them sent); a renewed certificate (a later valid_until) is reminded again.
A pass that did not run for some days still reminds: the window is "expires within 30 days", not "in
exactly 30 days".
"""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from backend.applications import texts
from backend.db import tables as t
from backend.db.engine import execute
from backend.i18n import Catalogs, Locale

REMIND_DAYS = 30
KIND = "certificate_expiring"
_NAMESPACE = uuid.UUID("6f1c9a52-3b0e-4d35-9a1e-4c3f1f0e7a21")
_BATCH = 500


def reminder_id(certificate_id: str, valid_until: date) -> str:
    """The one notice's id for a certificate's expiry date."""
    return str(uuid.uuid5(_NAMESPACE, f"{KIND}:{certificate_id}:{valid_until.isoformat()}"))


async def remind_expiring(session: AsyncSession, today: date, now: datetime, days: int = REMIND_DAYS) -> int:
    """Write a notice for each valid certificate of a citizen expiring from `today` to `today + days`
    (China dates) that has none yet; how many were written. The caller owns the transaction."""
    c, citizen = t.certificates.c, t.citizens.c
    rows = (
        await execute(
            session,
            select(c.id, c.type_code, c.valid_until, citizen.id.label("citizen_id"))
            .join(t.citizens, citizen.id_number == c.holder_id_number)
            .where(
                c.status == "valid",
                c.valid_until.is_not(None),
                c.valid_until >= today,
                c.valid_until <= today + timedelta(days=days),
            )
            .order_by(c.valid_until, c.id),
        )
    ).all()
    written = 0
    for start in range(0, len(rows), _BATCH):
        batch = {reminder_id(r.id, r.valid_until): r for r in rows[start : start + _BATCH]}
        sent = set(
            (await execute(session, select(t.notifications.c.id).where(t.notifications.c.id.in_(batch)))).scalars()
        )
        fresh = [
            {
                "id": notice_id,
                "citizen_id": r.citizen_id,
                "application_id": None,
                "kind": KIND,
                "params": {"certificate_id": r.id, "type_code": r.type_code, "valid_until": r.valid_until.isoformat()},
                "created_at": now,
                "read_at": None,
            }
            for notice_id, r in batch.items()
            if notice_id not in sent
        ]
        if fresh:
            await session.execute(t.notifications.insert(), fresh)
            written += len(fresh)
    return written


def render_expiring(messages: Catalogs, locale: Locale, params: dict[str, Any], certificate_name: str) -> str:
    """A reminder's text in the reader's locale (the certificate's name is the catalog's, in that locale)."""
    return messages.gettext(
        locale, texts.CERTIFICATE_EXPIRING, certificate=certificate_name, valid_until=params["valid_until"]
    )
