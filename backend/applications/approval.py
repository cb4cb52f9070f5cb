"""Instant approval (秒批) and issuing a matter's output certificates.

A rule sees {"form", "certs", "profile", "age"}: the application's own form values, the citizen's
newest valid certificate of each type, the registry profile, and the age on the China date of the
decision. Approvals and refusals are appended to the trust log with what they were based on.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

import msgspec
from sqlalchemy import update

from backend.applications import texts
from backend.applications.applicants import Applicants
from backend.applications.errors import ApplicationErrorCode
from backend.applications.forms import MatterSpec, Profile, certificates_by_type, merge
from backend.applications.issuing import check_entries
from backend.applications.models import Application
from backend.applications.states import Action, Status
from backend.applications.targets import Targets
from backend.applications.timeline import Actor
from backend.applications.unit import Unit
from backend.applications.workdays import shanghai_date
from backend.catalog.format import CertificateField
from backend.catalog.models import CertificateType
from backend.certificates import trustlog
from backend.certificates.issue import build_output, left_to_enter, registered_entity_type
from backend.certificates.numbers import ALLOCATED
from backend.certificates.service import Certificate
from backend.db import tables as t
from backend.errors import DomainError
from backend.i18n import Locale
from backend.rules.explain import Decision, evaluate_with_explanation


def rule_data(
    form: dict[str, Any], profile: Profile, certificates: Sequence[Certificate], today: date
) -> dict[str, Any]:
    """What an instant-approval rule is evaluated over."""
    certs = {code: held[0].data for code, held in certificates_by_type(certificates).items()}
    return {"form": form, "certs": certs, "profile": profile.as_rule_data(), "age": profile.age_on(today)}


def evaluate(
    spec: MatterSpec, form: dict[str, Any], profile: Profile, certificates: Sequence[Certificate], today: date
) -> Decision:
    """The matter's rule on this data, with every condition explained."""
    assert spec.details.auto_approval is not None
    return evaluate_with_explanation(spec.details.auto_approval.rule, rule_data(form, profile, certificates, today))


