"""GraphQL types of the service catalog's matters and bundles: fees, materials, form fields, filters.
Texts are in the request's locale.

Scalar fields are plain attributes filled when the object is built (cheap to resolve); related
objects resolve through the request's DataLoaders.
"""

from __future__ import annotations

from decimal import Decimal

import strawberry

from backend.catalog import models as m
from backend.errors import CommonErrorCode, DomainError
from backend.graphql.catalog.enums import AdministrativeLevel, Audience, FormFieldType, ServiceMode, Theme
from backend.graphql.catalog.places import CertificateType, Department, Hall, Region, department_of, region_of
from backend.graphql.context import Info
from backend.i18n import Locale, pick, pick_text


@strawberry.type(description="A fee line: which fiscal item, how much, collected for which department.")
class Fee:
    item_code: str
    name: str
    amount: Decimal = strawberry.field(description='Yuan with two decimals, as a string: "20.00".')
    department_code: strawberry.Private[str]

    @strawberry.field
    def department(self, info: Info) -> Department:
        return department_of(info, self.department_code)


@strawberry.type(description="A document the applicant provides, unless a certificate supplies it.")
class Material:
    key: str
    name: str
    required: bool
    note: str | None
    certificate_code: str | None = strawberry.field(
        description="The certificate type that replaces this paper material, if any."
    )

    @strawberry.field(description="The certificate type that replaces this paper material, if any.")
    def certificate(self, info: Info) -> CertificateType | None:
        if self.certificate_code is None:
            return None
        found = info.context.snapshot.certificate_types.get(self.certificate_code)
        return CertificateType.build(found, info.context.locale) if found else None


@strawberry.type
class FieldOption:
    value: str
    label: str


@strawberry.type(description="A field of a matter's application form.")
class FormField:
    key: str
    label: str
    type: FormFieldType
    required: bool
    options: list[FieldOption] | None
    prefill: str | None = strawberry.field(
        description="Where the value is pre-filled from: profile.<field> or cert:<TYPE>.<field>."
    )


@strawberry.type(description="A matter (事项): one thing a citizen or an enterprise can apply for.")
class Matter:
    code: str
    name: str
    summary: str
    level: AdministrativeLevel
    audience: Audience
    theme: Theme
    modes: list[ServiceMode]
    max_trips: int = strawberry.field(description="Trips to a hall at most (0 = fully online, 零跑动).")
    promised_days: int = strawberry.field(description="Working days promised (0 = handled at once, 即办).")
    legal_days: int = strawberry.field(description="Working days the law allows.")
    instant_approval: bool = strawberry.field(description="Decided by rule at submission (秒批).")
    department_code: strawberry.Private[str]
    region_code: strawberry.Private[str]
    output_codes: strawberry.Private[list[str]]

    @staticmethod
    def build(model: m.MatterSummary, locale: Locale) -> Matter:
        """From the domain model, in `locale`."""
        return Matter(
            code=model.code,
            name=pick(model.name, locale),
            summary=pick(model.summary, locale),
            level=AdministrativeLevel(model.level),
            audience=Audience(model.audience),
            theme=Theme(model.theme),
            modes=[ServiceMode(x) for x in model.modes],
            max_trips=model.max_trips,
            promised_days=model.promised_days,
            legal_days=model.legal_days,
            instant_approval=model.instant_approval,
            department_code=model.department_code,
            region_code=model.region_code,
            output_codes=model.outputs,
        )

    @strawberry.field(description="The department that handles it.")
    def department(self, info: Info) -> Department:
        return department_of(info, self.department_code)

    @strawberry.field(description="The region it is handled for.")
    def region(self, info: Info) -> Region:
        return region_of(info, self.region_code)

    @strawberry.field(description="Fee lines; empty when the matter is free.")
    def fees(self, info: Info) -> list[Fee]:
        locale = info.context.locale
        return [
            Fee(item_code=f.item_code, name=pick(f.name, locale), amount=f.amount, department_code=f.department_code)
            for f in info.context.snapshot.fees.get(self.code, [])
        ]

    @strawberry.field(description="Certificates issued when the matter is approved.")
    def outputs(self, info: Info) -> list[CertificateType]:
        found = info.context.snapshot.certificate_types
        return [CertificateType.build(found[c], info.context.locale) for c in self.output_codes if c in found]

    @strawberry.field(description="Documents to provide (or that certificates supply).")
    async def materials(self, info: Info) -> list[Material]:
        locale = info.context.locale
        details = await _details(info, self.code)
        return [
            Material(
                key=x.key,
                name=pick_text(x.name, locale),
                required=x.required,
                note=pick_text(x.note, locale) if x.note else None,
                certificate_code=x.certificate,
            )
            for x in details.materials
        ]

    @strawberry.field(description="The fields of its application form, in order.")
    async def form_fields(self, info: Info) -> list[FormField]:
        locale = info.context.locale
        details = await _details(info, self.code)
        return [
            FormField(
                key=f.key,
                label=pick_text(f.label, locale),
                type=FormFieldType(f.type),
                required=f.required,
                options=[FieldOption(value=o.value, label=pick_text(o.label, locale)) for o in f.options]
                if f.options
                else None,
                prefill=f.prefill,
            )
            for f in details.form
        ]

    @strawberry.field(description="In plain words, who is approved instantly; null without 秒批.")
    async def instant_approval_criteria(self, info: Info) -> str | None:
        rule = (await _details(info, self.code)).auto_approval
        return pick_text(rule.explain, info.context.locale) if rule else None

    @strawberry.field(description="Colloquial names and synonyms in the request's locale.")
    async def keywords(self, info: Info) -> list[str]:
        return (await _details(info, self.code)).keywords.get(info.context.locale.value, [])

    @strawberry.field(description="The law or regulation it is based on.")
    async def legal_basis(self, info: Info) -> str:
        return pick((await _details(info, self.code)).legal_basis, info.context.locale)

    @strawberry.field(description="Halls where its in-person steps can be done.")
    def halls(self, info: Info) -> list[Hall]:
        snapshot, locale = info.context.snapshot, info.context.locale
        matter = snapshot.by_code.get(self.code)
        if matter is None:
            return []
        return [Hall.build(h, locale) for h in snapshot.halls if snapshot.hall_serves(h, matter)]


