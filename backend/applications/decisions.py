"""Instant approval (秒批) and issuing a matter's output certificates.

A rule sees {"form", "certs", "profile", "age"}: the application's own form values, the citizen's
newest valid certificate of each type, the registry profile, and the age on the China date of the
decision. Approvals are appended to the trust log with what they were based on.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any

import msgspec
from sqlalchemy import update

from backend.applications import texts
from backend.applications.events import Actor
from backend.applications.forms import MatterSpec, Profile, certificates_by_type
from backend.applications.states import Action, Status
from backend.certificates import trustlog
from backend.certificates.issue import build_output
from backend.certificates.service import Certificate
from backend.db import tables as t
from backend.i18n import Locale
from backend.rules.explain import Decision, evaluate_with_explanation

if TYPE_CHECKING:
    from backend.applications.service import ApplicationService


def rule_data(
    form: dict[str, Any], profile: Profile, certificates: Sequence[Certificate], today: date
) -> dict[str, Any]:
    """What an instant-approval rule is evaluated over."""
    certs = {code: held[0].data for code, held in certificates_by_type(certificates).items()}
    return {"form": form, "certs": certs, "profile": profile.as_rule_data(), "age": profile.age_on(today)}


def evaluate(
    spec: MatterSpec, form: dict[str, Any], profile: Profile, certificates: Sequence[Certificate], today: date
) -> Decision:
    """The matter's rule on this data, with every condition explained."""
    assert spec.details.auto_approval is not None
    return evaluate_with_explanation(spec.details.auto_approval.rule, rule_data(form, profile, certificates, today))


async def log_decision(service: ApplicationService, application_id: str, outcome: str, basis: Any) -> None:
    """Append an approval or refusal to the trust log."""
    content = trustlog.content_hash({"application": application_id, "outcome": outcome, "basis": basis})
    await service.certificates.log("decision", application_id, content)


async def decide_instantly(
    service: ApplicationService,
    spec: MatterSpec,
    row: dict[str, Any],
    profile: Profile,
    phone: str | None,
    certificates: Sequence[Certificate],
    today: date,
) -> None:
    """Approve at submission when the rule holds (issuing outputs at once); otherwise refer to an officer."""
    decision = evaluate(spec, row["form"], profile, certificates, today)
    record = msgspec.to_builtins(decision)
    # Values the citizen changed from what a certificate or the registry says are their word only:
    # the rule may hold on them, but an officer checks them before anything is approved.
    corrected = sorted(k for k, source in row["sources"].items() if str(source).startswith("corrected:"))
    if corrected:
        record["corrected"] = corrected
    session = service.session
    now = datetime.now(UTC)
    name = spec.summary.name
    system = Actor.system()
    if not decision.approved or corrected:
        await session.execute(update(t.applications).where(t.applications.c.id == row["id"]).values(decision=record))
        row["decision"] = record
        reason: dict[str, Any] = {"decision": record}
        if corrected:
            reason |= {"text": service.messages.gettext(Locale.ZH_HANS, texts.CORRECTED), "fields": corrected}
        await service.events.record(
            application=row, action=Action.AUTO_REFER, actor=system, from_status=Status.SUBMITTED,
            to_status=Status.SUBMITTED, matter_name=name, phone=phone, reason=reason,
        )  # fmt: skip
        return
    await session.execute(
        update(t.applications)
        .where(t.applications.c.id == row["id"])
        .values(
            status=Status.APPROVED.value, decision=record, decided_at=now, updated_at=now, version=row["version"] + 1
        )
    )
    row.update(status=Status.APPROVED.value, decision=record, decided_at=now, version=row["version"] + 1)
    await log_decision(service, row["id"], "approved", {"rule": spec.details.auto_approval, "decision": record,
                                                        "form": row["form"]})  # fmt: skip
    outputs = spec.summary.outputs
    await service.events.record(
        application=row, action=Action.AUTO_APPROVE, actor=system, from_status=Status.SUBMITTED,
        to_status=Status.APPROVED, matter_name=name, phone=phone if not outputs else None,
    )  # fmt: skip
    if outputs:
        await issue_outputs(service, spec, row, profile, certificates, today)
        await service.events.record(
            application=row, action=Action.ISSUE, actor=system, from_status=Status.APPROVED,
            to_status=Status.COMPLETED, matter_name=name, phone=phone,
        )  # fmt: skip


async def issue_outputs(
    service: ApplicationService,
    spec: MatterSpec,
    row: dict[str, Any],
    profile: Profile,
    certificates: Sequence[Certificate],
    today: date,
) -> list[Certificate]:
    """Issue the matter's output certificates into the citizen's wallet and mark the application completed."""
    snapshot = service.snapshot
    held = certificates_by_type(certificates)
    records = []
    replaced = []
    for code in spec.summary.outputs:
        # A matter that reads the certificate it issues renews it (a driving licence); any other
        # issues a new one (a second business gets its own licence; the first one stays valid).
        renews = any((f.prefill or "").startswith(f"cert:{code}.") for f in spec.details.form)
        previous = held.get(code) if renews else None
        if previous:
            replaced.append(previous[0].id)
        records.append(
            build_output(
                snapshot.certificate_types[code], application_id=row["id"], today=today, form=row["form"],
                profile=profile.as_rule_data(), region_code=profile.region_code,
                previous=previous[0].data if previous else None,
            )
        )  # fmt: skip
    await service.certificates.revoke(replaced, reason=f"renewed by application {row['id']}")
    session = service.session
    issued = await service.certificates.store(records, source="platform", application_id=row["id"])
    now = datetime.now(UTC)
    await session.execute(
        update(t.applications)
        .where(t.applications.c.id == row["id"])
        .values(status=Status.COMPLETED.value, updated_at=now, version=row["version"] + 1)
    )
    row.update(status=Status.COMPLETED.value, version=row["version"] + 1)
    return issued
