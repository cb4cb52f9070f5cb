"""好差评: ratings, rectification cases, published figures."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import strawberry

from backend.graphql import permissions
from backend.graphql.context import Info
from backend.graphql.hall import clock
from backend.graphql.hall.ratings.types import (
    MyRating,
    MyRatingPage,
    RatedKindEnum,
    RatingAppeal,
    RatingCriterion,
    RatingFigures,
    RectificationCase,
    RectificationCasePage,
    RectificationNotice,
    RectificationState,
    department_name,
    matter_name,
)
from backend.graphql.pagination import check_page_size, time_cursor, time_position
from backend.hall.ratings import appeals, figures, notices, rating, rectification
from backend.hall.ratings.levels import CRITERIA
from backend.hall.ratings.opening import RatedKind
from backend.hall.ratings.rectification import CaseState
from backend.i18n import pick
from backend.identity.models import Role, Scope

CITIZEN = permissions.IsCitizen(Scope.HALL)
RECTIFIERS = permissions.HasRole(Role.OFFICER, Role.ADMIN)
ADMIN = permissions.HasRole(Role.ADMIN)


def own_departments(info: Info) -> frozenset[str] | None:
    """The departments whose cases the caller handles: None for an admin (all), an officer's own."""
    staff = permissions.caller(info)
    if staff.has_role(Role.ADMIN):
        return None
    return frozenset(g.department_code for g in staff.roles if g.role is Role.OFFICER and g.department_code)


@strawberry.type
class RatingQuery:
    """好差评: ratings, rectification cases, published figures."""

    @permissions.field(
        "Your finished cases and visits, newest first, rated or waiting for your rating (pending: only those "
        "waiting; false: only rated), with a 差评's rectification and the department's answer.",
        permission=CITIZEN,
    )
    async def my_ratings(
        self, info: Info, first: int, after: str | None = None, pending: bool | None = None
    ) -> MyRatingPage:
        size = check_page_size(first, info.context.settings.max_page_size)
        await info.context.catalog_snapshot()
        citizen = permissions.caller(info).subject_id
        session = info.context.session
        found = await rating.mine(session, citizen, pending=pending, limit=size + 1, after=time_position(after))
        cases = await rectification.cases_of_ratings(session, [x.id for x in found[:size]])
        items = [MyRating.build(x, cases.get(x.id), time_cursor(x.finished_at, x.id), info) for x in found[:size]]
        return MyRatingPage(
            items=items, end_cursor=items[-1].cursor if items else None, has_next_page=len(found) > size
        )

    @permissions.field("The criteria a service of this kind is rated on, described in your language.")
    def rating_criteria(self, info: Info, kind: RatedKindEnum) -> list[RatingCriterion]:  # type: ignore[valid-type]
        return [RatingCriterion.build(c, info) for c in CRITERIA[RatedKind(kind)]]

    @permissions.field(
        "差评 to rectify, of the caller's departments (an admin: all), oldest first; never who rated.",
        permission=RECTIFIERS,
    )
    async def rectification_cases(
        self,
        info: Info,
        first: int,
        after: str | None = None,
        state: RectificationState | None = None,  # type: ignore[valid-type]
    ) -> RectificationCasePage:
        size = check_page_size(first, info.context.settings.max_page_size)
        await info.context.catalog_snapshot()
        wanted = CaseState(state) if state is not None else None
        found = await rectification.department_cases(
            info.context.session, own_departments(info), wanted, limit=size + 1, after=time_position(after)
        )
        items = [
            RectificationCase.build(case, rated, time_cursor(case.opened_at, case.id), info)
            for case, rated in found[:size]
        ]
        return RectificationCasePage(
            items=items, end_cursor=items[-1].cursor if items else None, has_next_page=len(found) > size
        )

    @permissions.field(
        "Notices to the caller's departments about their rectification cases (an escalation to 12345), newest "
        "first, in the reader's language.",
        permission=RECTIFIERS,
    )
    async def rectification_notices(self, info: Info, first: int) -> list[RectificationNotice]:
        size = check_page_size(first, info.context.settings.max_page_size)
        await info.context.catalog_snapshot()
        found = await notices.department_notices(info.context.session, own_departments(info), size)
        return [RectificationNotice.build(case_id, kind, params, at, info) for case_id, kind, params, at in found]

    @permissions.field("Appeals against 差评 waiting for a decision, oldest first (admins).", permission=ADMIN)
    async def rating_appeals(self, info: Info, first: int) -> list[RatingAppeal]:
        size = check_page_size(first, info.context.settings.max_page_size)
        return [RatingAppeal.build(x) for x in await appeals.pending(info.context.session, size)]

    @permissions.field(
        "Published 好差评 figures (open to anyone) of exactly one hall, department or matter, for services "
        "finished from `from` to `to` (Beijing dates): satisfaction rate, 差评, rectification on time."
    )
    async def rating_figures(
        self,
        info: Info,
        from_: Annotated[date, strawberry.argument(name="from")],
        to: date,
        hall_code: str | None = None,
        department_code: str | None = None,
        matter_code: str | None = None,
    ) -> RatingFigures:
        snapshot = await info.context.catalog_snapshot()
        scope = figures.Scope(hall_code, department_code, matter_code).check()
        found = await figures.figures(info.context.session, scope, from_, to, clock.now(info))
        if hall_code is not None:
            hall = next((h for h in snapshot.halls if h.code == hall_code), None)
            name = pick(hall.name, info.context.locale) if hall else hall_code
        elif department_code is not None:
            name = department_name(info, department_code)
        else:
            name = matter_name(info, matter_code or "")
        return RatingFigures.build(name, found, info)
