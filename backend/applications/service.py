"""The citizen's side of applications: the one form, drafts, submission, instant approval, progress."""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import msgspec
from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from backend.applications import decisions
from backend.applications.events import Actor, Events
from backend.applications.forms import MatterSpec, MergedForm, Profile, certificates_by_type, merge
from backend.applications.models import Application, Draft
from backend.applications.progress import APPLICATION_COLUMNS, ProgressReads
from backend.applications.states import Action, Status, bundle_status
from backend.applications.validation import Checked, FormFieldSpec, validate_form
from backend.applications.workdays import WorkCalendar, shanghai_date
from backend.catalog.service import CatalogService
from backend.catalog.snapshot import CatalogSnapshot
from backend.certificates.service import Certificate, CertificateStore
from backend.certificates.trustlog import log_key
from backend.db import tables as t
from backend.db.engine import execute
from backend.errors import DomainError, ErrorCode, NotFoundError
from backend.i18n import Catalogs
from backend.identity.service import IdentityDeps
from payments.money import to_fen
from payments.orders import LineSpec, open_order

MAX_TEXT = 2000  # the longest form value (a textarea)


def _bounded(
    form: MergedForm, values: dict[str, Any], materials: dict[str, Any]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """A draft keeps only the form's own fields and materials, as scalars of bounded size."""
    keys = {f.key for f in form.fields}
    kept: dict[str, Any] = {}
    for key, value in values.items():
        if key not in keys:
            continue
        if isinstance(value, (dict, list)) or (isinstance(value, str) and len(value) > MAX_TEXT):
            raise DomainError(ErrorCode.INVALID_VALUE, field=key)
        kept[key] = value
    material_keys = {m.key for m in form.materials}
    uploads = {k: str(v)[:64] for k, v in materials.items() if k in material_keys and isinstance(v, str)}
    return kept, uploads


class FormInvalidError(DomainError):
    """A submission with problems, by field key (values are kept in the draft)."""

    def __init__(self, problems: dict[str, Checked], missing_materials: dict[str, dict[str, str]]) -> None:
        super().__init__(ErrorCode.FORM_INVALID)
        self.problems = problems
        self.missing_materials = missing_materials


def _source(prefilled_from: str | None, prefilled: Any, submitted: Any) -> str:
    """Where a submitted value came from: the pre-fill's source, "citizen", or a correction of a pre-fill."""
    if prefilled_from is None or prefilled is None:
        return "citizen"
    if submitted == prefilled:
        return prefilled_from
    # The citizen may correct a pre-filled value, but then it is their word, not the certificate's.
    return f"corrected:{prefilled_from}"


def new_reference(today: date) -> str:
    """What a citizen quotes on the phone: the date and eight random digits."""
    return f"GZ{today:%y%m%d}{secrets.randbelow(10**8):08d}"


class ApplicationService(ProgressReads):
    """Applications in one request's session; the caller owns the unit of work and calls `events.publish`."""

    def __init__(
        self,
        session: AsyncSession,
        deps: IdentityDeps,
        snapshot: CatalogSnapshot,
        *,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
        calendar: WorkCalendar | None = None,
    ) -> None:
        self._session = session
        self._deps = deps
        self._snapshot = snapshot
        self._now = now
        self._calendar = calendar or WorkCalendar.default()
        self.certificates = CertificateStore(session, log_key(deps.master_secret))
        self.events = Events(session, deps.sms, deps.messages)

    @property
    def session(self) -> AsyncSession:
        """The unit of work this service writes in (instant approval and issuing share it)."""
        return self._session

    @property
    def snapshot(self) -> CatalogSnapshot:
        """The catalog this request reads."""
        return self._snapshot

    @property
    def messages(self) -> Catalogs:
        """The message catalogs (SMS texts and reasons are rendered at write time)."""
        return self._deps.messages

    # --- who is applying -------------------------------------------------------------------------
    async def profile(self, citizen_id: str) -> tuple[Profile, str]:
        """The verified citizen's profile and phone; REAL_NAME_REQUIRED until they are verified."""
        row = (await execute(self._session, select(t.citizens).where(t.citizens.c.id == citizen_id))).first()
        if row is None:
            raise DomainError(ErrorCode.UNAUTHENTICATED)
        person = await self._deps.registry.person(self._session, row.id_number) if row.id_number else None
        if person is None:
            raise DomainError(ErrorCode.REAL_NAME_REQUIRED)
        profile = Profile(
            name=person.name, id_number=person.id_number, phone=row.phone, address=person.address,
            birth_date=person.birth_date, sex=person.sex, region_code=person.region_code,
        )  # fmt: skip
        return profile, row.phone

    # --- what is applied for ---------------------------------------------------------------------
    async def specs(self, matter_code: str | None, bundle_code: str | None) -> tuple[str, list[MatterSpec]]:
        """The target key ("matter:CODE" or "bundle:CODE") and its matters' specs, in processing order."""
        if (matter_code is None) == (bundle_code is None):
            raise DomainError(ErrorCode.MATTER_OR_BUNDLE)
        if bundle_code is not None:
            codes = self._snapshot.bundle_matters.get(bundle_code)
            if not codes:
                raise NotFoundError(bundle_code, field="bundleCode")
            target = f"bundle:{bundle_code}"
        else:
            assert matter_code is not None
            if matter_code not in self._snapshot.by_code:
                raise NotFoundError(matter_code, field="matterCode")
            codes, target = [matter_code], f"matter:{matter_code}"
        details = await CatalogService(self._session).matter_details(codes)
        specs = [MatterSpec(self._snapshot.by_code[c], d) for c, d in zip(codes, details, strict=True) if d]
        return target, specs

    async def form(self, citizen_id: str, matter_code: str | None, bundle_code: str | None) -> MergedForm:
        """The merged form, pre-filled, with the citizen's draft corrections applied."""
        target, specs = await self.specs(matter_code, bundle_code)
        profile, _ = await self.profile(citizen_id)
        certificates = await self.certificates.holder_certificates(profile.id_number, shanghai_date(self._now()))
        draft = await self.draft(citizen_id, target)
        return merge(specs, profile=profile, certificates=certificates, draft=draft.form_values if draft else None)

    # --- drafts ----------------------------------------------------------------------------------
    async def draft(self, citizen_id: str, target: str) -> Draft | None:
        """The citizen's draft for a matter or bundle."""
        row = (
            await execute(
                self._session, select(t.drafts).where(t.drafts.c.citizen_id == citizen_id, t.drafts.c.target == target)
            )
        ).first()
        return Draft(**row._mapping) if row else None

    async def save_draft(
        self,
        citizen_id: str,
        matter_code: str | None,
        bundle_code: str | None,
        values: dict[str, Any],
        materials: dict[str, Any],
        *,
        version: int | None,
    ) -> Draft:
        """Keep the citizen's entries as they are (no validation: nothing typed is ever lost).

        `version` is the draft version the device last saw; an older one means another device saved
        since, and DRAFT_CONFLICT asks this device to reload rather than overwrite silently.
        """
        target, specs = await self.specs(matter_code, bundle_code)
        values, materials = _bounded(merge(specs, profile=None, certificates=[]), values, materials)
        now = self._now()
        existing = await self.draft(citizen_id, target)
        if existing is None:
            draft = Draft(id=str(uuid.uuid4()), citizen_id=citizen_id, target=target, form_values=values,
                          materials=materials, version=1, updated_at=now)  # fmt: skip
            try:
                async with self._session.begin_nested():
                    await self._session.execute(t.drafts.insert().values(**msgspec.structs.asdict(draft)))
            except IntegrityError:  # another device saved the first version at the same moment
                raise DomainError(ErrorCode.DRAFT_CONFLICT, field="version") from None
            return draft
        if version is not None and version != existing.version:
            raise DomainError(ErrorCode.DRAFT_CONFLICT, field="version")
        merged_values = {**existing.form_values, **values}
        merged_materials = {**existing.materials, **materials}
        result = await self._session.execute(
            update(t.drafts)
            .where(t.drafts.c.id == existing.id, t.drafts.c.version == existing.version)
            .values(form_values=merged_values, materials=merged_materials, version=existing.version + 1, updated_at=now)
        )
        if result.rowcount != 1:  # type: ignore[attr-defined]
            raise DomainError(ErrorCode.DRAFT_CONFLICT, field="version")
        return msgspec.structs.replace(
            existing, form_values=merged_values, materials=merged_materials, version=existing.version + 1,
            updated_at=now,
        )  # fmt: skip

    # --- instant approval as a dry run --------------------------------------------------------------
    async def eligibility(self, citizen_id: str, matter_code: str, values: dict[str, Any] | None = None) -> Any:
        """The matter's instant-approval rule on the citizen's data (and a form, when given)."""
        _, specs = await self.specs(matter_code, None)
        spec = specs[0]
        if spec.details.auto_approval is None:
            raise DomainError(ErrorCode.NO_INSTANT_APPROVAL, field="matterCode")
        profile, _ = await self.profile(citizen_id)
        certificates = await self.certificates.holder_certificates(profile.id_number, shanghai_date(self._now()))
        form = merge([spec], profile=profile, certificates=certificates)
        data = {f.key: f.value for f in form.fields} | (values or {})
        return decisions.evaluate(spec, data, profile, certificates, shanghai_date(self._now()))

    # --- submission ----------------------------------------------------------------------------------
    async def submit(
        self, citizen_id: str, matter_code: str | None, bundle_code: str | None, values: dict[str, Any],
        materials: dict[str, Any],
    ) -> Application:  # fmt: skip
        """Create the application (and a bundle's items), decide instant approvals, drop the draft."""
        target, specs = await self.specs(matter_code, bundle_code)
        profile, phone = await self.profile(citizen_id)
        certificates = await self.certificates.holder_certificates(profile.id_number, shanghai_date(self._now()))
        form = merge(specs, profile=profile, certificates=certificates)
        now = self._now()
        today = shanghai_date(now)
        entered = {f.key: values.get(f.key, f.value) for f in form.fields}
        field_specs = [
            FormFieldSpec(key=f.key, type=f.type, required=f.required,  # type: ignore[arg-type]
                          options=[o.value for o in f.options] if f.options else None)
            for f in form.fields
        ]  # fmt: skip
        accepted, problems = validate_form(field_specs, entered, today=today)
        supplied = await self._supplied_materials(citizen_id, form, materials)
        missing = {x.key: x.name for x in form.materials if x.required and not x.replaced and x.key not in supplied}
        if problems or missing:
            raise FormInvalidError(problems, missing)
        sources = {f.key: _source(f.source, f.value, accepted.get(f.key)) for f in form.fields}
        held = certificates_by_type(certificates)
        bundle = bundle_code is not None
        parent_id = str(uuid.uuid4()) if bundle else None
        rows: list[dict[str, Any]] = []
        for spec in specs:
            rows.append(self._item_row(spec, form, accepted, sources, supplied, citizen_id, parent_id, now, today))
        if bundle and parent_id is not None:
            parent = self._parent_row(parent_id, bundle_code or "", citizen_id, rows, form, now)
        await self._insert([parent, *rows] if bundle else rows, today)
        await self._record_consents(citizen_id, rows, form, held)
        await self._open_payment_order(citizen_id, (parent if bundle else rows[0]), rows)
        head = parent if bundle else rows[0]
        await self.events.record(
            application=head, action=Action.SUBMIT, actor=Actor("citizen", citizen_id, profile.name), from_status=None,
            to_status=Status.SUBMITTED if not bundle else Status.IN_PROGRESS, matter_name=self._name(head),
            phone=phone, notify=True,
        )  # fmt: skip
        for row, spec in zip(rows, specs, strict=True):
            if bundle:
                await self.events.record(
                    application=row, action=Action.SUBMIT, actor=Actor("citizen", citizen_id, profile.name),
                    from_status=None, to_status=Status.SUBMITTED, matter_name=self._name(row), phone=None, notify=False,
                )  # fmt: skip
            if spec.details.auto_approval is not None:
                await decisions.decide_instantly(self, spec, row, profile, phone, certificates, today)
        if bundle and parent_id is not None:
            await self.refresh_bundle(parent_id)
        await self._session.execute(
            delete(t.drafts).where(t.drafts.c.citizen_id == citizen_id, t.drafts.c.target == target)
        )
        application = await self.get(head["id"])
        assert application is not None
        return application

    async def _open_payment_order(self, citizen_id: str, head: dict[str, Any], rows: list[dict[str, Any]]) -> None:
        """One payment order for every fee of the application (a bundle's from several departments)."""
        departments = self._snapshot.departments
        lines = [
            LineSpec(
                department_code=fee.department_code,
                fiscal_code=departments[fee.department_code].fiscal_code,
                item_code=fee.item_code,
                name=fee.name,
                amount_fen=to_fen(fee.amount),
                matter_code=row["matter_code"],
            )
            for row in rows
            for fee in self._snapshot.fees.get(row["matter_code"], [])
            if fee.amount > 0
        ]
        if lines:
            subject = f"{self._name(head).get('zh-Hans', '')} {head['reference']}"
            await open_order(
                self._session, citizen_id=citizen_id, application_id=head["id"], subject=subject, lines=lines
            )

    async def _insert(self, rows: list[dict[str, Any]], today: date) -> None:
        """Insert applications; a reference that happens to be taken already is drawn again."""
        for attempt in range(5):
            try:
                async with self._session.begin_nested():
                    await self._session.execute(t.applications.insert(), rows)
                return
            except IntegrityError:
                if attempt == 4:
                    raise
                for row in rows:
                    row["reference"] = new_reference(today)

    def _item_row(
        self, spec: MatterSpec, form: MergedForm, values: dict[str, Any], sources: dict[str, Any],
        supplied: dict[str, str], citizen_id: str, parent_id: str | None, now: datetime, today: date,
    ) -> dict[str, Any]:  # fmt: skip
        summary = spec.summary
        code = summary.code
        own_values = form.values_for(code, values)
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
        fees = sum((f.amount for f in self._snapshot.fees.get(code, [])), Decimal("0.00"))
        return {
            "id": str(uuid.uuid4()), "reference": new_reference(today), "citizen_id": citizen_id,
            "parent_id": parent_id, "kind": "matter", "matter_code": code, "bundle_code": None,
            "department_code": summary.department_code, "status": Status.SUBMITTED.value, "form": own_values,
            "sources": own_sources, "materials": materials, "decision": None, "fees_due": f"{fees:.2f}",
            "promised_days": summary.promised_days,
            "deadline": self._calendar.add_working_days(today, summary.promised_days),
            "max_trips": summary.max_trips, "trips_needed": 0 if electronic else max(summary.max_trips, 1),
            "fields_total": len(spec.details.form),
            "fields_prefilled": sum(1 for s in own_sources.values() if s and s.startswith(("profile.", "cert:"))),
            "materials_replaced": replaced, "submitted_at": now, "decided_at": None, "updated_at": now, "version": 1,
        }  # fmt: skip

    def _parent_row(
        self, parent_id: str, bundle_code: str, citizen_id: str, rows: list[dict[str, Any]], form: MergedForm,
        now: datetime,
    ) -> dict[str, Any]:  # fmt: skip
        deadlines = [r["deadline"] for r in rows if r["deadline"]]
        fees = sum((Decimal(r["fees_due"]) for r in rows), Decimal("0.00"))
        return {
            "id": parent_id, "reference": new_reference(shanghai_date(now)), "citizen_id": citizen_id,
            "parent_id": None, "kind": "bundle", "matter_code": None, "bundle_code": bundle_code,
            "department_code": None, "status": Status.IN_PROGRESS.value, "form": {}, "sources": {}, "materials": {},
            "decision": None, "fees_due": f"{fees:.2f}", "promised_days": max(r["promised_days"] for r in rows),
            "deadline": max(deadlines) if deadlines else None, "max_trips": sum(r["max_trips"] for r in rows),
            "trips_needed": sum(r["trips_needed"] for r in rows), "fields_total": form.fields_total,
            "fields_prefilled": form.fields_prefilled, "materials_replaced": form.materials_replaced,
            "submitted_at": now, "decided_at": None, "updated_at": now, "version": 1,
        }  # fmt: skip

    async def _supplied_materials(self, citizen_id: str, form: MergedForm, materials: dict[str, Any]) -> dict[str, str]:
        """Material key -> upload id, for uploads that exist and belong to this citizen."""
        known = {x.key for x in form.materials}
        return await self._owned_uploads(citizen_id, {k: str(v) for k, v in materials.items() if v and k in known})

    async def _record_consents(
        self, citizen_id: str, rows: list[dict[str, Any]], form: MergedForm, held: dict[str, list[Certificate]]
    ) -> None:
        """Record, per application, which fields of which certificate it used (the citizen sees this)."""
        now = self._now()
        consents = []
        for row in rows:
            used: dict[str, set[str]] = {}
            for source in row["sources"].values():
                if isinstance(source, str) and source.startswith("cert:"):
                    code, _, field = source.removeprefix("cert:").partition(".")
                    certificate = next(iter(held.get(code, [])), None)
                    if certificate is not None:
                        used.setdefault(certificate.id, set()).add(field)
            for material in row["materials"].values():
                if "certificate_id" in material:
                    used.setdefault(material["certificate_id"], set()).add("*")
            consents += [
                {"citizen_id": citizen_id, "application_id": row["id"], "certificate_id": cid,
                 "fields": sorted(fields), "at": now}
                for cid, fields in used.items()
            ]  # fmt: skip
        if consents:
            await self._session.execute(t.data_consents.insert(), consents)

    def _name(self, row: dict[str, Any]) -> dict[str, str]:
        if row.get("matter_code"):
            return self._snapshot.by_code[row["matter_code"]].name
        bundle = self._snapshot.bundle_by_code.get(row.get("bundle_code") or "")
        return bundle.name if bundle else {}

    async def refresh_bundle(self, parent_id: str) -> None:
        """Derive a bundle's status from its items'; a change is on its timeline and heard live."""
        # Lock the bundle first: two officers finishing two items at once must not both read the
        # other's item as still open (PostgreSQL; SQLite serializes writers anyway).
        parent_row = (
            await self._session.execute(
                select(*APPLICATION_COLUMNS).where(t.applications.c.id == parent_id).with_for_update()
            )
        ).one()
        items = await self.items(parent_id)
        outputs = [bool(self._snapshot.by_code[i.matter_code].outputs) if i.matter_code else False for i in items]
        status = bundle_status([i.status for i in items], outputs)
        if status == parent_row.status:
            return
        final = status in (Status.COMPLETED, Status.REJECTED)
        if status == Status.REJECTED:
            await self.close_unpaid_order(parent_id)
        decided = max((i.decided_at for i in items if i.decided_at), default=None) if final else None
        now = self._now()
        await self._session.execute(
            update(t.applications)
            .where(t.applications.c.id == parent_id)
            .values(status=status.value, decided_at=decided, updated_at=now, version=parent_row.version + 1)
        )
        parent = dict(parent_row._mapping) | {"status": status.value}
        phone = await self.phone_of(parent["citizen_id"])
        await self.events.record(
            application=parent, action=Action.BUNDLE_PROGRESS, actor=Actor.system(), from_status=parent_row.status,
            to_status=status.value, matter_name=self._name(parent), phone=phone if final else None,
        )  # fmt: skip

    async def supplement(
        self, citizen_id: str, application_id: str, values: dict[str, Any], materials: dict[str, Any]
    ) -> Application:
        """The citizen answers a request for supplement (补正): corrected values, back to the department."""
        application = await self.get(application_id)
        if application is None or application.citizen_id != citizen_id or application.kind != "matter":
            raise NotFoundError(application_id, field="id")
        if application.status != Status.SUPPLEMENT_REQUESTED:
            raise DomainError(ErrorCode.INVALID_TRANSITION, field="id", status=application.status,
                              action=Action.SUPPLEMENT.value)  # fmt: skip
        _, specs = await self.specs(application.matter_code, None)
        fields = [FormFieldSpec.from_catalog(x) for x in specs[0].details.form]
        entered = {**application.form, **values}
        accepted, problems = validate_form(fields, entered, today=shanghai_date(self._now()))
        if problems:
            raise FormInvalidError(problems, {})
        known = {x.key for x in specs[0].details.materials}
        uploads = await self._owned_uploads(citizen_id, {k: str(v) for k, v in materials.items() if k in known and v})
        sources = {k: ("citizen" if k in values else s) for k, s in application.sources.items()}
        now = self._now()
        new = {
            "form": accepted, "sources": sources, "status": Status.SUBMITTED.value,
            "materials": {**application.materials, **{k: {"upload_id": v} for k, v in uploads.items()}},
            "updated_at": now, "version": application.version + 1,
        }  # fmt: skip
        await self.update_versioned(application, new, field="id")
        profile, _phone = await self.profile(citizen_id)
        row = msgspec.structs.asdict(application) | new
        await self.events.record(
            application=row, action=Action.SUPPLEMENT, actor=Actor("citizen", citizen_id, profile.name),
            from_status=application.status, to_status=Status.SUBMITTED, matter_name=self._name(row), phone=None,
        )  # fmt: skip
        if application.parent_id:
            await self.refresh_bundle(application.parent_id)
        updated = await self.get(application.id)
        assert updated is not None
        return updated

    async def phone_of(self, citizen_id: str) -> str | None:
        """Where a citizen's SMS go."""
        row = (await execute(self._session, select(t.citizens.c.phone).where(t.citizens.c.id == citizen_id))).first()
        return row.phone if row else None

    async def close_unpaid_order(self, application_id: str) -> None:
        """An application refused as a whole has nothing left to pay for: its open order closes."""
        await self._session.execute(
            update(t.payment_orders)
            .where(t.payment_orders.c.application_id == application_id, t.payment_orders.c.status == "open")
            .values(status="closed", closed_at=self._now())
        )

    async def update_versioned(self, application: Application, values: dict[str, Any], *, field: str) -> None:
        """Write `values` only if nobody changed the application since it was read (STALE_APPLICATION)."""
        result = await self._session.execute(
            update(t.applications)
            .where(t.applications.c.id == application.id, t.applications.c.version == application.version)
            .values(**values)
        )
        if result.rowcount != 1:  # type: ignore[attr-defined]
            raise DomainError(ErrorCode.STALE_APPLICATION, field=field)

    async def _owned_uploads(self, citizen_id: str, wanted: dict[str, str]) -> dict[str, str]:
        if not wanted:
            return {}
        rows = await execute(
            self._session,
            select(t.uploads.c.id).where(
                t.uploads.c.id.in_(set(wanted.values())), t.uploads.c.citizen_id == citizen_id
            ),
        )
        mine = {row.id for row in rows}
        return {k: v for k, v in wanted.items() if v in mine}
