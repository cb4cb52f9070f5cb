"""Departments' side: an officer moves an item along the state machine, with the timeline to show it."""

from __future__ import annotations

from typing import Any

import msgspec

from backend.applications import texts
from backend.applications.applicants import Applicants
from backend.applications.approval import InstantApproval
from backend.applications.bundles import Bundles
from backend.applications.errors import ApplicationErrorCode
from backend.applications.fees import Fees
from backend.applications.models import Application, Reason
from backend.applications.reads import Reads
from backend.applications.states import NEEDS_REASON, TRANSITIONS, Action, Status
from backend.applications.targets import Targets
from backend.applications.timeline import Actor
from backend.applications.unit import Unit
from backend.applications.workdays import shanghai_date
from backend.applications.writes import update_versioned
from backend.catalog.format import CertificateField
from backend.errors import CommonErrorCode, DomainError, NotFoundError
from backend.i18n import Msgid
from payments import orders


class Officer(msgspec.Struct, frozen=True):
    """The staff member acting, and the departments they may act for (None: every department, an admin)."""

    id: str
    name: str
    departments: frozenset[str] | None


class OfficerActions:
    """What officers do to the items of their departments."""

    def __init__(
        self,
        unit: Unit,
        reads: Reads,
        applicants: Applicants,
        targets: Targets,
        approval: InstantApproval,
        bundles: Bundles,
        fees: Fees,
    ) -> None:
        self._unit = unit
        self._reads = reads
        self._applicants = applicants
        self._targets = targets
        self._approval = approval
        self._bundles = bundles
        self._fees = fees

    async def act(
        self,
        officer: Officer,
        application_id: str,
        action: Action,
        reason: Reason | None,
        *,
        version: int | None,
        certificate_fields: dict[str, Any] | None = None,
    ) -> Application:
        """Move an item along the state machine, or refuse with INVALID_TRANSITION; recorded on the timeline.
        At ISSUE, `certificate_fields` are what the officer enters per certificate type (`fields_to_enter`)."""
        application = await self._reads.get(application_id)
        if application is None or application.kind != "matter":
            raise NotFoundError(application_id, field="applicationId")
        if officer.departments is not None and application.department_code not in officer.departments:
            raise DomainError(CommonErrorCode.NOT_YOUR_DEPARTMENT, field="applicationId")
        allowed, target = TRANSITIONS[action]
        has_outputs = bool(self._unit.snapshot.by_code[application.matter_code or ""].outputs)
        if application.status not in allowed or (action is Action.ISSUE and not has_outputs):
            raise DomainError(
                ApplicationErrorCode.INVALID_TRANSITION,
                field="action",
                status=Msgid(texts.STATUS_LABELS[Status(application.status)]),
                action=Msgid(texts.STEP_NAMES[action]),
            )
        # A step waiting for an earlier step's certificate can only be refused until it is filled from it.
        if action is not Action.REJECT and await self._bundles.awaiting(application):
            raise DomainError(ApplicationErrorCode.AWAITING_EARLIER_STEP, field="applicationId")
        if action is Action.ISSUE and await self._fees.unpaid(application):  # nothing issues before it is paid
            raise DomainError(ApplicationErrorCode.ORDER_UNPAID, field="applicationId")
        if action in NEEDS_REASON and (reason is None or not reason.text.strip()):
            raise DomainError(ApplicationErrorCode.REASON_REQUIRED, field="reason")
        if version is not None and version != application.version:
            raise DomainError(ApplicationErrorCode.STALE_APPLICATION, field="version")
        if action is Action.APPROVE and not has_outputs and not await self._fees.unpaid(application):
            # Nothing to issue and nothing to pay: approving it is the end (办结). With fees still to
            # pay it waits, approved, and crediting the payment completes it.
            target = Status.COMPLETED
        now = self._unit.now()
        decided = action in (Action.APPROVE, Action.REJECT)
        values: dict[str, Any] = {"status": target.value, "updated_at": now}
        if decided:
            values["decided_at"] = now
        moved = await update_versioned(self._unit.session, application, field="version", **values)
        reason_record = msgspec.to_builtins(reason) if reason else None
        if decided:
            basis = {"officer": officer.id, "reason": reason_record}
            await self._approval.log_decision(application.id, target.value, basis)
        phone = await self._applicants.phone_of(application.citizen_id)
        await self._unit.timeline.record(
            moved,
            action,
            Actor("staff", officer.id, officer.name),
            from_status=application.status,
            matter_name=self._unit.name_of(moved),
            phone=phone if not (action is Action.APPROVE and has_outputs) else None,
            reason=reason_record,
        )
        if action is Action.ISSUE:
            await self._issue(moved, certificate_fields or {})
        if action is Action.REJECT and application.parent_id is None:
            await orders.close_open_order_of(self._unit.session, application.id, now)
        if action is Action.REJECT:  # what was paid for it goes back (the channel is asked after the commit)
            await self._fees.refund_refusal(application)
        if application.parent_id:
            await self._bundles.refresh(application.parent_id)
        updated = await self._reads.get(application.id)
        assert updated is not None
        return updated

    async def fields_to_enter(self, application: Application) -> dict[str, list[CertificateField]]:
        """What the officer enters to issue an approved item's certificates, per certificate type."""
        if application.status != Status.APPROVED or not application.matter_code:
            return {}
        spec = await self._targets.spec(application.matter_code)
        if not spec.summary.outputs:
            return {}
        profile, _ = await self._applicants.profile(application.citizen_id)
        today = shanghai_date(self._unit.now())
        certificates = await self._unit.certificates.holder_certificates(profile.id_number, today)
        return self._approval.fields_to_enter(spec, application, profile, certificates, today)

    async def _issue(self, application: Application, entered: dict[str, Any]) -> None:
        spec = await self._targets.spec(application.matter_code or "")
        profile, _ = await self._applicants.profile(application.citizen_id)
        today = shanghai_date(self._unit.now())
        certificates = await self._unit.certificates.holder_certificates(profile.id_number, today)
        await self._approval.issue_outputs(spec, application, profile, certificates, today, entered)
