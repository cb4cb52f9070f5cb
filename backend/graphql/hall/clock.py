"""The hall's resolvers read the time from the app's one clock (ApplicationDeps.clock, whose default is
backend.clock.now), so a test that moves it moves booking, the queue, the visit and 好差评 together."""

from __future__ import annotations

from datetime import datetime

from strawberry.types import Info


def now(info: Info) -> datetime:
    """The time now, aware, by the app's clock."""
    moment: datetime = info.context.resources.applications.clock()
    return moment
