"""The sandbox personas (standins/population/personas.py) in a test's own database, as `onewindow seed`
adds them: registry records, certificates on the trust log, verified accounts."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from backend.db.engine import unit_of_work
from standins.population.personas import PERSONAS, Persona
from standins.seed import seed_personas
from tests.conftest import TEST_SECRET


async def personas(db: async_sessionmaker[AsyncSession]) -> dict[str, Persona]:
    """The six personas, by key, seeded into this test's database (again: nothing changes)."""
    async with db() as session, unit_of_work(session):
        await seed_personas(session, master_secret=TEST_SECRET.encode())
    return {persona.key: persona for persona in PERSONAS}
