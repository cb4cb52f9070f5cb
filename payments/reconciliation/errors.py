"""Why finance staff's reconciliation requests are refused."""

from __future__ import annotations

from enum import StrEnum

from backend.errors import register


class ReconciliationErrorCode(StrEnum):
    """Refusals of reconciliation requests (a bill not ready yet is a run, incomplete, not a refusal)."""

    DAY_IN_FUTURE = "DAY_IN_FUTURE"
    UNKNOWN_CHANNEL = "UNKNOWN_CHANNEL"


register(
    {
        ReconciliationErrorCode.DAY_IN_FUTURE: "{day} is still to come in Beijing: there is no bill for it yet.",
        ReconciliationErrorCode.UNKNOWN_CHANNEL: "There is no payment channel named {channel}.",
    }
)
