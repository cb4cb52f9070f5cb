"""好差评: rating, rectifying, appealing; each through the mutation pipeline.

The clock and the working-day calendar are the applications domain's (ApplicationDeps), so tests move
time for both the same way."""

from __future__ import annotations

from typing import Any

import strawberry

from backend.graphql.context import Info
from backend.graphql.errors import PayloadError
from backend.graphql.hall import clock
from backend.graphql.hall.ratings.queries import ADMIN, CITIZEN, RECTIFIERS, own_departments
from backend.graphql.hall.ratings.types import (
    CriterionLevelInput,
    MyRating,
    MyRectification,
    RateRectificationPayload,
    RateServicePayload,
    RatingAppeal,
    RatingAppealPayload,
    RatingLevel,
    RectificationCase,
    RectificationOutcome,
    RectificationPayload,
)
from backend.graphql.pagination import time_cursor
from backend.graphql.pipeline import caller, mutate, mutation
from backend.hall.ratings import appeals, rating, rectification
from backend.hall.ratings.levels import Level
from backend.hall.ratings.models import Case
from backend.hall.ratings.rectification import CaseState


async def _case_payload(info: Info, found: Case | None, errors: list[PayloadError]) -> RectificationPayload:
    if found is None:
        return RectificationPayload(case=None, errors=errors)
    await info.context.catalog_snapshot()
    rated = await rating.rated(info.context.session, found.rateable_id)
    assert rated is not None
    built = RectificationCase.build(found, rated, time_cursor(found.opened_at, found.id), info)
    return RectificationPayload(case=built, errors=errors)


@strawberry.type
class RatingMutation:
    """好差评: rating, rectifying, appealing."""

    @mutation(
        "Rate a finished case or visit of yours, once: the overall level, each criterion of its channel "
        "(ratingCriteria) and an optional comment. A 差评 (dissatisfied or worse) opens a rectification case.",
        permission=CITIZEN,
    )
    async def rate_service(
        self,
        info: Info,
        rateable_id: strawberry.ID,
        level: RatingLevel,  # type: ignore[valid-type]
        criteria: list[CriterionLevelInput],
        comment: str | None = None,
    ) -> RateServicePayload:
        citizen = caller(info).subject_id
        deps = info.context.resources.applications
        given = {str(c.criterion): str(c.level) for c in criteria}

        async def work() -> Any:
            return await rating.rate(
                info.context.session,
                citizen,
                str(rateable_id),
                Level(level),
                given,
                comment,
                now=deps.clock(),
                calendar=deps.calendar,
                rectification_days=info.context.settings.rectification_days,
            )

        found, errors = await mutate(info, work)
        if found is None:
            return RateServicePayload(rating=None, errors=errors)
        await info.context.catalog_snapshot()
        cases = await rectification.cases_of_ratings(info.context.session, [found.id])
        built = MyRating.build(found, cases.get(found.id), time_cursor(found.finished_at, found.id), info)
        return RateServicePayload(rating=built, errors=[])

    @mutation(
        "Record the department's follow-up of a 差评 (contacted, looked into it); the case stays open.",
        permission=RECTIFIERS,
    )
    async def follow_up_rectification(self, info: Info, case_id: strawberry.ID, text: str) -> RectificationPayload:
        departments, now = own_departments(info), clock.now(info)
        found, errors = await mutate(
            info, lambda: rectification.follow_up(info.context.session, str(case_id), departments, text, now)
        )
        return await _case_payload(info, found, errors)

    @mutation(
        "Close a rectification case as fixed or explained (no legal basis for the demand), saying what was "
        "done: the citizen is told and rates the answer.",
        permission=RECTIFIERS,
    )
    async def answer_rectification(
        self, info: Info, case_id: strawberry.ID, outcome: RectificationOutcome, text: str
    ) -> RectificationPayload:
        departments, now = own_departments(info), clock.now(info)
        officer = caller(info).subject_id
        state = CaseState(outcome.value)
        found, errors = await mutate(
            info,
            lambda: rectification.answer(info.context.session, str(case_id), departments, state, text, officer, now),
        )
        return await _case_payload(info, found, errors)

    @mutation("Rate the department's answer to your 差评, once.", permission=CITIZEN)
    async def rate_rectification(
        self,
        info: Info,
        case_id: strawberry.ID,
        level: RatingLevel,  # type: ignore[valid-type]
    ) -> RateRectificationPayload:
        citizen, now = caller(info).subject_id, clock.now(info)
        found, errors = await mutate(
            info, lambda: rectification.rate_fix(info.context.session, citizen, str(case_id), Level(level), now)
        )
        built = MyRectification.build(found, info) if found else None
        return RateRectificationPayload(rectification=built, errors=errors)

    @mutation(
        "Appeal a 差评 of your department as mistaken or malicious, saying why: an admin decides.",
        permission=RECTIFIERS,
    )
    async def appeal_rating(self, info: Info, rateable_id: strawberry.ID, reason: str) -> RatingAppealPayload:
        departments, now = own_departments(info), clock.now(info)
        officer = caller(info).subject_id
        found, errors = await mutate(
            info,
            lambda: appeals.appeal(info.context.session, str(rateable_id), departments, officer, reason, now),
        )
        return RatingAppealPayload(appeal=RatingAppeal.build(found) if found else None, errors=errors)

    @mutation(
        "Decide an appeal: exclude the 差评 (it stops counting and its case closes) or keep it, saying why. "
        "The citizen is told the decision, not who appealed.",
        permission=ADMIN,
    )
    async def decide_appeal(self, info: Info, id: strawberry.ID, exclude: bool, reason: str) -> RatingAppealPayload:
        admin, now = caller(info).subject_id, clock.now(info)
        found, errors = await mutate(
            info, lambda: appeals.decide(info.context.session, str(id), exclude, reason, admin, now)
        )
        return RatingAppealPayload(appeal=RatingAppeal.build(found) if found else None, errors=errors)
