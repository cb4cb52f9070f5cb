"""Within a life-event bundle, later steps take what earlier steps issue.

Opening a restaurant registers the business first (its business licence), and every later step asks
for the licence's name and credit code. Those do not exist when the citizen fills in the one form, so
they are not asked: the later items wait for the certificate, and when it is issued they are filled
from it. Which field comes from which earlier output is the catalog's own data: a form field whose
prefill is a certificate type (`cert:BUSINESS_LICENSE.credit_code`), or a material that a certificate
type supplies, where an earlier matter of the bundle lists that type among its outputs.
"""

from __future__ import annotations

from typing import Any

import msgspec

from backend.applications.forms import MatterSpec, certificate_source
from backend.applications.models import Application
from backend.certificates.service import Certificate


def pending(spec: MatterSpec, item: Application, earlier: set[str]) -> set[str]:
    """The certificate types an item still waits for: an earlier step issues them, and the item's
    fields or materials have not been filled from the issued one yet."""
    waiting = {
        code
        for field in spec.details.form
        if (source := certificate_source(field.prefill)) is not None
        and (code := source[0]) in earlier
        and item.sources.get(field.key) != field.prefill
    }
    waiting |= {str(m["issued_in_bundle"]) for m in item.materials.values() if m.get("issued_in_bundle") in earlier}
    return waiting


class Handover(msgspec.Struct, frozen=True, kw_only=True):
    """An item's columns filled from issued certificates, and which fields of which certificate it read."""

    form: dict[str, Any]
    sources: dict[str, Any]
    materials: dict[str, Any]
    fields_prefilled: int
    used: dict[str, set[str]]  # certificate id -> fields read ("*": the whole certificate, as a material)


def hand_over(spec: MatterSpec, item: Application, issued: dict[str, Certificate]) -> Handover:
    """An item's form, sources and materials filled from the certificates earlier steps issued
    (`issued`: type -> certificate); the certificate's values replace whatever the item held."""
    form, sources, materials = dict(item.form), dict(item.sources), dict(item.materials)
    used: dict[str, set[str]] = {}
    for field in spec.details.form:
        source = certificate_source(field.prefill)
        certificate = issued.get(source[0]) if source is not None else None
        if source is None or certificate is None:
            continue
        form[field.key] = certificate.data.get(source[1])
        sources[field.key] = field.prefill
        used.setdefault(certificate.id, set()).add(source[1])
    for key, material in item.materials.items():
        certificate = issued.get(str(material.get("issued_in_bundle")))
        if certificate is not None:
            materials[key] = {"certificate_id": certificate.id}
            used.setdefault(certificate.id, set()).add("*")
    prefilled = sum(1 for s in sources.values() if isinstance(s, str) and s.startswith(("profile.", "cert:")))
    return Handover(form=form, sources=sources, materials=materials, fields_prefilled=prefilled, used=used)
