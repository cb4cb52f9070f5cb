"""Mutations: drafts, submission, supplements, officers' steps, the inbox. All through the pipeline."""

from __future__ import annotations

from typing import Any

import strawberry
from strawberry.scalars import JSON

from backend.applications.models import Reason
from backend.applications.states import Action
from backend.applications.submission import FormInvalidError
from backend.errors import CommonErrorCode, DomainError
from backend.graphql import permissions
from backend.graphql.applications.forms import form_kinds, form_matters
from backend.graphql.applications.officers import officer_of
from backend.graphql.applications.payloads import (
    Draft,
    MarkNotificationsReadPayload,
    ProcessApplicationInput,
    ProcessApplicationPayload,
    SaveDraftInput,
    SaveDraftPayload,
    SubmitApplicationInput,
    SubmitApplicationPayload,
    SupplementApplicationPayload,
)
from backend.graphql.applications.types import Application
from backend.graphql.context import Info
from backend.graphql.payments.refusals import refund_refused
from backend.graphql.pipeline import caller, mutate, mutation
from backend.identity.models import Role

WRITE = "applications:write"


def _object(value: Any, field: str) -> dict[str, Any]:
    """A JSON object argument (null: empty); anything else is the caller's mistake, said with its field."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise DomainError(CommonErrorCode.INVALID_VALUE, field=field)
    return dict(value)


@strawberry.type
class ApplicationMutation:
    @mutation(
        "Autosave the form server-side; another device resumes it. Nothing is validated or lost.",
        permission=permissions.IsCitizen(WRITE),
    )
    async def save_draft(self, info: Info, input: SaveDraftInput) -> SaveDraftPayload:
        citizen = caller(info).subject_id
        drafts = (await info.context.applications()).drafts

        async def work() -> Any:
            values, materials = _object(input.values, "values"), _object(input.materials, "materials")
            return await drafts.save(
                citizen, input.matter_code, input.bundle_code, values, materials, version=input.version
            )

        draft, errors = await mutate(info, work)
        if draft is None:
            return SaveDraftPayload(draft=None, errors=errors)
        saved = Draft(
            version=draft.version,
            updated_at=draft.updated_at,
            values=JSON(draft.form_values),
            materials=JSON(draft.materials),
            value_kinds=await form_kinds(
                info, form_matters(info, input.matter_code, input.bundle_code), draft.form_values
            ),
        )
        return SaveDraftPayload(draft=saved, errors=[])

    @mutation(
        "Submit the form: one application (a bundle: one item per matter); 秒批 decides at once.",
        permission=permissions.IsCitizen(WRITE),
    )
    async def submit_application(self, info: Info, input: SubmitApplicationInput) -> SubmitApplicationPayload:
        citizen = caller(info).subject_id
        applications = await info.context.applications()

        async def submit() -> Any:
            values, materials = _object(input.values, "values"), _object(input.materials, "materials")
            return await applications.submission.submit(
                citizen, input.matter_code, input.bundle_code, values, materials
            )

        async def keep_as_draft(refusal: DomainError) -> None:
            # A form refused for its values never loses what the citizen typed: it becomes their draft.
            # (Any other refusal, an unknown matter say, has no form to keep.)
            if not isinstance(refusal, FormInvalidError):
                return
            values, materials = _object(input.values, "values"), _object(input.materials, "materials")
            target, _ = await applications.targets.specs(input.matter_code, input.bundle_code)
            existing = await applications.drafts.get(citizen, target)
            await applications.drafts.save(
                citizen,
                input.matter_code,
                input.bundle_code,
                values,
                materials,
                version=existing.version if existing else None,
            )

        created, errors = await mutate(info, submit, recover=keep_as_draft)
        application = Application.build(created, info) if created else None
        return SubmitApplicationPayload(application=application, errors=errors)

    @mutation(
        "An officer's step: accept, request a supplement, approve, reject, issue.",
        permission=permissions.HasRole(Role.OFFICER, Role.ADMIN),
    )
    async def process_application(self, info: Info, input: ProcessApplicationInput) -> ProcessApplicationPayload:
        officer = await officer_of(info)
        officers = (await info.context.applications()).officers
        reason = Reason(text=input.reason or "", fields=input.fields) if input.reason else None
        action = Action(input.action.value)

        async def work() -> Any:
            entered = _object(input.certificate_fields, "certificateFields")
            return await officers.act(
                officer, str(input.application_id), action, reason, version=input.version, certificate_fields=entered
            )

        updated, errors = await mutate(info, work)
        if updated is not None and action is Action.REJECT:
            await refund_refused(info, updated.id, updated.parent_id)
        application = Application.build(updated, info, officer.departments) if updated else None
        return ProcessApplicationPayload(application=application, errors=errors)

    @mutation(
        "Answer a request for supplement (补正) with corrected values or uploads.",
        permission=permissions.IsCitizen(WRITE),
    )
    async def supplement_application(
        self, info: Info, id: strawberry.ID, values: JSON, materials: JSON | None = None
    ) -> SupplementApplicationPayload:
        citizen = caller(info).subject_id
        submission = (await info.context.applications()).submission

        async def work() -> Any:
            corrected, uploads = _object(values, "values"), _object(materials, "materials")
            return await submission.supplement(citizen, str(id), corrected, uploads)

        updated, errors = await mutate(info, work)
        application = Application.build(updated, info) if updated else None
        return SupplementApplicationPayload(application=application, errors=errors)

    @mutation("Mark notices read (all of them when ids is null).", permission=permissions.IsCitizen(WRITE))
    async def mark_notifications_read(
        self, info: Info, ids: list[strawberry.ID] | None = None
    ) -> MarkNotificationsReadPayload:
        citizen = caller(info).subject_id
        inbox = (await info.context.applications()).inbox
        chosen = [str(i) for i in ids] if ids is not None else None
        count, errors = await mutate(info, lambda: inbox.mark_read(citizen, chosen))
        return MarkNotificationsReadPayload(count=count or 0, errors=errors)
