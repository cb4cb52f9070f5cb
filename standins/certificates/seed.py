"""Load the stand-in certificate library for the synthetic population (demo and tests)."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from backend.certificates.service import CertificateStore
from backend.db import tables as t
from backend.identity.registry import Person
from standins.certificates.library import generate_certificates


async def seed_certificates(session: AsyncSession, log_key: bytes, *, batch: int = 1000) -> int:
    """Idempotent: when the store has no library certificates, generate them for every resident."""
    existing = (
        await session.execute(
            select(func.count()).select_from(t.certificates).where(t.certificates.c.source == "library")
        )
    ).scalar_one()
    if existing:
        return int(existing)
    columns = [t.registry_persons.c[name] for name in Person.__struct_fields__]
    # The sandbox personas' certificates are their own, fixed ones (standins/certificates/persona_wallets.py).
    rows = await session.execute(
        select(*columns)
        .where(t.registry_persons.c.persona.is_(None))
        .order_by(t.registry_persons.c.household_id, t.registry_persons.c.id_number)
    )
    people = [Person(**r._mapping) for r in rows]
    records = generate_certificates(people)
    store = CertificateStore(session, log_key)
    for start in range(0, len(records), batch):
        await store.store(records[start : start + batch], source="library")
    return len(records)
