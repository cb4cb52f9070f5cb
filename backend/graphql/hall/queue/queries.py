"""Queues: tickets, positions, counters, which hall now, the hall manager's view."""

from __future__ import annotations

import strawberry


@strawberry.type
class QueueQuery:
    """Queues: tickets, positions, counters, which hall now, the hall manager's view."""
