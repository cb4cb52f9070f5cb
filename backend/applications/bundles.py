"""A life-event bundle's own status, derived from its items' whenever one of them moves."""

from __future__ import annotations

import msgspec
from sqlalchemy import select, update

from backend.applications.applicants import Applicants
from backend.applications.approval import InstantApproval
from backend.applications.forms import MatterSpec, issued_earlier
from backend.applications.handover import hand_over, pending
from backend.applications.models import Application
from backend.applications.reads import APPLICATION_COLUMNS, Reads, to_application
from backend.applications.states import Action, Status, bundle_status, is_final
from backend.applications.targets import Targets
from backend.applications.timeline import Actor
from backend.applications.unit import Unit
from backend.applications.unpaid import fees_unpaid
from backend.applications.workdays import shanghai_date
from backend.applications.writes import update_versioned
from backend.certificates.service import Certificate
from backend.db import tables as t
from payments import orders


class Bundles:
    """Bundles as their items progress."""

    def __init__(
        self, unit: Unit, reads: Reads, applicants: Applicants, targets: Targets, approval: InstantApproval
    ) -> None:
        self._unit = unit
        self._reads = reads
        self._applicants = applicants
        self._targets = targets
        self._approval = approval

    async def awaiting(self, item: Application) -> set[str]:
        """The certificate types a bundle's item still waits for from an earlier step (none: it can go on)."""
        snapshot = self._unit.snapshot
        parent = await self._reads.get(item.parent_id) if item.parent_id else None
        if parent is None or item.matter_code is None:
            return set()
        codes = snapshot.bundle_matters.get(parent.bundle_code or "", [])
        before = codes[: codes.index(item.matter_code)] if item.matter_code in codes else []
        earlier = {output for code in before for output in snapshot.by_code[code].outputs}
        if not earlier:  # nothing before it issues anything: no catalog read needed
            return set()
        return pending(await self._targets.spec(item.matter_code), item, earlier)

    async def refresh(self, parent_id: str) -> None:
        """Derive a bundle's status from its items'; a change is on its timeline and heard live.

        A bundle refused as a whole has nothing left to pay for: payments close its open order.
        """
        session, snapshot = self._unit.session, self._unit.snapshot
        # Lock the bundle first: two officers finishing two items at once must not both read the
        # other's item as still open (PostgreSQL; SQLite serializes writers anyway).
        locked = select(*APPLICATION_COLUMNS).where(t.applications.c.id == parent_id).with_for_update()
        parent = to_application((await session.execute(locked)).one())
        items = await self._hand_over(parent, await self._reads.items(parent_id))
        outputs = [bool(snapshot.by_code[i.matter_code].outputs) if i.matter_code else False for i in items]
        status = bundle_status([i.status for i in items], outputs)
        if status == parent.status:
            return
        final = status in (Status.COMPLETED, Status.REJECTED)
        if status == Status.REJECTED:
            await orders.close_open_order_of(session, parent_id, self._unit.now())
        decided = max((i.decided_at for i in items if i.decided_at), default=None) if final else None
        now = self._unit.now()
        moved = msgspec.structs.replace(
            parent, status=status.value, decided_at=decided, updated_at=now, version=parent.version + 1
        )
        await session.execute(
            update(t.applications)
            .where(t.applications.c.id == parent_id)
            .values(status=moved.status, decided_at=decided, updated_at=now, version=moved.version)
        )
        phone = await self._applicants.phone_of(parent.citizen_id) if final else None
        await self._unit.timeline.record(
            moved,
            Action.BUNDLE_PROGRESS,
            Actor.system(),
            from_status=parent.status,
            matter_name=self._unit.name_of(parent),
            phone=phone,
        )

    async def _hand_over(self, parent: Application, items: list[Application]) -> list[Application]:
        """Fill the items waiting for a certificate an earlier item has now issued (decided by rule
        then, where their matter has one); the items as they now are."""
        snapshot = self._unit.snapshot
        if not any(i.status == Status.COMPLETED and snapshot.by_code[i.matter_code or ""].outputs for i in items):
            return items
        _, specs = await self._targets.specs(None, parent.bundle_code)
        by_code, earlier = {s.summary.code: s for s in specs}, issued_earlier(specs)
        done = [i.id for i in items if i.status == Status.COMPLETED]
        issued = dict(zip(done, await self._unit.certificates.issued_by(done), strict=True))
        available: dict[str, Certificate] = {}  # type -> the certificate the nearest earlier step issued
        result = []
        for item in items:
            spec = by_code.get(item.matter_code or "")
            if spec is not None and not is_final(item.status, has_outputs=bool(spec.summary.outputs)):
                ready = {
                    code: c for code, c in available.items() if code in pending(spec, item, earlier[spec.summary.code])
                }
                if ready:
                    item = await self._fill(spec, item, ready, earlier[spec.summary.code])
                    if item.status == Status.COMPLETED:
                        issued[item.id] = (await self._unit.certificates.issued_by([item.id]))[0]
            available |= {c.type_code: c for c in issued.get(item.id, []) if c.status == "valid"}
            result.append(item)
        return result

    async def _fill(
        self, spec: MatterSpec, item: Application, ready: dict[str, Certificate], earlier: set[str]
    ) -> Application:
        filled = hand_over(spec, item, ready)
        now = self._unit.now()
        moved = await update_versioned(
            self._unit.session,
            item,
            field="applicationId",
            form=filled.form,
            sources=filled.sources,
            materials=filled.materials,
            fields_prefilled=filled.fields_prefilled,
            updated_at=now,
        )
        # The data use is the citizen's to see, as for certificates read at submission.
        consents = [
            {
                "citizen_id": item.citizen_id,
                "application_id": item.id,
                "certificate_id": cid,
                "fields": sorted(f),
                "at": now,
            }
            for cid, f in filled.used.items()
        ]
        if consents:
            await self._unit.session.execute(t.data_consents.insert(), consents)
        if spec.details.auto_approval is None or moved.status != Status.SUBMITTED or pending(spec, moved, earlier):
            return moved
        profile, phone = await self._applicants.profile(item.citizen_id)
        today = shanghai_date(now)
        certificates = await self._unit.certificates.holder_certificates(profile.id_number, today)
        unpaid = await fees_unpaid(self._unit.session, moved)
        return await self._approval.decide(spec, moved, profile, phone, certificates, today, awaiting_payment=unpaid)
