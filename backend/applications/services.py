"""The applications domain of one unit of work, composed: small services, each with its dependencies
given explicitly, sharing the unit (session, catalog snapshot, clock, live updates)."""

from __future__ import annotations

from backend.applications.applicants import Applicants
from backend.applications.approval import InstantApproval
from backend.applications.bundles import Bundles
from backend.applications.drafts import Drafts
from backend.applications.fees import Fees
from backend.applications.inbox import Inbox
from backend.applications.officers import OfficerActions
from backend.applications.prefill import Prefill
from backend.applications.reads import Reads
from backend.applications.submission import Submission
from backend.applications.targets import Targets
from backend.applications.unit import Unit
from backend.certificates.service import CertificateStore


class Applications:
    """Every applications service on one unit: what the transports use."""

    def __init__(self, unit: Unit) -> None:
        self.unit = unit
        self.reads = Reads(unit)
        self.inbox = Inbox(unit)
        self.applicants = Applicants(unit)
        self.targets = Targets(unit)
        self.drafts = Drafts(unit, self.targets)
        self.prefill = Prefill(unit, self.applicants, self.targets, self.drafts)
        self.approval = InstantApproval(unit, self.applicants, self.targets)
        self.bundles = Bundles(unit, self.reads, self.applicants, self.targets, self.approval)
        self.fees = Fees(unit, self.reads, self.applicants, self.targets, self.approval, self.bundles)
        self.submission = Submission(
            unit, self.applicants, self.targets, self.drafts, self.reads, self.approval, self.bundles, self.fees
        )
        self.officers = OfficerActions(
            unit, self.reads, self.applicants, self.targets, self.approval, self.bundles, self.fees
        )

    @property
    def certificates(self) -> CertificateStore:
        """The certificate store on this unit's session."""
        return self.unit.certificates
