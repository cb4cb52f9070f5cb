"""GraphQL types of applications, the one form, certificates and the inbox. Texts in the request's locale."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from enum import Enum
from typing import TYPE_CHECKING, Annotated, Any

import msgspec
import strawberry
from strawberry.scalars import JSON

from backend.applications import forms as f
from backend.applications import models as am
from backend.applications import texts
from backend.applications.states import Action, Status, is_final
from backend.applications.timeline import render_notice
from backend.applications.workdays import is_overdue
from backend.certificates import service as cs
from backend.errors import CommonErrorCode, DomainError
from backend.graphql.catalog.types import Bundle, Department, Matter
from backend.graphql.context import Info
from backend.graphql.privacy import Personal, disclosed
from backend.i18n import Locale, pick
from backend.identity.numbers import mask_id_number
from backend.privacy import NOTHING, Disclosure, path_kind, source_kind
from backend.rules.explain import Condition, catalog_labels, describe
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


@strawberry.type
class FormOption:
    value: str
    label: str


@strawberry.type(description="A field of the merged form, with its pre-filled value and where it came from.")
class ApplicationFormField:
    key: str
    label: str
    type: str
    required: bool
    options: list[FormOption] | None = strawberry.field(description="The only valid choices (秒报).")
    value: JSON | None = disclosed(
        lambda field: field.value_kind,
        description="Pre-filled or saved value; personal data masked or null without the scope that covers it.",
    )
    source: str | None = strawberry.field(
        description="profile.<field>, cert:<TYPE>.<field>, or draft (the citizen's correction); null if empty."
    )
    source_label: str | None = strawberry.field(description="Where the value came from, for the citizen.")
    certificate_id: strawberry.ID | None = disclosed(Personal.CERTIFICATE)
    choices: list[JSON] = disclosed(
        Personal.CERTIFICATE, description="Values of the citizen's other certificates of that type."
    )
    matters: list[str] = strawberry.field(description="The matters that ask for this field.")
    value_kind: strawberry.Private[Personal | None] = None


@strawberry.type(description="A material: replaced by a certificate in the wallet, or to be uploaded.")
class ApplicationFormMaterial:
    key: str
    name: str
    required: bool
    certificate_type: str | None
    certificate_id: strawberry.ID | None = disclosed(Personal.CERTIFICATE)
    replaced: bool
    matters: list[str]


@strawberry.type(description="The one form (一张表) for a matter or a whole life-event bundle.")
class ApplicationForm:
    matter_codes: list[str]
    fields: list[ApplicationFormField]
    materials: list[ApplicationFormMaterial]
    fields_total: int = strawberry.field(description="Fields of all its matters before merging.")
    fields_asked: int = strawberry.field(description="Fields after merging.")
    fields_prefilled: int
    materials_replaced: int = strawberry.field(description="Materials a certificate supplies: no paper, no upload.")
    draft_version: int | None = strawberry.field(description="The saved draft's version, if there is one.")

    @staticmethod
    def build(
        form: f.MergedForm, locale: Locale, cert_names: dict[str, dict[str, str]], draft_version: int | None
    ) -> ApplicationForm:
        """From the domain's merged form."""
        return ApplicationForm(
            matter_codes=form.matters,
            fields=[
                ApplicationFormField(
                    key=x.key,
                    label=pick(x.label, locale),
                    type=x.type,
                    required=x.required,
                    options=[FormOption(value=o.value, label=_locale_text(o.label, locale)) for o in x.options]
                    if x.options
                    else None,
                    value=x.value,
                    source=x.source,
                    source_label=_source_label(x.source, locale, cert_names),
                    certificate_id=strawberry.ID(x.certificate_id) if x.certificate_id else None,
                    choices=x.choices,
                    matters=list(x.matter_keys),
                    value_kind=_field_kind(x),
                )
                for x in form.fields
            ],
            materials=[
                ApplicationFormMaterial(
                    key=x.key,
                    name=pick(x.name, locale),
                    required=x.required,
                    certificate_type=x.certificate_type,
                    certificate_id=strawberry.ID(x.certificate_id) if x.certificate_id else None,
                    replaced=x.replaced,
                    matters=x.matters,
                )
                for x in form.materials
            ],
            fields_total=form.fields_total,
            fields_asked=form.fields_asked,
            fields_prefilled=form.fields_prefilled,
            materials_replaced=form.materials_replaced,
            draft_version=draft_version,
        )


def _locale_text(text: Any, locale: Locale) -> str:
    return str({"zh-Hans": text.zh_hans, "zh-Hant": text.zh_hant, "en": text.en}[locale.value])


