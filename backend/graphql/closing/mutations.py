"""Resolving breaks, closing a day, clearing to departments (issue 18)."""

from __future__ import annotations

import strawberry


@strawberry.type
class ClosingMutation:
    """Filled by closing."""
