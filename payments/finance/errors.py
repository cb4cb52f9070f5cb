"""The finance views' and exports' error codes: what a finance person reads when a request cannot be met."""

from __future__ import annotations

from enum import StrEnum

from backend.errors import register


class FinanceErrorCode(StrEnum):
    """Why a finance search or export was refused (stable codes; the message says it in words)."""

    FINANCE_DAYS_REVERSED = "FINANCE_DAYS_REVERSED"
    FINANCE_DAYS_TOO_MANY = "FINANCE_DAYS_TOO_MANY"
    FINANCE_DAY_IN_FUTURE = "FINANCE_DAY_IN_FUTURE"
    FINANCE_UNKNOWN_DEPARTMENT = "FINANCE_UNKNOWN_DEPARTMENT"
    EXPORT_KIND_UNAVAILABLE = "EXPORT_KIND_UNAVAILABLE"
    EXPORT_LINK_INVALID = "EXPORT_LINK_INVALID"


register(
    {
        FinanceErrorCode.FINANCE_DAYS_REVERSED: (
            "The last day ({day_to}) is before the first day ({day_from}): swap them or pick the days again."
        ),
        FinanceErrorCode.FINANCE_DAYS_TOO_MANY: (
            "An export covers at most {max} days; these dates cover {days}. Export a shorter period at a time."
        ),
        FinanceErrorCode.FINANCE_DAY_IN_FUTURE: (
            "{day} has not come yet (today is {today}, Beijing time): there is nothing to show for it."
        ),
        FinanceErrorCode.FINANCE_UNKNOWN_DEPARTMENT: "There is no department with the code {department}.",
        FinanceErrorCode.EXPORT_KIND_UNAVAILABLE: "Exports of {kind} are not available yet.",
        FinanceErrorCode.EXPORT_LINK_INVALID: (
            "This download link is not valid or has expired. Ask for the export again to get a new link."
        ),
    }
)
