"""Queues: taking a ticket, checking in, officers' calls."""

from __future__ import annotations

import strawberry


@strawberry.type
class QueueMutation:
    """Queues: taking a ticket, checking in, officers' calls."""