_PROFILE_LABELS = {Locale.ZH_HANS: "个人资料", Locale.ZH_HANT: "個人資料", Locale.EN: "Your profile"}
_CORRECTED = {Locale.ZH_HANS: "您修改的值", Locale.ZH_HANT: "您修改的值", Locale.EN: "Corrected by you"}


def _source_label(source: str | None, locale: Locale, cert_names: dict[str, dict[str, str]]) -> str | None:
    if source is None:
        return None
    if source == "draft":
        return _CORRECTED[locale]
    if source.startswith("cert:"):
        code = source.removeprefix("cert:").partition(".")[0]
        return pick(cert_names.get(code, {}), locale) or code
    return _PROFILE_LABELS[locale]


def _field_kind(field: f.FormField) -> Personal | None:
    """What a form field's value is: by its type (ID, phone), else by where it came from, or (a value
    the citizen saved in a draft) where it would have come from: a corrected certificate value is still
    the certificate's business."""
    if field.type == "id_number":
        return Personal.ID_NUMBER
    if field.type == "phone":
        return Personal.PHONE
    return source_kind(field.source) or source_kind(field.prefill)


@strawberry.type(description="One condition of an instant-approval rule, and whether it held.")
class RuleCondition:
    text: str = disclosed()
    held: bool
    path: str | None


@strawberry.type(description="An instant-approval (秒批) decision or dry run, explained condition by condition.")
class Eligibility:
    eligible: bool
    conditions: list[RuleCondition]
    policy: str = strawberry.field(description="The matter's own explanation of the rule.")


def _as_disclosed(condition: Condition, disclosure: Disclosure) -> Condition:
    """The condition with the data values it read passed through the personal-data rule."""
    return msgspec.structs.replace(
        condition,
        actual=disclosure.show(condition.actual, path_kind(condition.path)),
        # compared with another value of the data: that one is data too (a literal of the rule is not)
        expected=disclosure.show(condition.expected, path_kind(condition.against))
        if condition.against
        else condition.expected,
        children=[_as_disclosed(c, disclosure) for c in condition.children],
    )


def build_conditions(info: Info, matter_code: str, conditions: list[Condition], form: list[Any]) -> list[RuleCondition]:
    """Render conditions in the caller's locale with the matter's field and certificate labels.

    The values a condition quotes are the citizen's data: they pass the personal-data rule before
    they are written into the sentence.
    """
    ctx = info.context
    labels = catalog_labels({"form": form}, ctx.snapshot.certificate_type_maps)
    messages = ctx.resources.messages
    shown = [_as_disclosed(c, ctx.disclosure) for c in conditions]
    return [
        RuleCondition(
            text=describe(c, ctx.locale, labels, messages, option_labels=labels.option), held=c.held, path=c.path
        )
        for c in shown
    ]


@strawberry.type(description="A step on the timeline: who, when, what, and why.")
class TimelineStep:
    at: datetime
    actor_type: str
    actor_name: str | None
    action: Action
    action_label: str
    from_status: Status | None
    to_status: Status
    reason: str | None = disclosed()
    reason_fields: list[str]


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
    overdue: bool
    promised_days: int
    fields_total: int
    fields_prefilled: int
    materials_replaced: int
    max_trips: int
    trips_needed: int
    trips_saved: int
    form: JSON = disclosed(
        lambda application: application.form_kinds,
        description="The submitted values; personal data masked or null without the scope that covers it.",
    )
    sources: JSON
    version: int
    model: strawberry.Private[am.Application]
    form_kinds: strawberry.Private[dict[str, Personal | None]]
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
            overdue=bool(model.deadline and not final and is_overdue(model.deadline, datetime.now(UTC))),
            promised_days=model.promised_days,
            fields_total=model.fields_total,
            fields_prefilled=model.fields_prefilled,
            materials_replaced=model.materials_replaced,
            max_trips=model.max_trips,
            trips_needed=model.trips_needed,
            trips_saved=model.trips_saved,
            form=JSON(model.form),
            sources=JSON(model.sources),
            version=model.version,
            model=model,
            form_kinds={key: source_kind(str(source)) for key, source in model.sources.items()},
            visible_departments=visible_departments,
        )

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
        return [_step(e, info) for e in await loaders.timeline.load(self.model.id)]

    @strawberry.field(description="The step the application is at now (the latest).")
    async def current_step(self, info: Info) -> TimelineStep | None:
        steps = await self.timeline(info)
        return steps[-1] if steps else None

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


def _require_certificates_scope(info: Info) -> None:
    """Certificates (and their verification codes) are certificate data: for those the privacy rule lets
    see it (certificates:read on a mini-program's token; not finance staff or platform admins)."""
    _require_scope(info, "certificates:read")
    if not info.context.disclosure.sees(Personal.CERTIFICATE):
        raise DomainError(CommonErrorCode.FORBIDDEN)


