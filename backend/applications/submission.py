"""The citizen's writes: submitting the one form (a matter, or a bundle with one item per matter), and
answering a request for supplement (补正)."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from backend.applications import texts
from backend.applications.applicants import Applicants
from backend.applications.approval import InstantApproval
from backend.applications.bundles import Bundles
from backend.applications.drafts import Drafts
from backend.applications.errors import ApplicationErrorCode
from backend.applications.fees import Fees
from backend.applications.forms import MatterSpec, MergedForm, certificates_by_type, issued_earlier, merge
from backend.applications.handover import pending
from backend.applications.models import Application
from backend.applications.reads import Reads
from backend.applications.states import Action, Status
from backend.applications.supplements import supplement_changes
from backend.applications.targets import Targets
from backend.applications.timeline import Actor
from backend.applications.unit import Unit
from backend.applications.validation import Checked, FormFieldSpec, is_measurement, validate_form
from backend.applications.workdays import shanghai_date
from backend.applications.writes import insert, new_reference, update_versioned
from backend.certificates.service import Certificate
from backend.db import tables as t
from backend.db.engine import execute
from backend.errors import CommonErrorCode, DomainError, NotFoundError
from backend.i18n import Msgid
from payments.money import to_fen
from payments.orders import LineSpec, open_order


class FormInvalidError(DomainError):
    """A submission with problems: one detail per field (and per missing material)."""

    def __init__(self, problems: dict[str, Checked], missing_materials: dict[str, dict[str, str]]) -> None:
        details = [
            DomainError(CommonErrorCode(checked.problem.value), field=key, **checked.params)
            for key, checked in problems.items()
            if checked.problem is not None
        ]
        details += [
            DomainError(ApplicationErrorCode.MATERIAL_MISSING, field=key, material=name)
            for key, name in missing_materials.items()
        ]
        super().__init__(ApplicationErrorCode.FORM_INVALID)
        self.details = details


def _source(prefilled_from: str | None, prefilled: Any, submitted: Any) -> str:
    """Where a submitted value came from: the pre-fill's source, "citizen", or a correction of a pre-fill."""
    if prefilled_from is None or prefilled is None:
        return "citizen"
    if submitted == prefilled:
        return prefilled_from
    # The citizen may correct a pre-filled value, but then it is their word, not the certificate's.
    return f"corrected:{prefilled_from}"


def _answered_source(source: str, before: Any, after: Any) -> str:
    """Where a value came from after a supplement: unchanged, where it came from before; changed, a
    pre-filled value becomes the citizen's correction of its source (as at submission)."""
    if after == before or source.startswith("corrected:") or source == "citizen":
        return source
    if source.startswith(("profile.", "cert:")):
        return f"corrected:{source}"
    return "citizen"


