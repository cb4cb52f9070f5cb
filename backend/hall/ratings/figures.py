"""Published 好差评 figures of a hall, a department or a matter (open to anyone): how many ratings, the
satisfaction rate by the national counting, the 差评 and how their rectification kept its deadlines.

Counting: a rating counts on the China date its service finished; a rating excluded on appeal does not
count at all; a rating defaulted to 基本满意 (unrated within the due days) counts as 基本满意, as the
Guangdong rule says, and is also shown on its own (`defaulted`)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import msgspec
from sqlalchemy import ColumnElement, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from backend.db import tables as t
from backend.errors import CommonErrorCode, DomainError
from backend.hall.ratings.errors import RatingError, RatingErrorCode
from backend.hall.ratings.levels import BAD, SATISFIED, Level
from backend.hall.ratings.rectification import CLOSING, CaseState

SHANGHAI = ZoneInfo("Asia/Shanghai")
DEFAULTED_COUNT = True
"""Whether a defaulted 基本满意 counts in the satisfaction rate (Guangdong: yes)."""


class Scope(msgspec.Struct, frozen=True):
    """Exactly one of a hall, a department or a matter."""

    hall_code: str | None = None
    department_code: str | None = None
    matter_code: str | None = None

    def check(self) -> Scope:
        """FIGURES_SCOPE_REQUIRED unless exactly one is given."""
        if sum(x is not None for x in (self.hall_code, self.department_code, self.matter_code)) != 1:
            raise RatingError(RatingErrorCode.FIGURES_SCOPE_REQUIRED, field="hallCode")
        return self


class Figures(msgspec.Struct, frozen=True, kw_only=True):
    """The figures of one scope and period."""

    ratings: int
    per_level: dict[Level, int]
    defaulted: int
    satisfaction_rate: float | None  # 0..1; None without ratings
    bad: int  # 差评 counted
    excluded: int  # 差评 excluded on appeal (not counted above)
    cases_due: int  # cases answered or past their deadline
    rectified_on_time: int
    rectified_on_time_rate: float | None
    escalated: int


FIRST_DAY = date(2019, 1, 1)
"""The national 好差评 system began in 2019 (国办发〔2019〕51号): no figures before."""
LONGEST_PERIOD = 366
"""Days in one published period: a year at most (anyone may ask; each ask is one aggregate query)."""


def _where(scope: Scope, start: date, end: date) -> list[ColumnElement[bool]]:
    r = t.rateables.c
    since = datetime.combine(start, time(), SHANGHAI).astimezone(UTC)
    until = datetime.combine(end + timedelta(days=1), time(), SHANGHAI).astimezone(UTC)
    where = [r.level.is_not(None), r.finished_at >= since, r.finished_at < until]
    if scope.hall_code is not None:
        where.append(r.hall_code == scope.hall_code)
    if scope.department_code is not None:
        where.append(r.department_code == scope.department_code)
    if scope.matter_code is not None:
        where.append(r.matter_code == scope.matter_code)
    return where


async def figures(session: AsyncSession, scope: Scope, start: date, end: date, now: datetime) -> Figures:
    """The figures of `scope` for services finished from `start` to `end` (China dates, both included)."""
    r = t.rateables.c
    if not (FIRST_DAY <= start <= end <= now.date() + timedelta(days=1)) or (end - start).days > LONGEST_PERIOD:
        raise DomainError(CommonErrorCode.INVALID_VALUE, field="from")
    where = _where(scope.check(), start, end)
    grouped = (
        select(r.level, r.defaulted, r.excluded, func.count()).where(*where).group_by(r.level, r.defaulted, r.excluded)
    )
    per_level = dict.fromkeys(Level, 0)
    defaulted = excluded = 0
    for level, was_defaulted, was_excluded, count in await session.execute(grouped):
        if was_excluded:
            excluded += count
            continue
        per_level[Level(level)] += count
        defaulted += count if was_defaulted else 0
    ratings = sum(per_level.values())
    satisfied = sum(per_level[x] for x in SATISFIED)
    if not DEFAULTED_COUNT:
        ratings, satisfied = ratings - defaulted, satisfied - defaulted
    c = t.rectification_cases.c
    cases = select(c.state, c.deadline, c.answered_at, c.escalated_at).join(
        t.rateables, t.rateables.c.id == c.rateable_id
    )
    today = now.astimezone(SHANGHAI).date()
    due = on_time = escalated = 0
    for state, deadline, answered_at, escalated_at in await session.execute(
        cases.where(*where, r.excluded.is_(False), c.state != CaseState.EXCLUDED.value)
    ):
        escalated += escalated_at is not None
        if CaseState(state) in CLOSING:
            due += 1
            on_time += answered_at.astimezone(SHANGHAI).date() <= deadline
        elif deadline < today:
            due += 1
    return Figures(
        ratings=ratings,
        per_level=per_level,
        defaulted=defaulted,
        satisfaction_rate=satisfied / ratings if ratings else None,
        bad=sum(per_level[x] for x in BAD),
        excluded=excluded,
        cases_due=due,
        rectified_on_time=on_time,
        rectified_on_time_rate=on_time / due if due else None,
        escalated=escalated,
    )


LABELS: dict[str, str] = {
    "ratings": "Ratings",
    "satisfaction_rate": "Satisfaction rate (basically satisfied and better)",
    "defaulted": "Of which unrated in time, counted as basically satisfied",
    "bad": "Poor ratings (差评)",
    "excluded": "Poor ratings excluded on appeal",
    "rectified_on_time": "Rectified on time",
    "escalated": "Escalated to the 12345 hotline",
    "none": "none yet",
}
"""The figures' labels where a person reads them (the CLI)."""
