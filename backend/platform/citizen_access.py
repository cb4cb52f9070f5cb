"""A citizen's view of who used their data: the reads a mini-program's request made are written once the
request is answered, and read back per app and Beijing day (`myDataAccess`).

Only apps that are not the platform's own are recorded: the citizen's own app reads everything on the
citizen's behalf, and listing it would hide the apps that matter among the citizen's own taps.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta

import msgspec
import structlog
from sqlalchemy import and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from backend.db import tables as t
from backend.db.engine import unit_of_work
from backend.identity.models import Principal, SubjectType
from backend.platform.data_access import BEIJING, AccessKind, count_access

log = structlog.get_logger("backend.platform.citizen_access")

MAX_DAYS = 366
"""How far back a citizen may look at once."""


def recorded(principal: Principal | None) -> bool:
    """Whether this caller's reads are recorded: a mini-program (or a service) acting for a citizen."""
    return principal is not None and principal.subject_type is SubjectType.CITIZEN and not principal.first_party


async def record_reads(
    sessions: async_sessionmaker[AsyncSession], principal: Principal | None, scopes: Iterable[str]
) -> None:
    """Count one read of each scope for the citizen behind `principal`, in a short transaction of its own.

    Called once the answer is computed; a failure is logged, never the request's: the citizen's record
    missing a request is better than the app being refused its data.
    """
    read = sorted(set(scopes))
    if not read or principal is None or not recorded(principal):
        return
    try:
        async with sessions() as session, unit_of_work(session):
            await count_access(
                session, principal.subject_id, principal.client_id, AccessKind.READ, dict.fromkeys(read, 1)
            )
    except Exception as error:  # see the docstring
        log.warning("data_access.not_recorded", client=principal.client_id, error=type(error).__name__)


class AppDay(msgspec.Struct, frozen=True, kw_only=True):
    """What one app did with the citizen's data on one Beijing day."""

    day: date
    client_id: str
    client_name: str
    reads: dict[str, int]  # scope -> requests that read its data
    events: dict[str, int]  # event type -> deliveries


def today() -> date:
    """Today in Beijing, the day the records are kept by."""
    return datetime.now(BEIJING).date()


async def access_days(
    session: AsyncSession, citizen_id: str, *, days: int, first: int, after: tuple[date, str] | None
) -> tuple[list[AppDay], bool]:
    """The citizen's (day, app) records of the last `days` days, newest day first then by app, `first`
    of them after the (day, client id) `after`; and whether more follow."""
    table = t.data_access
    since = today() - timedelta(days=days - 1)
    mine = and_(table.c.citizen_id == citizen_id, table.c.day >= since)
    pairs = select(table.c.day, table.c.client_id).where(mine).group_by(table.c.day, table.c.client_id)
    if after is not None:
        day, client = after
        pairs = pairs.where(or_(table.c.day < day, and_(table.c.day == day, table.c.client_id > client)))
    pairs = pairs.order_by(table.c.day.desc(), table.c.client_id).limit(first + 1)
    found = [(row.day, row.client_id) for row in await session.execute(pairs)]
    more, found = len(found) > first, found[:first]
    if not found:
        return [], False
    wanted_days, wanted_clients = {d for d, _ in found}, {c for _, c in found}
    items = await session.execute(
        select(table.c.day, table.c.client_id, table.c.kind, table.c.item, table.c.count).where(
            mine, table.c.day.in_(wanted_days), table.c.client_id.in_(wanted_clients)
        )
    )
    counted: dict[tuple[date, str], dict[str, dict[str, int]]] = {pair: {"read": {}, "event": {}} for pair in found}
    for day, client, kind, item, count in items.tuples():
        kinds = counted.get((day, client))
        if kinds is not None and kind in kinds:
            kinds[kind][item] = int(count)
    apps = select(t.oauth_clients.c.client_id, t.oauth_clients.c.name).where(
        t.oauth_clients.c.client_id.in_(wanted_clients)
    )
    names = {client: name for client, name in (await session.execute(apps)).tuples()}
    return [
        AppDay(
            day=day,
            client_id=client,
            client_name=names.get(client, client),
            reads=dict(sorted(counted[(day, client)][AccessKind.READ.value].items())),
            events=dict(sorted(counted[(day, client)][AccessKind.EVENT.value].items())),
        )
        for day, client in found
    ], more
