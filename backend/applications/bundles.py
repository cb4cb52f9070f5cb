"""A life-event bundle's own status, derived from its items' whenever one of them moves."""

from __future__ import annotations

import msgspec
from sqlalchemy import select, update

from backend.applications.applicants import Applicants
from backend.applications.reads import APPLICATION_COLUMNS, Reads, to_application
from backend.applications.states import Action, Status, bundle_status
from backend.applications.timeline import Actor
from backend.applications.unit import Unit
from backend.db import tables as t
from payments import orders


class Bundles:
    """Bundles as their items progress."""

    def __init__(self, unit: Unit, reads: Reads, applicants: Applicants) -> None:
        self._unit = unit
        self._reads = reads
        self._applicants = applicants

    async def refresh(self, parent_id: str) -> None:
        """Derive a bundle's status from its items'; a change is on its timeline and heard live.

        A bundle refused as a whole has nothing left to pay for: payments close its open order.
        """
        session, snapshot = self._unit.session, self._unit.snapshot
        # Lock the bundle first: two officers finishing two items at once must not both read the
        # other's item as still open (PostgreSQL; SQLite serializes writers anyway).
        locked = select(*APPLICATION_COLUMNS).where(t.applications.c.id == parent_id).with_for_update()
        parent = to_application((await session.execute(locked)).one())
        items = await self._reads.items(parent_id)
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
