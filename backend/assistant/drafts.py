""" "Apply now" in a conversation: what the assistant gathered becomes the citizen's draft, never an application.

The draft is the one `saveDraft` keeps (the applications domain's drafts service), so the form opens on
any device with the conversation's answers in it. What the citizen already has in their draft wins: the
assistant only fills what is still empty, only the target form's own fields, and for a choice only one
of its options.
"""

from __future__ import annotations

from typing import Any

import msgspec

from backend.applications.drafts import Drafts
from backend.applications.errors import ApplicationErrorCode
from backend.applications.forms import FormField, merge
from backend.applications.targets import Targets
from backend.assistant.errors import AssistantErrorCode
from backend.assistant.relay import DraftRequest
from backend.errors import DomainError

ATTEMPTS = 2  # another device saving between our read and our write: read again once, then give up


class SavedDraft(msgspec.Struct, frozen=True, kw_only=True):
    """The draft as saved: its version, and the fields this conversation filled in (with their labels)."""

    kind: str
    code: str
    version: int
    filled: list[FormField]


def _empty(value: Any) -> bool:
    return value is None or value == ""


def _accepted(fields: list[FormField], proposed: dict[str, str], kept: dict[str, Any]) -> list[FormField]:
    """The form's fields the assistant may fill: still empty in the citizen's draft, with a value the
    field can take (a choice among its options)."""
    filled = []
    for field in fields:
        value = proposed.get(field.key)
        if value is None or value == "" or not _empty(kept.get(field.key)):
            continue
        if field.options is not None and value not in {str(option.value) for option in field.options}:
            continue
        filled.append(field)
    return filled


async def save_assistant_draft(drafts: Drafts, targets: Targets, citizen_id: str, request: DraftRequest) -> SavedDraft:
    """Merge the conversation's values into the citizen's draft of the matter or bundle, and save it
    with the version just read (ASSISTANT_DRAFT_NOT_SAVED when the target is unknown or another device
    keeps saving over it)."""
    matter = request.code if request.kind == "matter" else None
    bundle = request.code if request.kind == "bundle" else None
    try:
        target, specs = await targets.specs(matter, bundle)
    except DomainError:
        raise DomainError(AssistantErrorCode.ASSISTANT_DRAFT_NOT_SAVED) from None
    fields = merge(specs, profile=None, certificates=[]).fields
    for _ in range(ATTEMPTS):
        existing = await drafts.get(citizen_id, target)
        kept = existing.form_values if existing else {}
        filled = _accepted(fields, request.values, kept)
        if existing is not None and not filled:  # nothing new: the citizen's draft as it is
            return SavedDraft(kind=request.kind, code=request.code, version=existing.version, filled=[])
        values = {field.key: request.values[field.key] for field in filled}
        version = existing.version if existing else None
        try:
            saved = await drafts.save(citizen_id, matter, bundle, values, {}, version=version)
        except DomainError as refusal:
            if refusal.code != ApplicationErrorCode.DRAFT_CONFLICT:
                raise DomainError(AssistantErrorCode.ASSISTANT_DRAFT_NOT_SAVED) from None
            continue
        return SavedDraft(kind=request.kind, code=request.code, version=saved.version, filled=filled)
    raise DomainError(AssistantErrorCode.ASSISTANT_DRAFT_NOT_SAVED)