class InstantApproval:
    """Deciding by rule, and issuing what a decision grants."""

    def __init__(self, unit: Unit, applicants: Applicants, targets: Targets) -> None:
        self._unit = unit
        self._applicants = applicants
        self._targets = targets

    async def eligibility(self, citizen_id: str, matter_code: str, values: dict[str, Any] | None = None) -> Decision:
        """The matter's rule on the citizen's data (and a form, when given): a dry run of 秒批."""
        spec = await self._targets.spec(matter_code)
        if spec.details.auto_approval is None:
            raise DomainError(ApplicationErrorCode.NO_INSTANT_APPROVAL, field="matterCode")
        profile, _ = await self._applicants.profile(citizen_id)
        today = shanghai_date(self._unit.now())
        certificates = await self._unit.certificates.holder_certificates(profile.id_number, today)
        form = merge([spec], profile=profile, certificates=certificates)
        data = {f.key: f.value for f in form.fields} | (values or {})
        return evaluate(spec, data, profile, certificates, today)

    async def log_decision(self, application_id: str, outcome: str, basis: Any) -> None:
        """Append an approval or refusal to the trust log."""
        content = trustlog.content_hash({"application": application_id, "outcome": outcome, "basis": basis})
        await self._unit.certificates.log("decision", application_id, content)

    async def decide(
        self,
        spec: MatterSpec,
        application: Application,
        profile: Profile,
        phone: str | None,
        certificates: Sequence[Certificate],
        today: date,
        *,
        awaiting_payment: bool = False,
    ) -> Application:
        """Approve at submission when the rule holds (issuing outputs at once, or once the fees are paid
        when `awaiting_payment`: backend.applications.fees); otherwise refer to an officer."""
        decision = evaluate(spec, application.form, profile, certificates, today)
        record = msgspec.to_builtins(decision)
        # Values the citizen changed from what a certificate or the registry says are their word only:
        # the rule may hold on them, but an officer checks them before anything is approved.
        corrected = sorted(k for k, source in application.sources.items() if str(source).startswith("corrected:"))
        if corrected:
            record["corrected"] = corrected
        timeline, name, system = self._unit.timeline, spec.summary.name, Actor.system()
        if not decision.approved or corrected:
            await self._write(application.id, decision=record)
            referred = msgspec.structs.replace(application, decision=record)
            reason: dict[str, Any] = {"decision": record}
            if corrected:
                # said in each reader's language when read (the citizen's, the officer's)
                messages = self._unit.deps.messages
                text = {locale.value: messages.gettext(locale, texts.CORRECTED) for locale in Locale}
                reason |= {"text": text, "fields": corrected}
            await timeline.record(
                referred,
                Action.AUTO_REFER,
                system,
                from_status=Status.SUBMITTED,
                matter_name=name,
                phone=phone,
                reason=reason,
            )
            return referred
        now = self._unit.now()
        outputs = spec.summary.outputs
        approved = msgspec.structs.replace(
            application,
            # Nothing to issue (or pay): the approval is the end (办结), not a step an officer must finish.
            status=(Status.APPROVED if outputs or awaiting_payment else Status.COMPLETED).value,
            decision=record,
            decided_at=now,
            updated_at=now,
            version=application.version + 1,
        )
        await self._write(
            application.id,
            status=approved.status,
            decision=record,
            decided_at=now,
            updated_at=now,
            version=approved.version,
        )
        basis = {"rule": spec.details.auto_approval, "decision": record, "form": application.form}
        await self.log_decision(application.id, "approved", basis)
        # A certificate with fields only the issuing officer knows (a vehicle's registration date) waits
        # for them: approved by rule, issued by the department.
        waits = bool(outputs) and bool(self.fields_to_enter(spec, approved, profile, certificates, today))
        await timeline.record(
            approved,
            Action.AUTO_APPROVE,
            system,
            from_status=Status.SUBMITTED,
            matter_name=name,
            phone=phone if not outputs or waits else None,
        )
        if not outputs or waits or awaiting_payment:  # with fees unpaid, crediting the payment issues them
            return approved
        completed = await self.issue_outputs(spec, approved, profile, certificates, today)
        await timeline.record(
            completed, Action.ISSUE, system, from_status=Status.APPROVED, matter_name=name, phone=phone
        )
        return completed

    def _outputs(
        self, spec: MatterSpec, certificates: Sequence[Certificate]
    ) -> list[tuple[CertificateType, Certificate | None]]:
        """The matter's output types, each with the certificate it renews (None: a new one)."""
        held = certificates_by_type(certificates)
        found: list[tuple[CertificateType, Certificate | None]] = []
        for code in spec.summary.outputs:
            # A matter that reads the certificate it issues renews it (a driving licence); any other
            # issues a new one (a second business gets its own licence; the first one stays valid).
            renews = any((f.prefill or "").startswith(f"cert:{code}.") for f in spec.details.form)
            previous = held.get(code) if renews else None
            found.append((self._unit.snapshot.certificate_types[code], previous[0] if previous else None))
        return found

    def fields_to_enter(
        self,
        spec: MatterSpec,
        application: Application,
        profile: Profile,
        certificates: Sequence[Certificate],
        today: date,
    ) -> dict[str, list[CertificateField]]:
        """Per output certificate type, the fields the issuing officer enters (empty: nobody needs to)."""
        needed: dict[str, list[CertificateField]] = {}
        for kind, previous in self._outputs(spec, certificates):
            fields = left_to_enter(
                kind,
                today=today,
                form=_issuing_form(spec, application),
                profile=profile.as_rule_data(),
                region_code=profile.region_code,
                previous=previous.data if previous else None,
            )
            if fields:
                needed[kind.code] = fields
        return needed

    async def issue_outputs(
        self,
        spec: MatterSpec,
        application: Application,
        profile: Profile,
        certificates: Sequence[Certificate],
        today: date,
        entered: dict[str, Any] | None = None,
    ) -> Application:
        """Issue the matter's output certificates into the citizen's wallet, with the officer's `entered`
        fields (per certificate type) and the numbers registries allocate; the application completed.
        CERTIFICATE_FIELDS_INVALID when an entry is missing or wrong: no certificate has an empty field."""
        needed = self.fields_to_enter(spec, application, profile, certificates, today)
        entries = check_entries(needed, entered or {}, today=today)
        numbers = self._unit.deps.numbers
        records, replaced = [], []
        for kind, previous in self._outputs(spec, certificates):
            if previous:
                replaced.append(previous.id)
            allocated = {
                key: numbers.allocate(kind.code, key, application_id=application.id, today=today)
                for key in ALLOCATED.get(kind.code, ())
            }
            record = build_output(
                kind,
                application_id=application.id,
                today=today,
                form=_issuing_form(spec, application),
                profile=profile.as_rule_data(),
                region_code=profile.region_code,
                previous=previous.data if previous else None,
                allocated=allocated,
                entered=entries.get(kind.code),
            )
            assert all(v is not None for v in record.data.values()), record  # left_to_enter named every gap
            records.append(record)
        store = self._unit.certificates
        await store.revoke(replaced, reason=f"renewed by application {application.id}")
        await store.store(records, source="platform", application_id=application.id)
        now = self._unit.now()
        completed = msgspec.structs.replace(
            application, status=Status.COMPLETED.value, updated_at=now, version=application.version + 1
        )
        await self._write(application.id, status=completed.status, updated_at=now, version=completed.version)
        return completed

    async def _write(self, application_id: str, **values: Any) -> None:
        await self._unit.session.execute(
            update(t.applications).where(t.applications.c.id == application_id).values(**values)
        )


def _issuing_form(spec: MatterSpec, application: Application) -> dict[str, Any]:
    """The form the outputs are issued from: a registration's entity type follows what is applied for,
    unless the form says."""
    return {"entity_type": registered_entity_type(spec.summary.name["zh-Hans"]), **application.form}