def _step(event: am.TimelineEvent, info: Info) -> TimelineStep:
    reason = event.reason or {}
    return TimelineStep(
        at=event.at,
        actor_type=event.actor_type,
        actor_name=event.actor_name,
        action=Action(event.action),
        action_label=info.context.gettext(texts.ACTION_LABELS[Action(event.action)]),
        from_status=Status(event.from_status) if event.from_status else None,
        to_status=Status(event.to_status),
        reason=reason.get("text"),
        reason_fields=list(reason.get("fields", [])),
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


@strawberry.type
class CertificateFieldValue:
    key: str
    label: str
    value: JSON | None = disclosed(Personal.CERTIFICATE)


@strawberry.type(description="An electronic certificate (电子证照) in a wallet.")
class Certificate:
    id: strawberry.ID
    code: str = disclosed(
        Personal.CERTIFICATE, description="The verification code: give it to whoever must check the certificate."
    )
    type_code: str
    name: str
    number: str = disclosed(Personal.CERTIFICATE)
    holder_name: str = disclosed(Personal.CERTIFICATE)
    issued_on: date
    valid_until: date | None
    status: str
    source: str = strawberry.field(description="library (held by the city) or platform (issued by an application).")
    application_id: strawberry.ID | None
    fields: list[CertificateFieldValue]
    issuer_code: strawberry.Private[str]

    @staticmethod
    def build(model: cs.Certificate, info: Info) -> Certificate:
        """From the store's record, in the caller's locale."""
        locale = info.context.locale
        kind = info.context.snapshot.certificate_types.get(model.type_code)
        labels = {x.key: _locale_text(x.label, locale) for x in kind.fields} if kind else {}
        return Certificate(
            id=strawberry.ID(model.id),
            code=model.code,
            type_code=model.type_code,
            name=pick(kind.name, locale) if kind else model.type_code,
            number=model.number,
            holder_name=model.holder_name,
            issued_on=model.issued_on,
            valid_until=model.valid_until,
            status=model.status,
            source=model.source,
            application_id=strawberry.ID(model.application_id) if model.application_id else None,
            fields=[CertificateFieldValue(key=k, label=labels.get(k, k), value=v) for k, v in model.data.items()],
            issuer_code=model.issuer,
        )

    @strawberry.field
    def issuer(self, info: Info) -> Department | None:
        found = info.context.snapshot.departments.get(self.issuer_code)
        return Department.build(found, info.context.locale) if found else None


@strawberry.type
class CertificatePage:
    items: list[Certificate]
    total_count: int


@strawberry.enum(description="What checking a certificate against the trust log found.")
class VerificationStatus(Enum):
    VALID = "valid"
    TAMPERED = "tampered"
    REVOKED = "revoked"
    UNKNOWN = "unknown"


@strawberry.type(description="The result of checking a certificate (what anyone holding its code may learn).")
class CertificateVerification:
    status: VerificationStatus
    name: str | None
    holder_name: str | None
    holder_id_number: str | None = strawberry.field(description="Masked.")
    number: str | None
    issued_on: date | None
    log_entry: int | None = strawberry.field(description="The trust log entry that vouches for it.")

    @staticmethod
    def build(result: cs.Verification, info: Info) -> CertificateVerification:
        """From the store's verification; personal numbers masked for the verifier."""
        c = result.certificate
        kind = info.context.snapshot.certificate_types.get(c.type_code) if c else None
        return CertificateVerification(
            status=VerificationStatus(result.status),
            name=pick(kind.name, info.context.locale) if kind else None,
            holder_name=c.holder_name if c else None,
            holder_id_number=mask_id_number(c.holder_id_number) if c else None,
            # an ID card's number is its holder's ID number: masked like any, for anyone holding the code
            number=NOTHING.text(c.number) if c else None,
            issued_on=c.issued_on if c else None,
            log_entry=c.log_seq if c else None,
        )


@strawberry.type(description="An inbox notice.")
class Notification:
    id: strawberry.ID
    text: str = disclosed()
    application_id: strawberry.ID | None
    created_at: datetime
    read: bool

    @staticmethod
    def build(model: am.Notification, info: Info) -> Notification:
        """Rendered in the reader's locale."""
        ctx = info.context
        return Notification(
            id=strawberry.ID(model.id),
            text=render_notice(ctx.resources.messages, ctx.locale, model.params),
            application_id=strawberry.ID(model.application_id) if model.application_id else None,
            created_at=model.created_at,
            read=model.read_at is not None,
        )


@strawberry.type
class NotificationPage:
    items: list[Notification]
    unread_count: int


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
