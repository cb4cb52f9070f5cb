"""Demo identity data: the synthetic population, the documented demo citizen, demo staff."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime

import msgspec
from sqlalchemy import func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from backend.applications.unit import ApplicationDeps
from backend.db import tables as t
from backend.identity import staff
from backend.identity.models import Role, RoleGrant
from backend.identity.registry import Person
from standins.population.generate import DEMO_PHONE, Street, generate

DEMO_PASSWORD = "onewindow-demo-2026"  # noqa: S105 - demo accounts only; seed refuses production
"""Every demo staff account's password (seed refuses to run with production settings)."""


@dataclass
class SeedReport:
    """What the identity seed created."""

    residents: int = 0
    certificates: int = 0
    demo_citizen: str = ""
    staff: list[tuple[str, str]] = field(default_factory=list)  # (username, what they are)


async def _streets(session: AsyncSession) -> list[Street]:
    streets, districts = t.regions.alias("s"), t.regions.alias("d")
    rows = await session.execute(
        select(streets.c.code, districts.c.code.label("district"), districts.c.name.label("dname"), streets.c.name)
        .join(districts, districts.c.code == streets.c.parent_code)
        .where(streets.c.level == "street")
        .order_by(streets.c.code)
    )
    return [Street(r.code, r.district, r.dname["zh-Hans"], r.name["zh-Hans"]) for r in rows]


async def seed_identity(session: AsyncSession, *, master_secret: bytes) -> SeedReport:
    """Idempotent: what exists is left alone. Needs the catalog (regions, departments) imported.

    `master_secret` keys the trust log the stand-in certificate library is appended to.
    """
    report = SeedReport()
    if not (await session.execute(select(func.count()).select_from(t.registry_persons))).scalar_one():
        streets = await _streets(session)
        if not streets:
            raise RuntimeError("import the catalog first: the population lives in its streets")
        people = generate(streets)
        for start in range(0, len(people), 500):
            await session.execute(insert(t.registry_persons), [_row(p) for p in people[start : start + 500]])
    report.residents = (await session.execute(select(func.count()).select_from(t.registry_persons))).scalar_one()
    report.demo_citizen = await _demo_citizen(session)
    from backend.certificates.trustlog import log_key
    from standins.certificates.seed import seed_certificates

    report.certificates = await seed_certificates(session, log_key(master_secret))
    departments = list((await session.execute(select(t.departments.c.code).order_by(t.departments.c.code))).scalars())
    wanted = [
        (f"officer.{code.lower()}", f"officer of {code}", [RoleGrant(Role.OFFICER, code)]) for code in departments
    ]
    halls = list((await session.execute(select(t.halls.c.code).order_by(t.halls.c.code))).scalars())
    wanted += [
        (f"manager.{code.lower()}", f"manager of {code}", [RoleGrant(Role.HALL_MANAGER, code)]) for code in halls
    ]
    wanted += [
        ("finance", "finance staff", [RoleGrant(Role.FINANCE)]),
        ("admin", "platform admin", [RoleGrant(Role.ADMIN)]),
    ]
    existing = set((await session.execute(select(t.staff.c.username))).scalars())
    for username, what, roles in wanted:
        if username not in existing:
            await staff.create_staff(session, username=username, name=what, password=DEMO_PASSWORD, roles=roles)
        report.staff.append((username, what))
    return report


def _row(person: Person) -> dict[str, object]:
    return msgspec.structs.asdict(person)


