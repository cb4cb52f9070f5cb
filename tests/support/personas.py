"""The sandbox personas (standins/population/personas.py) in a test's own database, as `onewindow seed`
adds them: registry records, certificates on the trust log, verified accounts, known applications."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from backend.applications.unit import ApplicationDeps
from backend.certificates.trustlog import log_key
from backend.db.engine import unit_of_work
from backend.i18n import catalogs
from backend.settings import get_settings
from standins.certificates.numbers import StandInNumbers
from standins.population.personas import PERSONAS, Persona
from standins.population.registry import StandInRegistry
from standins.seed import seed_persona_applications, seed_personas
from standins.sms import OutboxSms
from tests.conftest import TEST_SECRET


async def personas(db: async_sessionmaker[AsyncSession]) -> dict[str, Persona]:
    """The six personas, by key, seeded into this test's database (again: nothing changes)."""
    secret = TEST_SECRET.encode()
    deps = ApplicationDeps(
        OutboxSms(), catalogs(get_settings().locales_dir), StandInRegistry(), log_key(secret), StandInNumbers()
    )
    async with db() as session, unit_of_work(session):
        await seed_personas(session, master_secret=secret)
        await seed_persona_applications(session, deps)
    return {persona.key: persona for persona in PERSONAS}
