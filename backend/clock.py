"""The platform's clock: the one place the time is read when none is given, so a test can stand at 10:00
on a working Tuesday in Beijing and walk a visit to the hall through the real app, without sleeping and
whenever it runs (monkeypatch `backend.clock.now`).

Domain code takes `now` as a parameter; the transports (GraphQL resolvers, the CLI, the jobs) and the
applications' unit clock (backend/applications/unit.py) ask here. Read it as `clock.now()`, never
`from backend.clock import now`, so a moved clock is seen everywhere.
"""

from __future__ import annotations

from datetime import UTC, datetime


def now() -> datetime:
    """The current time, aware, in UTC."""
    return datetime.now(UTC)
