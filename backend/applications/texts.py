"""English source texts (gettext msgids) of what applications show: statuses, actions, notices."""

from __future__ import annotations

from backend.applications.states import Action, Status

STATUS_LABELS: dict[Status, str] = {
    Status.SUBMITTED: "Submitted",
    Status.ACCEPTED: "Accepted for processing",
    Status.SUPPLEMENT_REQUESTED: "Waiting for your supplement",
    Status.APPROVED: "Approved",
    Status.COMPLETED: "Completed",
    Status.REJECTED: "Not approved",
    Status.IN_PROGRESS: "In progress",
    Status.WITHDRAWN: "Withdrawn",
}

ACTION_LABELS: dict[Action, str] = {
    Action.SUBMIT: "You submitted the application",
    Action.AUTO_APPROVE: "Approved instantly: every condition was met",
    Action.AUTO_REFER: "Sent to an officer: a condition for instant approval was not met",
    Action.ACCEPT: "The department accepted the application",
    Action.REQUEST_SUPPLEMENT: "The department asked you to supplement the application",
    Action.SUPPLEMENT: "You supplemented the application",
    Action.APPROVE: "The department approved the application",
    Action.REJECT: "The department did not approve the application",
    Action.ISSUE: "The certificate was issued to your wallet",
    Action.BUNDLE_PROGRESS: "The life event's overall progress changed",
    Action.WITHDRAW: "Withdrawn: the fees were not paid in time",
    Action.PAID_COMPLETE: "The fees were paid: the application is completed",
}

# The steps staff read about the applicant in the third person (the citizen reads ACTION_LABELS' "you").
STAFF_ACTION_LABELS: dict[Action, str] = {
    Action.SUBMIT: "The applicant submitted the application",
    Action.REQUEST_SUPPLEMENT: "The department asked the applicant to supplement the application",
    Action.SUPPLEMENT: "The applicant supplemented the application",
    Action.ISSUE: "The certificate was issued to the applicant's wallet",
}

# How a material reached the department (backend.applications.materials.Provision).
PROVISION_LABELS: dict[str, str] = {
    "certificate": "Replaced by a certificate in the applicant's wallet",
    "issued_in_bundle": "Issued by an earlier step of the same life event",
    "upload": "Uploaded by the applicant",
    "missing": "Not provided",
}

STEP_NAMES: dict[Action, str] = {
    Action.ACCEPT: "Accept",
    Action.REQUEST_SUPPLEMENT: "Request a supplement",
    Action.SUPPLEMENT: "Supplement",
    Action.APPROVE: "Approve",
    Action.REJECT: "Do not approve",
    Action.ISSUE: "Issue the certificate",
}
"""What an officer's (or the citizen's) step is called when it is refused: a verb, not a timeline sentence."""

CORRECTED = "You changed values taken from your certificates or profile; an officer will check them."
NOTICE = "Your application {reference} ({matter}) is now: {status}."
NOTICE_WITH_REASON = "Your application {reference} ({matter}) is now: {status}. Reason: {reason}"
SMS = "[onewindow] Application {reference} ({matter}): {status}. Open the app for details."
CERTIFICATE_EXPIRING = (
    "Your {certificate} is valid until {valid_until}. Renew it in time: after that day it is expired."
)

TEXTS: dict[str, str] = {
    **{f"status.{k}": v for k, v in STATUS_LABELS.items()},
    **{f"action.{k}": v for k, v in ACTION_LABELS.items()},
    **{f"staff_action.{k}": v for k, v in STAFF_ACTION_LABELS.items()},
    **{f"provision.{k}": v for k, v in PROVISION_LABELS.items()},
    **{f"step.{k}": v for k, v in STEP_NAMES.items()},
    "notice": NOTICE,
    "notice_with_reason": NOTICE_WITH_REASON,
    "sms": SMS,
    "corrected": CORRECTED,
    "certificate_expiring": CERTIFICATE_EXPIRING,
}
