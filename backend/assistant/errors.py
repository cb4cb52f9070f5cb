"""The assistant's error codes."""

from __future__ import annotations

from enum import StrEnum

from backend.errors import register


class AssistantErrorCode(StrEnum):
    """Why the assistant did not answer."""

    ASSISTANT_UNAVAILABLE = "ASSISTANT_UNAVAILABLE"
    MESSAGE_EMPTY = "MESSAGE_EMPTY"
    ASSISTANT_DRAFT_NOT_SAVED = "ASSISTANT_DRAFT_NOT_SAVED"


register(
    {
        AssistantErrorCode.ASSISTANT_UNAVAILABLE: (
            "The assistant cannot answer right now. Please try again in a moment, or call the 12345 hotline."
        ),
        AssistantErrorCode.MESSAGE_EMPTY: "Type a message first.",
        AssistantErrorCode.ASSISTANT_DRAFT_NOT_SAVED: (
            "The assistant could not keep your answers as a draft. Open the application form to fill it in."
        ),
    }
)
