"""The one form (一张表) as a citizen sees it: merged, pre-filled from their profile and certificates,
with their draft's corrections applied."""

from __future__ import annotations

from backend.applications.applicants import Applicants
from backend.applications.drafts import Drafts
from backend.applications.forms import MergedForm, merge
from backend.applications.targets import Targets
from backend.applications.unit import Unit
from backend.applications.workdays import shanghai_date


class Prefill:
    """Pre-filled forms."""

    def __init__(self, unit: Unit, applicants: Applicants, targets: Targets, drafts: Drafts) -> None:
        self._unit = unit
        self._applicants = applicants
        self._targets = targets
        self._drafts = drafts

    async def form(self, citizen_id: str, matter_code: str | None, bundle_code: str | None) -> MergedForm:
        """The merged form, pre-filled, with the citizen's draft corrections applied."""
        target, specs = await self._targets.specs(matter_code, bundle_code)
        profile, _ = await self._applicants.profile(citizen_id)
        held = await self._unit.certificates.holder_certificates(profile.id_number, shanghai_date(self._unit.now()))
        draft = await self._drafts.get(citizen_id, target)
        return merge(specs, profile=profile, certificates=held, draft=draft.form_values if draft else None)
