"""Payment orders: opened from an application's fees, one line per fee with its department and fiscal item."""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

import msgspec
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from backend.db.engine import execute
from backend.i18n import Msgid
from payments import tables as t


class OrderStatus(StrEnum):
    """An order's life: open until paid or closed; paid until refunded in full."""

    OPEN = "open"
    PAID = "paid"  # partly refunded orders stay paid, with refunded_fen > 0
    REFUNDED = "refunded"
    CLOSED = "closed"  # nothing left to pay for (the application was refused) or the channel closed it


# How each state reads to a person (gettext msgids): a paid order partly refunded reads as such.
STATUS_LABELS: dict[OrderStatus, str] = {
    OrderStatus.OPEN: "To pay",
    OrderStatus.PAID: "Paid",
    OrderStatus.REFUNDED: "Refunded",
    OrderStatus.CLOSED: "Closed",
}
PARTLY_REFUNDED_LABEL = "Partly refunded"


def status_label(status: str, refunded_fen: int) -> Msgid:
    """How an order's state reads (a message said in the reader's language): a paid order partly given
    back says so."""
    if status == OrderStatus.PAID and refunded_fen > 0:
        return Msgid(PARTLY_REFUNDED_LABEL)
    return Msgid(STATUS_LABELS[OrderStatus(status)])


class LineSpec(msgspec.Struct, frozen=True, kw_only=True):
    """One fee to collect, for one department."""

    department_code: str
    fiscal_code: str
    item_code: str
    name: dict[str, str]
    amount_fen: int
    matter_code: str | None = None


class Line(LineSpec, frozen=True, kw_only=True):
    """A line of an order."""

    line_no: int
    refunded_fen: int


class Order(msgspec.Struct, frozen=True, kw_only=True):
    """An order and its lines."""

    id: str
    out_trade_no: str
    citizen_id: str
    application_id: str | None
    subject: str
    total_fen: int
    refunded_fen: int
    status: OrderStatus
    channel: str | None
    channel_trade_no: str | None
    created_at: datetime
    paid_at: datetime | None
    closed_at: datetime | None
    lines: list[Line]

    def department_fen(self, department_code: str) -> tuple[int, int]:
        """(paid, refunded) of one department's lines."""
        mine = [x for x in self.lines if x.department_code == department_code]
        return sum(x.amount_fen for x in mine), sum(x.refunded_fen for x in mine)


_ORDER_COLUMNS = [t.payment_orders.c[name] for name in Order.__struct_fields__ if name != "lines"]
_LINE_COLUMNS = [t.order_lines.c[name] for name in Line.__struct_fields__] + [t.order_lines.c.order_id]


def new_out_trade_no(now: datetime) -> str:
    """Our trade number: the date and time, then randomness (unique, 26 characters)."""
    return f"OW{now:%Y%m%d%H%M%S}{secrets.token_hex(5).upper()}"


async def open_order(
    session: AsyncSession, *, citizen_id: str, application_id: str | None, subject: str, lines: Sequence[LineSpec]
) -> Order:
    """Open an order for the lines (an application has one order: asking again returns it)."""
    if application_id is not None:
        existing = (
            await execute(
                session, select(t.payment_orders.c.id).where(t.payment_orders.c.application_id == application_id)
            )
        ).scalar_one_or_none()
        if existing is not None:
            found = await get_order(session, existing)
            assert found is not None
            return found
    if not lines or any(x.amount_fen <= 0 for x in lines):
        raise ValueError("an order needs lines with positive amounts")
    now = datetime.now(UTC)
    order_id = str(uuid.uuid4())
    await session.execute(
        t.payment_orders.insert().values(
            id=order_id,
            out_trade_no=new_out_trade_no(now),
            citizen_id=citizen_id,
            application_id=application_id,
            subject=subject[:128],
            total_fen=sum(x.amount_fen for x in lines),
            refunded_fen=0,
            status=OrderStatus.OPEN,
            channel=None,
            channel_trade_no=None,
            created_at=now,
            paid_at=None,
            closed_at=None,
        )
    )
    await session.execute(
        t.order_lines.insert(),
        [
            msgspec.structs.asdict(x) | {"order_id": order_id, "line_no": n, "refunded_fen": 0}
            for n, x in enumerate(lines, 1)
        ],
    )
    found = await get_order(session, order_id)
    assert found is not None
    return found


