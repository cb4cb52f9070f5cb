"""The 12345 citizen hotline, as 好差评 reaches it: an overdue rectification becomes a work order there
(Shenzhen routes a 不满意 to a 12345 work order). Settings choose the implementation
(ONEWINDOW_HOTLINE; the stand-in is standins/hotline12345.py, chosen in backend/hall/ratings/runtime.py)."""

from __future__ import annotations

from typing import Protocol

import msgspec
from sqlalchemy.ext.asyncio import AsyncSession


class WorkOrder(msgspec.Struct, frozen=True):
    """What the hotline is asked to follow: the case, the department, what went wrong (no rater identity)."""

    case_id: str
    department_code: str
    summary: str


class Hotline(Protocol):
    """Opens a work order at the 12345 hotline; returns its number."""

    async def open_work_order(self, session: AsyncSession, order: WorkOrder) -> str:
        """Send the work order (in the caller's transaction where the hotline is a table); its number."""
        ...
