"""An application that finishes (办结 or refused) becomes rateable by its citizen (好差评, 一事一评), in the
transaction that finished it. The composition root hands this to the applications domain
(ApplicationDeps.on_finished), so applications and the hall never import each other."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from backend.applications.models import Application
from backend.hall.ratings.opening import Rateable, RatedKind, open_rating


async def open_online_rating(session: AsyncSession, application: Application, now: datetime) -> None:
    """The finished application's matter, rateable online once (a bundle's parent has no matter: its steps are)."""
    if application.matter_code and application.department_code:
        rateable = Rateable(
            kind=RatedKind.ONLINE_CASE,
            subject_id=application.id,
            citizen_id=application.citizen_id,
            department_code=application.department_code,
            matter_code=application.matter_code,
            finished_at=now,
        )
        await open_rating(session, rateable)
