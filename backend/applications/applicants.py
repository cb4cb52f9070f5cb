"""Who is applying: the verified citizen's registry profile, and where their SMS go."""

from __future__ import annotations

from backend.applications.errors import ApplicationErrorCode
from backend.applications.forms import Profile
from backend.applications.unit import Unit
from backend.errors import CommonErrorCode, DomainError
from backend.identity import citizens


class Applicants:
    """Citizens as applicants."""

    def __init__(self, unit: Unit) -> None:
        self._unit = unit

    async def profile(self, citizen_id: str) -> tuple[Profile, str]:
        """The verified citizen's profile and phone; REAL_NAME_REQUIRED until they are verified."""
        row = await citizens.account(self._unit.session, citizen_id)
        if row is None:
            raise DomainError(CommonErrorCode.UNAUTHENTICATED)
        registry = self._unit.deps.registry
        person = await registry.person(self._unit.session, row.id_number) if row.id_number else None
        if person is None:
            raise DomainError(ApplicationErrorCode.REAL_NAME_REQUIRED)
        profile = Profile(
            name=person.name,
            id_number=person.id_number,
            phone=row.phone,
            address=person.address,
            birth_date=person.birth_date,
            sex=person.sex,
            region_code=person.region_code,
        )
        return profile, row.phone

    async def phone_of(self, citizen_id: str) -> str | None:
        """Where a citizen's SMS go."""
        found = await citizens.account(self._unit.session, citizen_id)
        return found.phone if found else None
