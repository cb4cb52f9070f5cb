"""GraphQL types of applications: the application, its timeline and data uses, pages of them, and the
numbers officers see. Texts in the request's locale. The one form, eligibility, the inbox and
certificates have modules of their own."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import TYPE_CHECKING, Annotated

import msgspec
import strawberry
from strawberry.scalars import JSON

from backend.applications import models as am
from backend.applications import texts
from backend.applications.states import Action, Status, is_final
from backend.applications.workdays import is_overdue, shanghai_date
from backend.errors import CommonErrorCode, DomainError
from backend.graphql.applications import review
from backend.graphql.applications.eligibility import Eligibility, build_conditions
from backend.graphql.applications.forms import form_kinds, form_matters
from backend.graphql.applications.own_case import ApplicationRefund, reason_labels
from backend.graphql.applications.review import ApplicationMaterial, CertificateFieldToEnter, SupplementChange
from backend.graphql.catalog.places import Department
from backend.graphql.catalog.types import Bundle, Matter
from backend.graphql.certificates.types import Certificate
from backend.graphql.context import Info
from backend.graphql.privacy import Personal, classified, disclosed
from backend.i18n import pick, said_in
from backend.identity.models import SubjectType
from backend.rules.explain import Condition
from payments.money import yuan

if TYPE_CHECKING:
    from backend.graphql.payments.types import Order

# The domain's enums are the GraphQL enums (strawberry.enum registers the class and returns it).
strawberry.enum(Status, name="ApplicationStatus", description="Where an application stands.")
strawberry.enum(Action, name="ApplicationAction", description="A step on an application's timeline.")


@strawberry.enum(description="What an officer does to an application.")
class OfficerAction(Enum):
    ACCEPT = "accept"
    REQUEST_SUPPLEMENT = "request_supplement"
    APPROVE = "approve"
    REJECT = "reject"
    ISSUE = "issue"


@strawberry.type(description="A step on the timeline: who, when, what, and why.")
class TimelineStep:
    at: datetime
    actor_type: str
    actor_name: str | None = disclosed(lambda step: Personal.PROFILE if step.actor_type == "citizen" else None)
    action: Action
    action_label: str
    from_status: Status | None
    to_status: Status
    reason: str | None = disclosed()
    reason_fields: list[str]
    item_name: str | None = strawberry.field(
        default=None, description="A bundle's step taken on one of its items: that item's matter."
    )
    matter_code: strawberry.Private[str | None] = None  # whose form and materials reasonFields name

    @strawberry.field(description="The fields and materials reasonFields names, by their labels.")
    async def reason_field_labels(self, info: Info) -> list[str]:
        return await reason_labels(info, self.matter_code, self.reason_fields)


@strawberry.type(description="Which certificate fields an application used (the citizen's data-use record).")
class DataUse:
    application_id: strawberry.ID
    certificate_id: strawberry.ID = disclosed(Personal.CERTIFICATE)
    fields: list[str]
    at: datetime


@strawberry.type(description="An application: one matter's, or a bundle's with one item per matter.")
class Application:
    id: strawberry.ID
    reference: str = strawberry.field(description="What to quote on the phone or at a hall.")
    kind: str
    status: Status
    status_label: str
    submitted_at: datetime
    decided_at: datetime | None
    deadline: date | None = strawberry.field(description="The promised date, counted in Chinese working days.")
    deadline_provisional: bool = strawberry.field(
        description="Whether the deadline may still move: it reaches into a year whose official holiday "
        "arrangement is not published yet, so weekends and the statutory holidays were counted."
    )
    overdue: bool
    promised_days: int
    fields_total: int
    fields_prefilled: int
    materials_replaced: int
    max_trips: int
    trips_needed: int
    trips_saved: int
    sources: JSON
    version: int
    model: strawberry.Private[am.Application]
    # An officer sees only their departments' items of a bundle; None: every item (the citizen).
    visible_departments: strawberry.Private[frozenset[str] | None] = None

    @staticmethod
    def build(model: am.Application, info: Info, visible_departments: frozenset[str] | None = None) -> Application:
        """From the read model, in the caller's locale; personal numbers masked for a token without their scope."""
        ctx = info.context
        has_outputs = bool(model.matter_code and ctx.snapshot.by_code[model.matter_code].outputs)
        final = is_final(model.status, has_outputs=has_outputs)
        return Application(
            id=strawberry.ID(model.id),
            reference=model.reference,
            kind=model.kind,
            status=Status(model.status),
            status_label=ctx.gettext(texts.STATUS_LABELS[Status(model.status)]),
            submitted_at=model.submitted_at,
            decided_at=model.decided_at,
            deadline=model.deadline,
            deadline_provisional=bool(
                model.deadline
                and ctx.resources.applications.calendar.is_provisional(
                    shanghai_date(model.submitted_at), model.deadline
                )
            ),
            overdue=bool(
                model.deadline and not final and is_overdue(model.deadline, ctx.resources.applications.clock())
            ),
            promised_days=model.promised_days,
            fields_total=model.fields_total,
            fields_prefilled=model.fields_prefilled,
            materials_replaced=model.materials_replaced,
            max_trips=model.max_trips,
            trips_needed=model.trips_needed,
            trips_saved=model.trips_saved,
            sources=JSON(model.sources),
            version=model.version,
            model=model,
            visible_departments=visible_departments,
        )

    @disclosed(
        description="The submitted values; each personal one (a phone, an ID number, a name, an address, a "
        "certificate's value) null without the scope that covers it."
    )
    async def form(self, info: Info) -> JSON:
        model = self.model
        codes = form_matters(info, model.matter_code, model.bundle_code)
        return classified(JSON(model.form), await form_kinds(info, codes, model.form, model.sources))

    @strawberry.field(description="Its fees in yuan; an officer sees their departments' share of a bundle's.")
    async def fees_due(self, info: Info) -> Decimal:
        if self.visible_departments is None or self.model.kind != "bundle":
            return Decimal(self.model.fees_due)
        service = await info.context.applications()
        items = await service.reads.items(self.model.id)
        return sum((Decimal(x.fees_due) for x in items if x.department_code in self.visible_departments), Decimal(0))

    @strawberry.field
    def matter(self, info: Info) -> Matter | None:
        code = self.model.matter_code
        return Matter.build(info.context.snapshot.by_code[code], info.context.locale) if code else None

    @strawberry.field
    def bundle(self, info: Info) -> Bundle | None:
        found = info.context.snapshot.bundle_by_code.get(self.model.bundle_code or "")
        return Bundle.build(found, info.context.locale) if found else None

    @strawberry.field
    def department(self, info: Info) -> Department | None:
        found = info.context.snapshot.departments.get(self.model.department_code or "")
        return Department.build(found, info.context.locale) if found else None

    @strawberry.field(description="The instant-approval decision, explained (null when no rule ran).")
    async def decision(self, info: Info) -> Eligibility | None:
        record = self.model.decision
        if not record or not self.model.matter_code:
            return None
        details = await info.context.loaders.matter_details.load(self.model.matter_code)
        conditions = msgspec.convert(record.get("conditions", []), list[Condition])
        form = msgspec.to_builtins(details.form) if details else []
        policy = (
            pick(msgspec.to_builtins(details.auto_approval.explain), info.context.locale)
            if details and details.auto_approval
            else ""
        )
        return Eligibility(
            eligible=bool(record.get("approved")),
            policy=policy,
            conditions=build_conditions(info, self.model.matter_code, conditions, form),
        )

    @strawberry.field(description="Every step so far, oldest first.")
    async def timeline(self, info: Info) -> list[TimelineStep]:
        loaders = await info.context.application_loaders()
        code = self.model.matter_code
        steps = [_step(e, info, code) for e in await loaders.timeline.load(self.model.id)]
        if self.model.parent_id and code:  # a bundle's item: its steps are that item's
            for step in steps:
                step.item_name = pick(info.context.snapshot.by_code[code].name, info.context.locale)
        return steps

    @strawberry.field(description="The step the application is at now (the latest; a bundle's follows its items).")
    async def current_step(self, info: Info) -> TimelineStep | None:
        loaders = await info.context.application_loaders()
        own = await loaders.timeline.load(self.model.id)
        if self.model.kind != "bundle":
            return _step(own[-1], info, self.model.matter_code) if own else None
        # A bundle is where its items are: its own steps only say it was submitted or how it ended.
        items = await self.items(info)
        names = {
            x.model.id: pick(info.context.snapshot.by_code[x.model.matter_code or ""].name, info.context.locale)
            for x in items
        }
        codes = {x.model.id: x.model.matter_code for x in items}
        steps = [e for e in own if e.action != Action.BUNDLE_PROGRESS]  # its status says how it stands
        for events in await loaders.timeline.load_many(list(names)):
            steps.extend(events)
        latest = max(steps, key=lambda e: (e.at, e.id), default=None)
        if latest is None:
            return None
        step = _step(latest, info, codes.get(latest.application_id))
        step.item_name = names.get(latest.application_id)
        return step

    @strawberry.field(description="The matter's materials and how each was provided (a bundle's are on its items).")
    async def materials(self, info: Info) -> list[ApplicationMaterial]:
        return await review.materials(info, self.model)

    @strawberry.field(description="What the applicant changed in their latest answer to a supplement request.")
    async def supplement_changes(self, info: Info) -> list[SupplementChange]:
        steps = await (await info.context.application_loaders()).timeline.load(self.model.id)
        answer = next((s for s in reversed(steps) if s.action == Action.SUPPLEMENT), None)
        return await review.supplement_changes(info, self.model, answer.reason or {}) if answer else []

    @strawberry.field(
        description="What the officer enters at ISSUE (certificateFields), for an approved item; empty for citizens."
    )
    async def certificate_fields_to_enter(self, info: Info) -> list[CertificateFieldToEnter]:
        principal = info.context.principal
        if principal is None or principal.subject_type is not SubjectType.STAFF:
            return []
        service = await info.context.applications()
        return review.fields_to_enter(info, await service.officers.fields_to_enter(self.model))

    @strawberry.field(description="A bundle's items, one per matter, each routed to its department.")
    async def items(self, info: Info) -> list[Application]:
        if self.model.kind != "bundle":
            return []
        service = await info.context.applications()
        visible = self.visible_departments
        return [
            Application.build(x, info, visible)
            for x in await service.reads.items(self.model.id)
            if visible is None or x.department_code in visible
        ]

    @strawberry.field(description="The payment order for its fees (null when free).")
    async def order(self, info: Info) -> Annotated[Order, strawberry.lazy("backend.graphql.payments.types")] | None:
        from backend.graphql.payments.types import Order

        _require_scope(info, "payments")
        found = await (await info.context.application_loaders()).order.load(self.model.id)
        if found is None:
            return None
        return Order.build(found, info, self.visible_departments)

    @strawberry.field(
        description=(
            "What is still to pay for it, in yuan (0.00 when free, paid or closed): the application's own state, "
            "readable with applications:read; the order itself needs the payments scope."
        )
    )
    async def amount_to_pay(self, info: Info) -> Decimal:
        found = await (await info.context.application_loaders()).order.load(self.model.id)
        if found is None or found.status != "open":
            return yuan(0)
        lines = found.lines
        if self.visible_departments is not None:  # an officer sees their departments' fees only
            lines = [x for x in lines if x.department_code in self.visible_departments]
        return yuan(sum(x.amount_fen for x in lines))

    @strawberry.field(
        description="What was refunded or is being refunded of its fees (null when nothing): the application's "
        "own state, readable with applications:read; a bundle's refunds are on the bundle."
    )
    async def refund(self, info: Info) -> ApplicationRefund | None:
        found = await (await info.context.application_loaders()).refunds.load(self.model.id)
        state = found.state(self.visible_departments) if found else None
        return ApplicationRefund.build(state, info) if state else None

    @strawberry.field(description="Which certificate fields this application used (needs certificates:read).")
    async def data_uses(self, info: Info) -> list[DataUse]:
        _require_certificates_scope(info)
        loaders = await info.context.application_loaders()
        return [_data_use(x) for x in await loaders.data_uses.load(self.model.id)]

    @strawberry.field(description="Certificates issued by this application (needs certificates:read).")
    async def issued_certificates(self, info: Info) -> list[Certificate]:
        _require_certificates_scope(info)
        loaders = await info.context.application_loaders()
        return [Certificate.build(c, info) for c in await loaders.issued.load(self.model.id)]