class Submission:
    """Submitting and supplementing applications."""

    def __init__(
        self,
        unit: Unit,
        applicants: Applicants,
        targets: Targets,
        drafts: Drafts,
        reads: Reads,
        approval: InstantApproval,
        bundles: Bundles,
        fees: Fees,
    ) -> None:
        self._unit = unit
        self._applicants = applicants
        self._targets = targets
        self._drafts = drafts
        self._reads = reads
        self._approval = approval
        self._bundles = bundles
        self._fees = fees

    async def submit(
        self,
        citizen_id: str,
        matter_code: str | None,
        bundle_code: str | None,
        values: dict[str, Any],
        materials: dict[str, Any],
    ) -> Application:
        """Create the application (and a bundle's items), decide instant approvals, drop the draft.

        FORM_INVALID (a detail per field) when the form does not pass: nothing is written.
        """
        target, specs = await self._targets.specs(matter_code, bundle_code)
        profile, phone = await self._applicants.profile(citizen_id)
        now = self._unit.now()
        today = shanghai_date(now)
        certificates = await self._unit.certificates.holder_certificates(profile.id_number, today)
        form = merge(specs, profile=profile, certificates=certificates)
        entered = {f.key: values.get(f.key, f.value) for f in form.fields}
        field_specs = [
            FormFieldSpec(
                key=f.key,
                type=f.type,  # type: ignore[arg-type]
                required=f.required,
                options=[o.value for o in f.options] if f.options else None,
                decimals=f.type == "number" and is_measurement(f.label["en"]),
            )
            for f in form.fields
        ]
        accepted, problems = validate_form(field_specs, entered, today=today)
        supplied = await self._supplied_materials(citizen_id, form, materials)
        missing = {x.key: x.name for x in form.materials if x.required and not x.replaced and x.key not in supplied}
        if problems or missing:
            raise FormInvalidError(problems, missing)
        sources = {f.key: _source(f.source, f.value, accepted.get(f.key)) for f in form.fields}
        bundle = bundle_code is not None
        parent_id = str(uuid.uuid4()) if bundle else None
        items = [
            self._item(spec, form, accepted, sources, supplied, citizen_id, parent_id, now, today) for spec in specs
        ]
        head = self._parent(parent_id, bundle_code or "", citizen_id, items, form, now) if parent_id else items[0]
        stored = await insert(self._unit.session, [head, *items] if bundle else items, today)
        head, items = (stored[0], stored[1:]) if bundle else (stored[0], stored)
        await self._record_consents(citizen_id, items, certificates)
        unpaid = await self._open_payment_order(citizen_id, head, items)
        actor = Actor("citizen", citizen_id, profile.name)
        timeline = self._unit.timeline
        await timeline.record(
            head, Action.SUBMIT, actor, from_status=None, matter_name=self._unit.name_of(head), phone=phone
        )
        earlier = issued_earlier(specs)
        for item, spec in zip(items, specs, strict=True):
            if bundle:
                await timeline.record(
                    item,
                    Action.SUBMIT,
                    actor,
                    from_status=None,
                    matter_name=self._unit.name_of(item),
                    phone=None,
                    notify=False,
                )
            # A step waiting for an earlier step's certificate is decided once it is filled from it.
            if spec.details.auto_approval is not None and not pending(spec, item, earlier[spec.summary.code]):
                await self._approval.decide(spec, item, profile, phone, certificates, today, awaiting_payment=unpaid)
        if bundle:
            await self._bundles.refresh(head.id)
        if unpaid:
            await self._fees.ask_to_pay(head, phone)
        await self._drafts.drop(citizen_id, target)
        found = await self._reads.get(head.id)
        assert found is not None
        return found

    async def supplement(
        self, citizen_id: str, application_id: str, values: dict[str, Any], materials: dict[str, Any]
    ) -> Application:
        """The citizen answers a request for supplement (补正): corrected values, back to the department."""
        application = await self._reads.get(application_id)
        if application is None or application.citizen_id != citizen_id or application.kind != "matter":
            raise NotFoundError(application_id, field="id")
        if application.status != Status.SUPPLEMENT_REQUESTED:
            raise DomainError(
                ApplicationErrorCode.INVALID_TRANSITION,
                field="id",
                status=Msgid(texts.STATUS_LABELS[Status(application.status)]),
                action=Msgid(texts.STEP_NAMES[Action.SUPPLEMENT]),
            )
        spec = await self._targets.spec(application.matter_code or "")
        fields = [FormFieldSpec.from_catalog(x) for x in spec.details.form]
        entered = {**application.form, **values}
        accepted, problems = validate_form(fields, entered, today=shanghai_date(self._unit.now()))
        if problems:
            raise FormInvalidError(problems, {})
        known = {x.key for x in spec.details.materials}
        wanted = {k: str(v) for k, v in materials.items() if k in known and v}
        uploads = await self._owned_uploads(citizen_id, wanted)
        sources = {
            k: _answered_source(s, application.form.get(k), accepted.get(k)) for k, s in application.sources.items()
        }
        materials = {**application.materials, **{k: {"upload_id": v} for k, v in uploads.items()}}
        # Back where the department asked from: an item it had accepted stays accepted.
        steps = (await self._reads.timelines([application.id]))[0]
        back_to = next((s.from_status for s in reversed(steps) if s.action == Action.REQUEST_SUPPLEMENT), None)
        updated = await update_versioned(
            self._unit.session,
            application,
            field="id",
            form=accepted,
            sources=sources,
            status=back_to or Status.SUBMITTED.value,
            materials=materials,
            updated_at=self._unit.now(),
        )
        profile, _phone = await self._applicants.profile(citizen_id)
        await self._unit.timeline.record(
            updated,
            Action.SUPPLEMENT,
            Actor("citizen", citizen_id, profile.name),
            from_status=application.status,
            matter_name=self._unit.name_of(updated),
            phone=None,
            reason=supplement_changes(application, accepted, materials),
        )
        if application.parent_id:
            await self._bundles.refresh(application.parent_id)
        return updated

    async def _open_payment_order(self, citizen_id: str, head: Application, items: list[Application]) -> bool:
        """One payment order for every fee of the application (a bundle's from several departments);
        whether there is one (then nothing is issued before it is paid)."""
        snapshot = self._unit.snapshot
        lines = [
            LineSpec(
                department_code=fee.department_code,
                fiscal_code=snapshot.departments[fee.department_code].fiscal_code,
                item_code=fee.item_code,
                name=fee.name,
                amount_fen=to_fen(fee.amount),
                matter_code=item.matter_code,
            )
            for item in items
            for fee in snapshot.fees.get(item.matter_code or "", [])
            if fee.amount > 0
        ]
        if lines:
            subject = f"{self._unit.name_of(head).get('zh-Hans', '')} {head.reference}"
            await open_order(
                self._unit.session, citizen_id=citizen_id, application_id=head.id, subject=subject, lines=lines
            )
        return bool(lines)

    def _item(
        self,
        spec: MatterSpec,
        form: MergedForm,
        values: dict[str, Any],
        sources: dict[str, Any],
        supplied: dict[str, str],
        citizen_id: str,
        parent_id: str | None,
        now: datetime,
        today: date,
    ) -> Application:
        summary = spec.summary
        code = summary.code
        own_sources = form.values_for(code, sources)
        materials: dict[str, Any] = {}
        replaced = 0
        for material in form.materials:
            if code not in material.matters:
                continue
            if material.certificate_id:
                materials[material.key] = {"certificate_id": material.certificate_id}
                replaced += 1
            elif material.issued_in_bundle:
                materials[material.key] = {"issued_in_bundle": material.certificate_type}
                replaced += 1
            elif material.key in supplied:
                materials[material.key] = {"upload_id": supplied[material.key]}
        electronic = (
            all(m.key in materials or not m.required for m in spec.details.materials) and "online" in summary.modes
        )
        fees = sum((f.amount for f in self._unit.snapshot.fees.get(code, [])), Decimal("0.00"))
        return Application(
            id=str(uuid.uuid4()),
            reference=new_reference(today),
            citizen_id=citizen_id,
            parent_id=parent_id,
            kind="matter",
            matter_code=code,
            bundle_code=None,
            department_code=summary.department_code,
            status=Status.SUBMITTED.value,
            form=form.values_for(code, values),
            sources=own_sources,
            materials=materials,
            decision=None,
            fees_due=f"{fees:.2f}",
            promised_days=summary.promised_days,
            deadline=self._unit.calendar.add_working_days(today, summary.promised_days),
            max_trips=summary.max_trips,
            trips_needed=0 if electronic else max(summary.max_trips, 1),
            fields_total=len(spec.details.form),
            fields_prefilled=sum(1 for s in own_sources.values() if s and s.startswith(("profile.", "cert:"))),
            materials_replaced=replaced,
            submitted_at=now,
            decided_at=None,
            updated_at=now,
            version=1,
        )

    def _parent(
        self,
        parent_id: str,
        bundle_code: str,
        citizen_id: str,
        items: list[Application],
        form: MergedForm,
        now: datetime,
    ) -> Application:
        deadlines = [i.deadline for i in items if i.deadline]
        fees = sum((Decimal(i.fees_due) for i in items), Decimal("0.00"))
        return Application(
            id=parent_id,
            reference=new_reference(shanghai_date(now)),
            citizen_id=citizen_id,
            parent_id=None,
            kind="bundle",
            matter_code=None,
            bundle_code=bundle_code,
            department_code=None,
            status=Status.IN_PROGRESS.value,
            form={},
            sources={},
            materials={},
            decision=None,
            fees_due=f"{fees:.2f}",
            promised_days=max(i.promised_days for i in items),
            deadline=max(deadlines) if deadlines else None,
            max_trips=sum(i.max_trips for i in items),
            trips_needed=sum(i.trips_needed for i in items),
            fields_total=form.fields_total,
            fields_prefilled=form.fields_prefilled,
            materials_replaced=form.materials_replaced,
            submitted_at=now,
            decided_at=None,
            updated_at=now,
            version=1,
        )

    async def _supplied_materials(self, citizen_id: str, form: MergedForm, materials: dict[str, Any]) -> dict[str, str]:
        """Material key -> upload id, for uploads that exist and belong to this citizen."""
        known = {x.key for x in form.materials}
        return await self._owned_uploads(citizen_id, {k: str(v) for k, v in materials.items() if v and k in known})

    async def _record_consents(
        self, citizen_id: str, items: list[Application], certificates: list[Certificate]
    ) -> None:
        """Record, per application, which fields of which certificate it used (the citizen sees this)."""
        held = certificates_by_type(certificates)
        now = self._unit.now()
        consents = []
        for item in items:
            used: dict[str, set[str]] = {}
            for source in item.sources.values():
                if isinstance(source, str) and source.startswith("cert:"):
                    code, _, field = source.removeprefix("cert:").partition(".")
                    certificate = next(iter(held.get(code, [])), None)
                    if certificate is not None:
                        used.setdefault(certificate.id, set()).add(field)
            for material in item.materials.values():
                if "certificate_id" in material:
                    used.setdefault(material["certificate_id"], set()).add("*")
            consents += [
                {
                    "citizen_id": citizen_id,
                    "application_id": item.id,
                    "certificate_id": cid,
                    "fields": sorted(fields),
                    "at": now,
                }
                for cid, fields in used.items()
            ]
        if consents:
            await self._unit.session.execute(t.data_consents.insert(), consents)

    async def _owned_uploads(self, citizen_id: str, wanted: dict[str, str]) -> dict[str, str]:
        if not wanted:
            return {}
        query = select(t.uploads.c.id).where(
            t.uploads.c.id.in_(set(wanted.values())), t.uploads.c.citizen_id == citizen_id
        )
        mine = {row.id for row in await execute(self._unit.session, query)}
        return {k: v for k, v in wanted.items() if v in mine}
