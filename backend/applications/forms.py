"""One form (一张表): the merged, pre-filled form of a matter or of a whole life-event bundle.

Fields several matters ask for appear once; a value comes from the citizen's profile or one of
their certificates and says so; materials a certificate supplies are not asked for.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

import msgspec

from backend.catalog import format as fmt
from backend.catalog import models as m
from backend.certificates.service import Certificate

LocaleMap = dict[str, str]


class Profile(msgspec.Struct, frozen=True, kw_only=True):
    """What the platform knows about a verified citizen (from the population registry)."""

    name: str
    id_number: str
    phone: str
    address: str
    birth_date: date
    sex: str
    region_code: str

    def value(self, key: str) -> Any:
        """A profile value by its catalog name ("profile.birth_date")."""
        found = getattr(self, key.removeprefix("profile."), None)
        return found.isoformat() if isinstance(found, date) else found

    def age_on(self, today: date) -> int:
        """Whole years of age."""
        before_birthday = (today.month, today.day) < (self.birth_date.month, self.birth_date.day)
        return today.year - self.birth_date.year - before_birthday

    def as_rule_data(self) -> dict[str, Any]:
        """The profile as instant-approval rules see it."""
        return {k: self.value(k) for k in ("name", "id_number", "phone", "address", "birth_date", "sex")}


class MatterSpec(msgspec.Struct, frozen=True):
    """A matter's summary and details, as the form needs them."""

    summary: m.MatterSummary
    details: m.MatterDetails


class FormField(msgspec.Struct, kw_only=True):
    """One field of the merged form."""

    key: str
    label: LocaleMap
    type: str
    required: bool
    options: list[fmt.FieldOption] | None
    value: Any = None
    source: str | None = None  # "profile.name", "cert:MARRIAGE_CERT.spouse_name", "draft", or None
    certificate_id: str | None = None
    choices: list[Any] = msgspec.field(default_factory=list)  # other certificates' values (秒报)
    prefill: str | None = None
    matter_keys: dict[str, str] = msgspec.field(default_factory=dict)  # matter code -> its own key


class FormMaterial(msgspec.Struct, kw_only=True):
    """A material: replaced by a certificate the citizen holds, or to be uploaded."""

    key: str
    name: LocaleMap
    required: bool
    certificate_type: str | None
    certificate_id: str | None
    matters: list[str] = msgspec.field(default_factory=list)
    issued_in_bundle: bool = False  # an earlier matter of the same bundle issues that certificate

    @property
    def replaced(self) -> bool:
        """Whether a certificate supplies it (no paper, no upload)."""
        return self.certificate_id is not None or self.issued_in_bundle


class MergedForm(msgspec.Struct, kw_only=True):
    """The form for one matter or a bundle, with the counts the citizen and the city see."""

    matters: list[str]
    fields: list[FormField]
    materials: list[FormMaterial]
    fields_total: int
    # Fields filled from a certificate an earlier step of the bundle issues, once it is issued.
    awaited: list[FormField] = msgspec.field(default_factory=list)

    @property
    def fields_asked(self) -> int:
        """Fields after merging."""
        return len(self.fields)

    @property
    def fields_prefilled(self) -> int:
        """Fields with a value from the profile or a certificate."""
        return sum(1 for f in self.fields if f.source is not None and f.source != "draft")

    @property
    def materials_replaced(self) -> int:
        """Materials a certificate supplies."""
        return sum(1 for x in self.materials if x.replaced)

    def values_for(self, matter_code: str, values: dict[str, Any]) -> dict[str, Any]:
        """A matter's form values under its own keys, from the merged form's values."""
        return {f.matter_keys[matter_code]: values.get(f.key) for f in self.fields if matter_code in f.matter_keys}


def certificate_source(prefill: str | None) -> tuple[str, str] | None:
    """("BUSINESS_LICENSE", "credit_code") for a prefill "cert:BUSINESS_LICENSE.credit_code", else None."""
    if prefill is None or not prefill.startswith("cert:"):
        return None
    code, _, key = prefill.removeprefix("cert:").partition(".")
    return code, key


def issued_earlier(specs: Sequence[MatterSpec]) -> dict[str, set[str]]:
    """Per matter of a bundle, the certificate types that the matters before it issue."""
    earlier: dict[str, set[str]] = {}
    issued: set[str] = set()
    for spec in specs:
        earlier[spec.summary.code] = set(issued)
        issued |= set(spec.summary.outputs)
    return earlier


def from_earlier_output(prefill: str | None, earlier: set[str]) -> bool:
    """Whether a field with this prefill is filled from a certificate an earlier step issues."""
    source = certificate_source(prefill)
    return source is not None and source[0] in earlier


def certificates_by_type(certificates: Sequence[Certificate]) -> dict[str, list[Certificate]]:
    """Valid certificates per type, newest first (the caller's order)."""
    by_type: dict[str, list[Certificate]] = {}
    for certificate in certificates:
        if certificate.status == "valid":
            by_type.setdefault(certificate.type_code, []).append(certificate)
    return by_type


