"""Applications' error codes: the one form, submission, officers' steps, uploads."""

from __future__ import annotations

from enum import StrEnum

from backend.errors import register


class ApplicationErrorCode(StrEnum):
    """Why an application, a draft, an officer's step or an upload was refused."""

    REAL_NAME_REQUIRED = "REAL_NAME_REQUIRED"
    MATTER_OR_BUNDLE = "MATTER_OR_BUNDLE"
    FORM_INVALID = "FORM_INVALID"
    MATERIAL_MISSING = "MATERIAL_MISSING"
    DRAFT_CONFLICT = "DRAFT_CONFLICT"
    INVALID_TRANSITION = "INVALID_TRANSITION"
    REASON_REQUIRED = "REASON_REQUIRED"
    STALE_APPLICATION = "STALE_APPLICATION"
    NO_INSTANT_APPROVAL = "NO_INSTANT_APPROVAL"
    UPLOAD_TOO_LARGE = "UPLOAD_TOO_LARGE"
    UPLOAD_TYPE_NOT_ALLOWED = "UPLOAD_TYPE_NOT_ALLOWED"
    UPLOAD_QUOTA = "UPLOAD_QUOTA"
    CERTIFICATE_FIELDS_INVALID = "CERTIFICATE_FIELDS_INVALID"
    VALIDITY_ENDED = "VALIDITY_ENDED"
    DOWNLOAD_LINK_INVALID = "DOWNLOAD_LINK_INVALID"
    AWAITING_EARLIER_STEP = "AWAITING_EARLIER_STEP"
    ORDER_UNPAID = "ORDER_UNPAID"


register(
    {
        ApplicationErrorCode.REAL_NAME_REQUIRED: "Verify your real name first: applications are made in your own name.",
        ApplicationErrorCode.MATTER_OR_BUNDLE: "Choose exactly one: a matter or a life-event bundle.",
        ApplicationErrorCode.FORM_INVALID: "Some fields need your attention. Your entries were saved as a draft.",
        ApplicationErrorCode.MATERIAL_MISSING: (
            "Please upload {material}: no certificate in your wallet can replace it."
        ),
        ApplicationErrorCode.DRAFT_CONFLICT: (
            "This form was changed on another device. Reload it to continue from the newest version."
        ),
        ApplicationErrorCode.INVALID_TRANSITION: 'An application that is "{status}" cannot take the step "{action}".',
        ApplicationErrorCode.REASON_REQUIRED: "Give the citizen a reason.",
        ApplicationErrorCode.STALE_APPLICATION: (
            "Someone else changed this application meanwhile. Reload it and try again."
        ),
        ApplicationErrorCode.NO_INSTANT_APPROVAL: (
            "This matter is decided by an officer; it has no instant-approval rule."
        ),
        ApplicationErrorCode.UPLOAD_TOO_LARGE: "The file is too large: at most {max_mb} MB.",
        ApplicationErrorCode.UPLOAD_TYPE_NOT_ALLOWED: "Upload a PDF, JPEG or PNG file.",
        ApplicationErrorCode.UPLOAD_QUOTA: (
            "You have uploaded the most allowed in a day ({files} files or {mb} MB). Try again tomorrow."
        ),
        ApplicationErrorCode.CERTIFICATE_FIELDS_INVALID: (
            "Some fields of the certificate to issue need your attention before it can be issued."
        ),
        ApplicationErrorCode.VALIDITY_ENDED: "The validity must end after today.",
        ApplicationErrorCode.DOWNLOAD_LINK_INVALID: (
            "This download link is not valid or has expired. Open the material again."
        ),
        ApplicationErrorCode.AWAITING_EARLIER_STEP: (
            "This step waits for the certificate an earlier step of the same application issues; "
            "it is filled in from it once issued."
        ),
        ApplicationErrorCode.ORDER_UNPAID: (
            "The fees of this application are not paid yet: nothing is issued before they are."
        ),
    }
)
