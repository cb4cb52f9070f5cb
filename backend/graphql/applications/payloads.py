"""The inputs and payloads of the applications mutations: each mutation its own."""

from __future__ import annotations

from datetime import datetime

import strawberry
from strawberry.scalars import JSON

from backend.graphql.applications.types import Application, OfficerAction
from backend.graphql.errors import PayloadError
from backend.graphql.privacy import Personal, disclosed

# null, not {}: graphql-core cannot print a JSON object as a default value (introspection failed on it).
_VALUES = "Field key -> value (corrections included)."
_MATERIALS = "Material key -> upload id."


@strawberry.input(description="A matter or a bundle (exactly one), what the citizen typed, the materials uploaded.")
class SaveDraftInput:
    matter_code: str | None = None
    bundle_code: str | None = None
    values: JSON | None = strawberry.field(default=None, description=_VALUES)
    materials: JSON | None = strawberry.field(default=None, description=_MATERIALS)
    version: int | None = strawberry.field(default=None, description="The draft version this device last saw.")


@strawberry.type
class Draft:
    version: int
    updated_at: datetime
    values: JSON = disclosed(lambda draft: draft.value_kinds)
    materials: JSON
    value_kinds: strawberry.Private[dict[str, Personal | None]]


@strawberry.type
class SaveDraftPayload:
    draft: Draft | None
    errors: list[PayloadError]


@strawberry.input(description="A matter or a bundle (exactly one), the form values and materials.")
class SubmitApplicationInput:
    matter_code: str | None = None
    bundle_code: str | None = None
    values: JSON | None = strawberry.field(default=None, description=_VALUES)
    materials: JSON | None = strawberry.field(default=None, description=_MATERIALS)


@strawberry.type
class SubmitApplicationPayload:
    application: Application | None
    errors: list[PayloadError]


@strawberry.input(description="An officer's step on an application.")
class ProcessApplicationInput:
    application_id: strawberry.ID
    action: OfficerAction
    reason: str | None = None
    fields: list[str] = strawberry.field(default_factory=list, description="The fields the reason is about.")
    version: int | None = None
    certificate_fields: JSON | None = strawberry.field(
        default=None,
        description=(
            "At ISSUE: what only the issuing system knows, per certificate type, as the application's "
            'certificateFieldsToEnter lists it, e.g. {"PASSPORT": {"valid_until": "2036-12-06", ...}}.'
        ),
    )


@strawberry.type
class ProcessApplicationPayload:
    application: Application | None
    errors: list[PayloadError]


@strawberry.type
class SupplementApplicationPayload:
    application: Application | None
    errors: list[PayloadError]


@strawberry.type
class MarkNotificationsReadPayload:
    count: int
    errors: list[PayloadError]