async def _with_lines(session: AsyncSession, rows: Sequence[Any]) -> list[Order]:
    if not rows:
        return []
    lines: dict[str, list[Line]] = {}
    for row in await execute(
        session,
        select(*_LINE_COLUMNS)
        .where(t.order_lines.c.order_id.in_([r.id for r in rows]))
        .order_by(t.order_lines.c.line_no),
    ):
        data = dict(row._mapping)
        lines.setdefault(data.pop("order_id"), []).append(Line(**data))
    return [Order(**{**row._mapping, "status": OrderStatus(row.status)}, lines=lines.get(row.id, [])) for row in rows]


async def get_order(session: AsyncSession, order_id: str) -> Order | None:
    """One order with its lines (the caller checks who may see it)."""
    rows = (await execute(session, select(*_ORDER_COLUMNS).where(t.payment_orders.c.id == order_id))).all()
    found = await _with_lines(session, rows)
    return found[0] if found else None


async def orders_by_trade_no(session: AsyncSession, out_trade_nos: Sequence[str]) -> dict[str, Order]:
    """The orders channel trade numbers refer to, by trade number (unknown numbers are absent)."""
    if not out_trade_nos:
        return {}
    rows = (
        await execute(session, select(*_ORDER_COLUMNS).where(t.payment_orders.c.out_trade_no.in_(set(out_trade_nos))))
    ).all()
    return {order.out_trade_no: order for order in await _with_lines(session, rows)}


async def orders_of(session: AsyncSession, citizen_id: str, *, limit: int, offset: int) -> tuple[list[Order], int]:
    """A citizen's orders, newest first, and how many there are."""
    where = t.payment_orders.c.citizen_id == citizen_id
    rows = (
        await execute(
            session,
            select(*_ORDER_COLUMNS)
            .where(where)
            .order_by(t.payment_orders.c.created_at.desc())
            .limit(limit)
            .offset(offset),
        )
    ).all()
    total = (await execute(session, select(func.count()).select_from(t.payment_orders).where(where))).scalar_one()
    return await _with_lines(session, rows), int(total)


async def open_orders(session: AsyncSession, older_than: datetime, limit: int = 500) -> list[Order]:
    """Orders still open since before `older_than` (the reconciling job asks the channel about them)."""
    rows = (
        await execute(
            session,
            select(*_ORDER_COLUMNS)
            .where(t.payment_orders.c.status == OrderStatus.OPEN, t.payment_orders.c.created_at < older_than)
            .order_by(t.payment_orders.c.created_at)
            .limit(limit),
        )
    ).all()
    return await _with_lines(session, rows)


async def closed_at_channel_pending(session: AsyncSession, limit: int = 500) -> list[Order]:
    """Orders closed here whose channel trade may still be payable (the reconciling job closes it there)."""
    rows = (
        await execute(
            session,
            select(*_ORDER_COLUMNS)
            .where(t.payment_orders.c.status == OrderStatus.CLOSED, t.payment_orders.c.channel_closed_at.is_(None))
            .order_by(t.payment_orders.c.closed_at)
            .limit(limit),
        )
    ).all()
    return await _with_lines(session, rows)


async def orders_of_applications(session: AsyncSession, application_ids: Sequence[str]) -> list[Order | None]:
    """The order of each application's fees (one query for a page)."""
    rows = (
        await execute(
            session, select(*_ORDER_COLUMNS).where(t.payment_orders.c.application_id.in_(set(application_ids)))
        )
    ).all()
    found = {o.application_id: o for o in await _with_lines(session, rows)}
    return [found.get(i) for i in application_ids]


async def close_open_order_of(session: AsyncSession, application_id: str, now: datetime) -> None:
    """An application refused as a whole has nothing left to pay for: its open order closes (the
    reconciling job then closes the trade at the channel too)."""
    await session.execute(
        update(t.payment_orders)
        .where(t.payment_orders.c.application_id == application_id, t.payment_orders.c.status == OrderStatus.OPEN)
        .values(status=OrderStatus.CLOSED, closed_at=now)
    )
