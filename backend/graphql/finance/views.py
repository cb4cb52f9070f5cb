"""Finance staff's views: payments and refunds found and listed, department day totals (issue 18)."""

from __future__ import annotations

import strawberry


@strawberry.type
class FinanceQuery:
    """Filled by the finance views."""