def _require_scope(info: Info, scope: str) -> None:
    """A mini-program's token reaches certificates or payments only with their own scope."""
    principal = info.context.principal
    third_party = principal is not None and principal.subject_type.value == "citizen" and not principal.first_party
    if third_party and principal is not None and not principal.has_scope(scope):
        raise DomainError(CommonErrorCode.INSUFFICIENT_SCOPE, scope=scope)
    info.context.note_scope(scope)


def _require_certificates_scope(info: Info) -> None:
    """Certificates (and their verification codes) are certificate data: for those the privacy rule lets
    see it (certificates:read on a mini-program's token; not finance staff or platform admins)."""
    _require_scope(info, "certificates:read")
    if not info.context.disclosure.sees(Personal.CERTIFICATE):
        raise DomainError(CommonErrorCode.FORBIDDEN)


def _action_label(action: Action, info: Info) -> str:
    """The step as its reader reads it: staff read the applicant's steps in the third person."""
    principal = info.context.principal
    if principal is not None and principal.subject_type is SubjectType.STAFF:
        return texts.STAFF_ACTION_LABELS.get(action, texts.ACTION_LABELS[action])
    return texts.ACTION_LABELS[action]


def _step(event: am.TimelineEvent, info: Info, matter_code: str | None) -> TimelineStep:
    reason = event.reason or {}
    return TimelineStep(
        at=event.at,
        actor_type=event.actor_type,
        actor_name=event.actor_name,
        action=Action(event.action),
        action_label=info.context.gettext(_action_label(Action(event.action), info)),
        from_status=Status(event.from_status) if event.from_status else None,
        to_status=Status(event.to_status),
        reason=said_in(reason.get("text"), info.context.locale),
        reason_fields=list(reason.get("fields", [])),
        matter_code=matter_code,
    )


def _data_use(x: am.DataConsent) -> DataUse:
    return DataUse(
        application_id=strawberry.ID(x.application_id),
        certificate_id=strawberry.ID(x.certificate_id),
        fields=x.fields,
        at=x.at,
    )


@strawberry.type
class ApplicationEdge:
    cursor: str
    node: Application


@strawberry.type
class ApplicationConnection:
    edges: list[ApplicationEdge]
    has_next_page: bool
    end_cursor: str | None


@strawberry.type(description="What applications saved citizens, for a department or the whole city.")
class ServiceStats:
    department_code: str | None
    applications: int
    decided: int
    instantly_approved: int
    overdue: int
    fields_total: int
    fields_prefilled: int
    materials_replaced: int
    trips_saved: int
    median_hours_to_decision: float | None


@strawberry.type
class QueuePage:
    items: list[Application]
    total_count: int
