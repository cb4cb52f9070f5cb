"""Exports finance staff open in Excel: a download link for a table, as .xlsx or CSV (issue 18)."""

from __future__ import annotations

import strawberry


@strawberry.type
class ExportMutation:
    """Filled by the exports."""
