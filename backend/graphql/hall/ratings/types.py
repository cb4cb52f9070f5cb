"""GraphQL types of 好差评: labels in the reader's language; an officer's view names no rater."""

from __future__ import annotations

from datetime import date, datetime
from enum import Enum
from typing import Any

import strawberry

from backend.graphql.context import Info
from backend.graphql.errors import PayloadError
from backend.hall.ratings import levels as lv
from backend.hall.ratings import notices
from backend.hall.ratings.appeals import AppealState
from backend.hall.ratings.figures import DEFAULTED_COUNT, Figures
from backend.hall.ratings.models import Appeal, Case, Rated
from backend.hall.ratings.opening import RatedKind
from backend.hall.ratings.rectification import TEXTS as CASE_TEXTS
from backend.hall.ratings.rectification import CaseState
from backend.i18n import pick
from backend.privacy import mask_text

RatingLevel = strawberry.enum(lv.Level, name="RatingLevel", description="The five national levels, best first.")
RatedKindEnum = strawberry.enum(RatedKind, name="RatedKind", description="What is rated.")
RatingCriterionEnum = strawberry.enum(lv.Criterion, name="RatingCriterionCode", description="A rating criterion.")
RectificationState = strawberry.enum(CaseState, name="RectificationState", description="A rectification's state.")


@strawberry.enum(name="RectificationOutcome", description="How a department closes a rectification case.")
class RectificationOutcome(Enum):
    FIXED = "fixed"
    EXPLAINED = "explained"


def say(info: Info, msgid: str) -> str:
    """An English msgid in the reader's language."""
    return info.context.resources.messages.gettext(info.context.locale, msgid)


def level_label(info: Info, level: str) -> str:
    """A level's label."""
    return say(info, lv.LEVEL_LABELS[lv.Level(level)])


def matter_name(info: Info, code: str) -> str:
    """A matter's name in the reader's language (its code if the catalog no longer has it)."""
    matter = info.context.snapshot.by_code.get(code)
    return pick(matter.name, info.context.locale) if matter else code


def department_name(info: Info, code: str) -> str:
    """A department's name in the reader's language."""
    department = info.context.snapshot.departments.get(code)
    return pick(department.name, info.context.locale) if department else code


@strawberry.type(description="A criterion of a channel's rating, described in the reader's language.")
class RatingCriterion:
    code: RatingCriterionEnum  # type: ignore[valid-type]
    label: str
    description: str

    @staticmethod
    def build(criterion: lv.Criterion, info: Info) -> RatingCriterion:
        """In the reader's language."""
        return RatingCriterion(
            code=criterion,
            label=say(info, lv.CRITERION_LABELS[criterion]),
            description=say(info, lv.CRITERION_DESCRIPTIONS[criterion]),
        )


@strawberry.type(description="A criterion's level in a rating.")
class CriterionLevel:
    criterion: RatingCriterionEnum  # type: ignore[valid-type]
    label: str
    level: RatingLevel  # type: ignore[valid-type]
    level_label: str


@strawberry.input(description="A criterion's level.")
class CriterionLevelInput:
    criterion: RatingCriterionEnum  # type: ignore[valid-type]
    level: RatingLevel  # type: ignore[valid-type]


def _criteria(criteria: dict[str, str] | None, info: Info) -> list[CriterionLevel]:
    return [
        CriterionLevel(
            criterion=lv.Criterion(k),
            label=say(info, lv.CRITERION_LABELS[lv.Criterion(k)]),
            level=lv.Level(v),
            level_label=level_label(info, v),
        )
        for k, v in sorted((criteria or {}).items())
    ]


