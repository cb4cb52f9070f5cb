"""Reconciling the channels' daily bills with the books: runs and breaks (issue 18)."""

from __future__ import annotations

import strawberry


@strawberry.type
class ReconciliationMutation:
    """Filled by reconciliation."""
