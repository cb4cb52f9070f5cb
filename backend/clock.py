"""The time the hall's transports ask for: one place, so a test can stand at 09:30 in Beijing on a working
day and walk a visit through the real app without sleeping or depending on when it runs.

Domain code takes `now` as a parameter; the GraphQL resolvers, the CLI and the jobs ask `now()` here.
Production never freezes it: `freeze` is for tests (tests/support/hall.py).
"""

from __future__ import annotations

from datetime import UTC, datetime

_frozen: datetime | None = None


def now() -> datetime:
    """The current time, in UTC (or the moment a test froze it at)."""
    return _frozen if _frozen is not None else datetime.now(UTC)


def freeze(moment: datetime | None) -> None:
    """Stop the clock at `moment` (timezone-aware), or let it run again with None."""
    global _frozen
    if moment is not None and moment.tzinfo is None:
        raise ValueError("freeze needs a timezone-aware moment")
    _frozen = moment.astimezone(UTC) if moment is not None else None