@strawberry.type(description="A department's rectification of a 差评, as its rater sees it.")
class MyRectification:
    id: strawberry.ID
    state: RectificationState  # type: ignore[valid-type]
    state_label: str
    deadline: date
    answer: str | None
    answered_at: datetime | None
    escalated: bool
    work_order: str | None
    fix_level: RatingLevel | None  # type: ignore[valid-type]

    @staticmethod
    def build(case: Case, info: Info) -> MyRectification:
        """The citizen's view."""
        return MyRectification(
            id=strawberry.ID(case.id),
            state=CaseState(case.state),
            state_label=say(info, CASE_TEXTS[f"state.{case.state}"]),
            deadline=case.deadline,
            answer=case.answer,
            answered_at=case.answered_at,
            escalated=case.escalated_at is not None,
            work_order=case.work_order,
            fix_level=lv.Level(case.fix_level) if case.fix_level else None,
        )


@strawberry.type(description="A finished case or visit of yours, rated or waiting for your rating.")
class MyRating:
    id: strawberry.ID
    kind: RatedKindEnum  # type: ignore[valid-type]
    kind_label: str
    matter_code: str
    matter_name: str
    department_name: str
    hall_code: str | None
    finished_at: datetime
    due_at: datetime
    pending: bool
    level: RatingLevel | None  # type: ignore[valid-type]
    level_label: str | None
    criteria: list[CriterionLevel]
    comment: str | None
    defaulted: bool
    excluded: bool
    rectification: MyRectification | None
    cursor: str

    @staticmethod
    def build(found: Rated, case: Case | None, cursor: str, info: Info) -> MyRating:
        """The citizen's own view (their own comment, unmasked)."""
        return MyRating(
            id=strawberry.ID(found.id),
            kind=RatedKind(found.kind),
            kind_label=say(info, lv.KIND_LABELS[RatedKind(found.kind)]),
            matter_code=found.matter_code,
            matter_name=matter_name(info, found.matter_code),
            department_name=department_name(info, found.department_code),
            hall_code=found.hall_code,
            finished_at=found.finished_at,
            due_at=found.due_at,
            pending=found.level is None,
            level=lv.Level(found.level) if found.level else None,
            level_label=level_label(info, found.level) if found.level else None,
            criteria=_criteria(found.criteria, info),
            comment=found.comment,
            defaulted=found.defaulted,
            excluded=found.excluded,
            rectification=MyRectification.build(case, info) if case else None,
            cursor=cursor,
        )


@strawberry.type
class MyRatingPage:
    items: list[MyRating]
    end_cursor: str | None
    has_next_page: bool


@strawberry.type(description="A 差评 to rectify, as the department sees it: never who rated.")
class RectificationCase:
    id: strawberry.ID
    rating_id: strawberry.ID
    kind: RatedKindEnum  # type: ignore[valid-type]
    kind_label: str
    matter_code: str
    matter_name: str
    department_code: str
    hall_code: str | None
    level: RatingLevel  # type: ignore[valid-type]
    level_label: str
    criteria: list[CriterionLevel]
    comment: str | None
    """Phone and ID numbers in it are masked: the department answers through the platform."""
    state: RectificationState  # type: ignore[valid-type]
    state_label: str
    opened_at: datetime
    deadline: date
    follow_up: str | None
    answer: str | None
    answered_at: datetime | None
    escalated: bool
    work_order: str | None
    fix_level: RatingLevel | None  # type: ignore[valid-type]
    fix_level_label: str | None
    cursor: str

    @staticmethod
    def build(case: Case, found: Rated, cursor: str, info: Info) -> RectificationCase:
        """No citizen id, name or phone: the rater is protected."""
        assert found.level is not None
        return RectificationCase(
            id=strawberry.ID(case.id),
            rating_id=strawberry.ID(found.id),
            kind=RatedKind(found.kind),
            kind_label=say(info, lv.KIND_LABELS[RatedKind(found.kind)]),
            matter_code=found.matter_code,
            matter_name=matter_name(info, found.matter_code),
            department_code=case.department_code,
            hall_code=found.hall_code,
            level=lv.Level(found.level),
            level_label=level_label(info, found.level),
            criteria=_criteria(found.criteria, info),
            comment=mask_text(found.comment) if found.comment else None,
            state=CaseState(case.state),
            state_label=say(info, CASE_TEXTS[f"state.{case.state}"]),
            opened_at=case.opened_at,
            deadline=case.deadline,
            follow_up=case.follow_up,
            answer=case.answer,
            answered_at=case.answered_at,
            escalated=case.escalated_at is not None,
            work_order=case.work_order,
            fix_level=lv.Level(case.fix_level) if case.fix_level else None,
            fix_level_label=level_label(info, case.fix_level) if case.fix_level else None,
            cursor=cursor,
        )