def _prefill(target: FormField, profile: Profile | None, certs: dict[str, list[Certificate]]) -> None:
    source = target.prefill
    if source is None:
        return
    if source.startswith("profile.") and profile is not None:
        target.value, target.source = profile.value(source), source
    elif source.startswith("cert:"):
        code, _, key = source.removeprefix("cert:").partition(".")
        held = certs.get(code, [])
        values = [c.data.get(key) for c in held if c.data.get(key) is not None]
        if values:
            first = next(c for c in held if c.data.get(key) is not None)
            target.value, target.source, target.certificate_id = values[0], source, first.id
            target.choices = list(dict.fromkeys(values)) if len(set(map(str, values))) > 1 else []
    if target.options is not None and target.value not in {o.value for o in target.options}:
        # A select offers only valid choices: a certificate value outside them is not a pre-fill.
        target.value, target.source, target.certificate_id = None, None, None


def merge(
    specs: Sequence[MatterSpec],
    *,
    profile: Profile | None,
    certificates: Sequence[Certificate],
    draft: dict[str, Any] | None = None,
) -> MergedForm:
    """Merge the matters' forms and materials, pre-fill them, and apply a draft's corrections."""
    certs = certificates_by_type(certificates)
    fields: dict[str, FormField] = {}
    total = 0
    for spec in specs:
        code = spec.summary.code
        for field in spec.details.form:
            total += 1
            key = field.key
            existing = fields.get(key)
            if existing is not None and existing.type != field.type:
                key = f"{code}.{field.key}"  # same name, different meaning: ask both
                existing = None
            if existing is None:
                fields[key] = existing = FormField(
                    key=key,
                    label=_labels(field.label),
                    type=field.type,
                    required=field.required,
                    options=list(field.options) if field.options else None,
                    prefill=field.prefill,
                )
            else:
                existing.required = existing.required or field.required
                existing.prefill = existing.prefill or field.prefill
                if existing.options is not None and field.options:
                    allowed = {o.value for o in field.options}
                    narrowed = [o for o in existing.options if o.value in allowed]
                    existing.options = narrowed or existing.options
            existing.matter_keys[code] = field.key
    # A certificate that an earlier matter of the bundle issues (opening a restaurant issues its
    # business licence) must not be pre-filled from an older one of that type: that is another
    # business. A matter renewing its own output (a driving licence) does read the old one.
    position = {spec.summary.code: i for i, spec in enumerate(specs)}
    for target in fields.values():
        last = max(position[code] for code in target.matter_keys)
        earlier = {code for spec in specs[:last] for code in spec.summary.outputs}
        _prefill(target, profile, {code: held for code, held in certs.items() if code not in earlier})
    for key, value in (draft or {}).items():
        if key in fields and value is not None and value != fields[key].value:
            fields[key].value, fields[key].source, fields[key].certificate_id = value, "draft", None
    awaited = _awaited(specs, fields)
    return MergedForm(
        matters=[s.summary.code for s in specs],
        fields=[f for key, f in fields.items() if key not in awaited],
        materials=_materials(specs, certs),
        fields_total=total,
        awaited=[f for key, f in fields.items() if key in awaited],
    )


def _awaited(specs: Sequence[MatterSpec], fields: dict[str, FormField]) -> set[str]:
    """The merged fields that only steps waiting for an earlier step's certificate ask for, each
    filled from that certificate (the new business's name and credit code): not asked of anyone."""
    earlier = issued_earlier(specs)
    prefills = {(spec.summary.code, f.key): f.prefill for spec in specs for f in spec.details.form}
    return {
        key
        for key, field in fields.items()
        if all(from_earlier_output(prefills[code, own], earlier[code]) for code, own in field.matter_keys.items())
    }


def _labels(text: fmt.LocaleText) -> LocaleMap:
    return {"zh-Hans": text.zh_hans, "zh-Hant": text.zh_hant, "en": text.en}


def _materials(specs: Sequence[MatterSpec], certs: dict[str, list[Certificate]]) -> list[FormMaterial]:
    merged: dict[str, FormMaterial] = {}
    for position, spec in enumerate(specs):
        earlier = {code for s in specs[:position] for code in s.summary.outputs}
        for material in spec.details.materials:
            # One certificate supplies the same material to every matter that asks for it.
            key = f"cert:{material.certificate}" if material.certificate else material.key
            found = merged.get(key)
            if found is None:
                held = [] if material.certificate in earlier else certs.get(material.certificate or "", [])
                merged[key] = found = FormMaterial(
                    key=material.key,
                    name=_labels(material.name),
                    required=material.required,
                    certificate_type=material.certificate,
                    certificate_id=held[0].id if held else None,
                    issued_in_bundle=material.certificate in earlier,
                )
            found.required = found.required or material.required
            found.matters.append(spec.summary.code)
    return list(merged.values())
