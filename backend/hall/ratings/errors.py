"""好差评's error codes: rating, rectifying, appealing."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from backend.errors import DomainError, register


class RatingErrorCode(StrEnum):
    """Why a rating, a rectification step or an appeal was refused."""

    RATING_NOT_FOUND = "RATING_NOT_FOUND"
    ALREADY_RATED = "ALREADY_RATED"
    RATING_CRITERIA_MISMATCH = "RATING_CRITERIA_MISMATCH"
    RATING_COMMENT_TOO_LONG = "RATING_COMMENT_TOO_LONG"
    RECTIFICATION_NOT_FOUND = "RECTIFICATION_NOT_FOUND"
    RECTIFICATION_CLOSED = "RECTIFICATION_CLOSED"
    RECTIFICATION_NOT_ANSWERED = "RECTIFICATION_NOT_ANSWERED"
    FIX_ALREADY_RATED = "FIX_ALREADY_RATED"
    RECTIFICATION_TEXT_REQUIRED = "RECTIFICATION_TEXT_REQUIRED"
    NOT_A_BAD_RATING = "NOT_A_BAD_RATING"
    RATING_APPEAL_PENDING = "RATING_APPEAL_PENDING"
    RATING_APPEAL_NOT_FOUND = "RATING_APPEAL_NOT_FOUND"
    RATING_APPEAL_DECIDED = "RATING_APPEAL_DECIDED"
    RATING_REASON_REQUIRED = "RATING_REASON_REQUIRED"
    FIGURES_SCOPE_REQUIRED = "FIGURES_SCOPE_REQUIRED"


register(
    {
        RatingErrorCode.RATING_NOT_FOUND: "No such service to rate among yours.",
        RatingErrorCode.ALREADY_RATED: "You have already rated this service: a service is rated once.",
        RatingErrorCode.RATING_CRITERIA_MISMATCH: "Rate exactly these criteria: {criteria}.",
        RatingErrorCode.RATING_COMMENT_TOO_LONG: "A comment is at most {max} characters.",
        RatingErrorCode.RECTIFICATION_NOT_FOUND: "No such rectification case.",
        RatingErrorCode.RECTIFICATION_CLOSED: "This rectification case is already closed.",
        RatingErrorCode.RECTIFICATION_NOT_ANSWERED: (
            "The department has not answered yet: the answer can be rated once it has."
        ),
        RatingErrorCode.FIX_ALREADY_RATED: "You have already rated this answer.",
        RatingErrorCode.RECTIFICATION_TEXT_REQUIRED: "Write what was fixed or explained (at most {max} characters).",
        RatingErrorCode.NOT_A_BAD_RATING: "Only a poor rating (差评) can be appealed.",
        RatingErrorCode.RATING_APPEAL_PENDING: "An appeal against this rating already waits for a decision.",
        RatingErrorCode.RATING_APPEAL_NOT_FOUND: "No such appeal.",
        RatingErrorCode.RATING_APPEAL_DECIDED: "This appeal is already decided.",
        RatingErrorCode.RATING_REASON_REQUIRED: "Say why (at most {max} characters).",
        RatingErrorCode.FIGURES_SCOPE_REQUIRED: "Give exactly one of a hall, a department or a matter.",
    }
)


class RatingError(DomainError):
    """A 好差评 refusal: a RatingErrorCode and its parameters."""

    def __init__(self, code: RatingErrorCode, *, field: str | None = None, **params: Any) -> None:
        super().__init__(code, field=field, **params)