@strawberry.type
class RectificationCasePage:
    items: list[RectificationCase]
    end_cursor: str | None
    has_next_page: bool


@strawberry.type(description="A notice to a department about one of its rectification cases.")
class RectificationNotice:
    case_id: strawberry.ID
    text: str
    created_at: datetime

    @staticmethod
    def build(case_id: str, kind: str, params: dict[str, Any], at: datetime, info: Info) -> RectificationNotice:
        """In the reader's language."""
        said = {k: v for k, v in params.items() if isinstance(v, str)} | {
            "matter": matter_name(info, str(params.get("matter_code", "")))
        }
        text = info.context.resources.messages.gettext(info.context.locale, notices.msgid(kind, params), **said)
        return RectificationNotice(case_id=strawberry.ID(case_id), text=text, created_at=at)


@strawberry.type(description="An appeal against a 差评 (admins decide; the rater is never told who appealed).")
class RatingAppeal:
    id: strawberry.ID
    rating_id: strawberry.ID
    department_code: str
    reason: str
    state: str
    decision_reason: str | None
    created_at: datetime
    decided_at: datetime | None

    @staticmethod
    def build(appeal: Appeal) -> RatingAppeal:
        """As staff see it."""
        return RatingAppeal(
            id=strawberry.ID(appeal.id),
            rating_id=strawberry.ID(appeal.rateable_id),
            department_code=appeal.department_code,
            reason=mask_text(appeal.reason),
            state=AppealState(appeal.state).value,
            decision_reason=appeal.decision_reason,
            created_at=appeal.created_at,
            decided_at=appeal.decided_at,
        )


@strawberry.type(description="How many ratings gave a level.")
class LevelCount:
    level: RatingLevel  # type: ignore[valid-type]
    label: str
    count: int


@strawberry.type(description="Published 好差评 figures of a hall, a department or a matter (open to anyone).")
class RatingFigures:
    name: str
    ratings: int
    satisfaction_rate: float | None
    defaulted: int
    defaulted_counted: bool = strawberry.field(
        description="Whether ratings defaulted to 基本满意 (unrated in time) count in `ratings` and the rate."
    )
    bad: int
    excluded: int
    cases_due: int
    rectified_on_time: int
    rectified_on_time_rate: float | None
    escalated: int
    per_level: list[LevelCount]

    @staticmethod
    def build(name: str, found: Figures, info: Info) -> RatingFigures:
        """Labels in the reader's language."""
        return RatingFigures(
            name=name,
            ratings=found.ratings,
            satisfaction_rate=found.satisfaction_rate,
            defaulted=found.defaulted,
            defaulted_counted=DEFAULTED_COUNT,
            bad=found.bad,
            excluded=found.excluded,
            cases_due=found.cases_due,
            rectified_on_time=found.rectified_on_time,
            rectified_on_time_rate=found.rectified_on_time_rate,
            escalated=found.escalated,
            per_level=[LevelCount(level=k, label=level_label(info, k), count=v) for k, v in found.per_level.items()],
        )


@strawberry.type
class RateServicePayload:
    rating: MyRating | None
    errors: list[PayloadError]


@strawberry.type
class RectificationPayload:
    case: RectificationCase | None
    errors: list[PayloadError]


@strawberry.type
class RateRectificationPayload:
    rectification: MyRectification | None
    errors: list[PayloadError]


@strawberry.type
class RatingAppealPayload:
    appeal: RatingAppeal | None
    errors: list[PayloadError]
