"""The 12345 hotline's stand-in: every work order is kept in a table instead of sent (tests read it;
`work_orders` lists them for a development command, none written yet)."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from backend.db import tables as t
from backend.hall.ratings.hotline import WorkOrder


class TableHotline:
    """Keeps work orders in `hotline_work_orders`; numbered 12345-<Beijing date>-<sequence>.

    Settings refuse this stand-in in production, so a real complaint never ends in a table."""

    async def open_work_order(self, session: AsyncSession, order: WorkOrder) -> str:
        """Store the work order; its number."""
        now = datetime.now(UTC)
        count = (await session.execute(select(func.count()).select_from(t.hotline_work_orders))).scalar_one()
        number = f"12345-{now:%Y%m%d}-{count + 1:06d}"
        await session.execute(
            t.hotline_work_orders.insert().values(
                number=number,
                department_code=order.department_code,
                case_id=order.case_id,
                summary=order.summary,
                created_at=now,
            )
        )
        return number


async def work_orders(session: AsyncSession, limit: int = 50) -> list[tuple[str, str, str, str]]:
    """The newest `limit` work orders, oldest first: (number, department, case, summary)."""
    rows = list(
        await session.execute(
            select(t.hotline_work_orders).order_by(t.hotline_work_orders.c.created_at.desc()).limit(limit)
        )
    )
    return [(r.number, r.department_code, r.case_id, r.summary) for r in reversed(rows)]