@strawberry.type(description="A life-event bundle (一件事): several matters in one application.")
class Bundle:
    code: str
    name: str
    summary: str
    audience: Audience
    shared_materials_note: str

    @staticmethod
    def build(model: m.Bundle, locale: Locale) -> Bundle:
        """From the domain model, in `locale`."""
        return Bundle(
            code=model.code,
            name=pick(model.name, locale),
            summary=pick(model.summary, locale),
            audience=Audience(model.audience),
            shared_materials_note=pick(model.shared_materials_note, locale),
        )

    @strawberry.field(description="Its matters, in processing order.")
    def matters(self, info: Info) -> list[Matter]:
        snapshot = info.context.snapshot
        found = [snapshot.by_code.get(code) for code in snapshot.bundle_matters.get(self.code, [])]
        return [Matter.build(x, info.context.locale) for x in found if x is not None]


@strawberry.type
class MatterEdge:
    cursor: str
    node: Matter


@strawberry.input(description="Narrow a matter list; every condition given must hold.")
class MatterFilter:
    theme: Theme | None = None
    audience: Audience | None = None
    level: AdministrativeLevel | None = None
    department: str | None = strawberry.field(default=None, description="A department code.")
    mode: ServiceMode | None = None
    region: str | None = strawberry.field(
        default=None, description="A region code: matters handled for exactly that region."
    )
    hall: str | None = strawberry.field(default=None, description="A hall code: matters handled there.")

    def to_model(self) -> m.MatterFilter:
        """The domain filter."""
        return m.MatterFilter(
            theme=self.theme.value if self.theme else None,
            audience=self.audience.value if self.audience else None,
            level=self.level.value if self.level else None,
            department=self.department,
            mode=self.mode.value if self.mode else None,
            region=self.region,
            hall=self.hall,
        )


async def _details(info: Info, code: str) -> m.MatterDetails:
    found = await info.context.loaders.matter_details.load(code)
    if found is None:
        raise DomainError(CommonErrorCode.NOT_FOUND, what=code)
    return found