async def seed_personas(session: AsyncSession, *, master_secret: bytes) -> int:
    """Idempotent: add the sandbox personas (standins/population/personas.py) to the registry, their
    certificates to the library (on the trust log), and a verified account for each one's phone.
    Run after `seed_identity`, so that the population's generated certificates are not theirs.
    How many personas there are."""
    from backend.certificates.service import CertificateStore
    from backend.certificates.trustlog import log_key
    from standins.certificates.persona_wallets import persona_certificates
    from standins.population.personas import PERSONAS

    person = t.registry_persons.c
    if (await session.execute(select(func.count()).where(person.persona == PERSONAS[0].key))).scalar_one():
        return len(PERSONAS)
    rows = []
    for persona in PERSONAS:
        rows.append(_row(persona.person) | {"persona": persona.key})
        # Relatives carry their persona's key too (they have no phone, so they never sign in), and so
        # the population's certificate generator never gives them certificates of its own.
        rows += [_row(relative) | {"persona": f"{persona.key}:relative"} for relative in persona.relatives]
    await session.execute(insert(t.registry_persons), rows)
    await CertificateStore(session, log_key(master_secret)).store(persona_certificates(), source="library")
    now = datetime.now(UTC)
    for persona in PERSONAS:
        who = persona.person
        found = (await session.execute(select(t.citizens.c.id).where(t.citizens.c.phone == who.phone))).scalar()
        if found is None:
            await session.execute(
                insert(t.citizens).values(
                    id=str(uuid.uuid4()),
                    phone=who.phone,
                    id_number=who.id_number,
                    name=who.name,
                    verified_at=now,
                    created_at=now,
                )
            )
    return len(PERSONAS)


async def _demo_citizen(session: AsyncSession) -> str:
    """The demo citizen's account, verified against the registry record with phone 13800138000."""
    person = (await session.execute(select(t.registry_persons).where(t.registry_persons.c.phone == DEMO_PHONE))).one()
    found = (await session.execute(select(t.citizens.c.id).where(t.citizens.c.phone == DEMO_PHONE))).scalar()
    if found:
        return str(found)
    citizen_id = str(uuid.uuid4())
    now = datetime.now(UTC)
    await session.execute(
        insert(t.citizens).values(
            id=citizen_id,
            phone=DEMO_PHONE,
            id_number=person.id_number,
            name=person.name,
            verified_at=now,
            created_at=now,
        )
    )
    return citizen_id


class _Unsent:
    """The SMS sender of seeding: a seeded application texts nobody (its inbox notices are kept)."""

    async def send(self, session: AsyncSession, phone: str, body: str) -> None:
        """Send nothing."""


async def seed_persona_applications(session: AsyncSession, deps: ApplicationDeps) -> dict[str, list[str]]:
    """Idempotent: submit the personas' known applications (standins/population/personas.py) through the
    applications service, as submitApplication does, each once (a persona's application of that matter
    is left alone). Run after `seed_personas`. Persona key -> the references of their known applications.

    `deps` is the platform's own (the certificate library's numbers, messages...) except for SMS: none
    is sent. A matter the imported catalog lacks is skipped. Raises RuntimeError when the platform
    decides one differently than the personas say."""
    from backend.applications.services import Applications
    from backend.applications.unit import Unit
    from backend.catalog.snapshot import load_snapshot
    from standins.population.personas import PERSONAS

    quiet = replace(deps, sms=_Unsent())
    snapshot = await load_snapshot(session)
    seeded: dict[str, list[str]] = {}
    for persona in PERSONAS:
        if not persona.applications:
            continue
        citizen_id = (
            await session.execute(select(t.citizens.c.id).where(t.citizens.c.phone == persona.person.phone))
        ).scalar_one()
        seeded[persona.key] = []
        for known in persona.applications:
            if known.matter_code not in snapshot.by_code:
                continue  # a catalog other than the demo one (ONEWINDOW_CATALOG_DIR) may not have it
            found = (
                await session.execute(
                    select(t.applications.c.reference)
                    .where(t.applications.c.citizen_id == citizen_id, t.applications.c.matter_code == known.matter_code)
                    .order_by(t.applications.c.submitted_at)
                    .limit(1)
                )
            ).scalar()
            if found is None:
                unit = Unit(session, quiet, snapshot, now=deps.clock, calendar=deps.calendar)
                made = await Applications(unit).submission.submit(
                    citizen_id, known.matter_code, None, dict(known.values), {}
                )
                if made.status != known.status:
                    raise RuntimeError(f"{persona.key}'s {known.matter_code} is {made.status}, not {known.status}")
                found = made.reference
            seeded[persona.key].append(found)
    return seeded
