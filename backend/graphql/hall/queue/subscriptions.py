"""Queues live: a ticket's position and wait."""

from __future__ import annotations

import strawberry


@strawberry.type
class QueueSubscription:
    """Queues live: a ticket's position and wait."""
