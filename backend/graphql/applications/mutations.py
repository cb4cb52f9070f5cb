"""Mutations: drafts, submission, supplements, officers' steps, the inbox."""

from __future__ import annotations

from typing import Any

import strawberry
from strawberry.permission import PermissionExtension
from strawberry.scalars import JSON

from backend.applications.models import Reason
from backend.applications.service import FormInvalidError
from backend.applications.states import Action
from backend.db.engine import unit_of_work
from backend.errors import DomainError, ErrorCode
from backend.graphql import permissions
from backend.graphql.applications.officers import officer_of
from backend.graphql.applications.types import (
    Application,
    ApplicationInput,
    ApplicationPayload,
    Draft,
    MarkNotificationsReadPayload,
    ProcessApplicationInput,
    SaveDraftInput,
    SaveDraftPayload,
)
from backend.graphql.context import Info
from backend.graphql.errors import PayloadError, localize, payload_errors, run_mutation
from backend.i18n import pick

WRITE = "applications:write"


def _dict(value: Any, field: str) -> dict[str, Any]:
    """A JSON object argument (null: empty); anything else is the caller's mistake, said with its field."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise DomainError(ErrorCode.INVALID_VALUE, field=field)
    return dict(value)


async def _publish(info: Info) -> None:
    service = await info.context.applications()
    await service.events.publish(info.context.resources.redis)


@strawberry.type
class ApplicationMutation:
    @strawberry.mutation(
        description="Autosave the form server-side; another device resumes it. Nothing is validated or lost.",
        extensions=[PermissionExtension([permissions.IsCitizen(WRITE)])],
    )
    async def save_draft(self, info: Info, input: SaveDraftInput) -> SaveDraftPayload:
        principal = permissions.citizen(info, WRITE)
        service = await info.context.applications()
        draft, errors = await run_mutation(
            info,
            lambda: service.save_draft(
                principal.subject_id, input.matter_code, input.bundle_code, _dict(input.values, "values"),
                _dict(input.materials, "materials"), version=input.version,
            ),
        )  # fmt: skip
        if draft is None:
            return SaveDraftPayload(draft=None, errors=errors)
        return SaveDraftPayload(
            draft=Draft(version=draft.version, updated_at=draft.updated_at, values=JSON(draft.form_values),
                        materials=JSON(draft.materials)),
            errors=[],
        )  # fmt: skip

    @strawberry.mutation(
        description="Submit the form: one application (a bundle: one item per matter); 秒批 decides at once.",
        extensions=[PermissionExtension([permissions.IsCitizen(WRITE)])],
    )
    async def submit_application(self, info: Info, input: ApplicationInput) -> ApplicationPayload:
        principal = permissions.citizen(info, WRITE)
        ctx = info.context
        service = await ctx.applications()
        values, materials = _dict(input.values, "values"), _dict(input.materials, "materials")
        try:
            async with unit_of_work(ctx.session):
                created = await service.submit(principal.subject_id, input.matter_code, input.bundle_code, values,
                                               materials)  # fmt: skip
        except FormInvalidError as invalid:
            service.events.discard()
            # Keep what the citizen typed: a validation error never loses their entries.
            async with unit_of_work(ctx.session):
                existing = await service.draft(principal.subject_id, _target(input))
                await service.save_draft(principal.subject_id, input.matter_code, input.bundle_code, values, materials,
                                         version=existing.version if existing else None)  # fmt: skip
            return ApplicationPayload(application=None, errors=_form_errors(info, invalid))
        except DomainError as error:
            service.events.discard()
            return ApplicationPayload(application=None, errors=payload_errors(error, ctx.resources.messages,
                                                                               ctx.locale))  # fmt: skip
        except BaseException:
            service.events.discard()
            raise
        await _publish(info)
        return ApplicationPayload(application=Application.build(created, info), errors=[])

    @strawberry.mutation(description="An officer's step: accept, request a supplement, approve, reject, issue.")
    async def process_application(self, info: Info, input: ProcessApplicationInput) -> ApplicationPayload:
        officer = await officer_of(info)
        service = await info.context.applications()
        reason = Reason(text=input.reason or "", fields=input.fields) if input.reason else None
        updated, errors = await run_mutation(
            info,
            lambda: service.act(officer, str(input.application_id), Action(input.action.value), reason,
                                version=input.version),
        )  # fmt: skip
        if updated is None:
            return ApplicationPayload(application=None, errors=errors)
        await _publish(info)
        return ApplicationPayload(application=Application.build(updated, info, officer.departments), errors=[])

    @strawberry.mutation(
        description="Answer a request for supplement (补正) with corrected values or uploads.",
        extensions=[PermissionExtension([permissions.IsCitizen(WRITE)])],
    )
    async def supplement_application(
        self,
        info: Info,
        id: strawberry.ID,
        values: strawberry.scalars.JSON,
        materials: strawberry.scalars.JSON | None = None,
    ) -> ApplicationPayload:
        principal = permissions.citizen(info, WRITE)
        service = await info.context.applications()
        try:
            async with unit_of_work(info.context.session):
                updated = await service.supplement(
                    principal.subject_id, str(id), _dict(values, "values"), _dict(materials, "materials")
                )
        except FormInvalidError as invalid:
            service.events.discard()
            return ApplicationPayload(application=None, errors=_form_errors(info, invalid))
        except DomainError as error:
            service.events.discard()
            messages, locale = info.context.resources.messages, info.context.locale
            return ApplicationPayload(application=None, errors=payload_errors(error, messages, locale))
        await _publish(info)
        return ApplicationPayload(application=Application.build(updated, info), errors=[])

    @strawberry.mutation(
        description="Mark notices read (all of them when ids is null).",
        extensions=[PermissionExtension([permissions.IsCitizen(WRITE)])],
    )
    async def mark_notifications_read(
        self, info: Info, ids: list[strawberry.ID] | None = None
    ) -> MarkNotificationsReadPayload:
        principal = permissions.citizen(info, WRITE)
        service = await info.context.applications()
        count, errors = await run_mutation(
            info, lambda: service.mark_read(principal.subject_id, [str(i) for i in ids] if ids is not None else None)
        )
        return MarkNotificationsReadPayload(count=count or 0, errors=errors)


def _target(input: ApplicationInput) -> str:
    return f"matter:{input.matter_code}" if input.matter_code else f"bundle:{input.bundle_code}"


def _form_errors(info: Info, invalid: FormInvalidError) -> list[PayloadError]:
    ctx = info.context
    errors = [PayloadError(code=ErrorCode.FORM_INVALID, field=None, message=localize(invalid, ctx.resources.messages,
                                                                                     ctx.locale))]  # fmt: skip
    for key, checked in invalid.problems.items():
        assert checked.problem is not None
        errors.append(
            PayloadError(code=ErrorCode(checked.problem.value), field=key, message=checked.message(ctx.gettext) or "")
        )
    for key, name in invalid.missing_materials.items():
        missing = DomainError(ErrorCode.MATERIAL_MISSING, field=key, material=pick(name, ctx.locale))
        errors.append(PayloadError(code=ErrorCode.MATERIAL_MISSING, field=key,
                                   message=localize(missing, ctx.resources.messages, ctx.locale)))  # fmt: skip
    return errors
