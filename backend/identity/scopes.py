"""What each OAuth scope shows: the one table the consent page, the citizen's list of consents, the
developer guide and the tests read.

`consent` is what the citizen is told (an English msgid, translated in locales/); it says exactly what
the fields under `shows` carry, no less and no more. A personal value a scope does not cover comes back
null (backend/privacy.py); a form's values take their kind from the catalog's field types
(backend.privacy.field_kind), so `applications:read` alone shows the form's other answers but none of
its names, addresses, phone, ID or certificate numbers.
"""

from __future__ import annotations

import msgspec

from backend.identity.models import Scope


class ScopeShows(msgspec.Struct, frozen=True):
    """One scope's row: what the citizen is told and what it shows."""

    consent: str
    """What the citizen reads on the consent page (msgid)."""
    shows: tuple[str, ...]
    """The GraphQL fields and OpenID Connect claims it opens, or whose values it stops withholding."""


# A form's values of each kind, wherever a form appears: Application.form, ApplicationFormField.value,
# Draft.values, SupplementChange.before/after.
_FORM = "form values"

SCOPES: dict[Scope, ScopeShows] = {
    Scope.OPENID: ScopeShows(
        "Know that it is you (an identifier only this app sees)",
        ("claim sub (pairwise: only this app sees it)",),
    ),
    Scope.PROFILE: ScopeShows(
        "Your name, whether your identity is verified and when you registered; and the names, addresses, "
        "dates of birth and sex written in your applications",
        (
            "Query.me: Citizen.id, Citizen.name, Citizen.identityVerified, Citizen.createdAt",
            "claims name, identity_verified",
            f"{_FORM}: names of people (the citizen's, a spouse's, a child's ...), addresses, birth dates, sex",
            "TimelineStep.actorName of the citizen's own steps",
            "Receipt.payer whole (otherwise masked: 李**)",
        ),
    ),
    Scope.PHONE: ScopeShows(
        "Your mobile phone number, and the phone numbers written in your applications",
        (
            "Citizen.phone (E.164, with profile)",
            "claims phone_number (E.164), phone_number_verified",
            f"{_FORM}: phone fields (E.164); phone numbers in texts unmasked",
        ),
    ),
    Scope.ID_NUMBER: ScopeShows(
        "Your resident ID number, and the ID, passport, permit, card and account numbers written in your applications",
        (
            "Citizen.idNumber (with profile)",
            "claim id_number",
            f"{_FORM}: ID number fields; passport, permit, identity document, card and account numbers; "
            "ID numbers in texts unmasked",
        ),
    ),
    Scope.APPLICATIONS_READ: ScopeShows(
        "See your applications and their progress (status, steps, deadlines, fees, notices) and the other "
        "answers in their forms; names, addresses, phone and ID numbers and certificate details in them only "
        "with the permissions for those",
        (
            "Query.myApplications, Query.application, Query.applicationForm, Query.checkEligibility, "
            "Query.myNotifications",
            "Subscription.applicationUpdated",
            f"{_FORM} of no personal kind (choices, dates of events, amounts, counts ...)",
        ),
    ),
    Scope.APPLICATIONS_WRITE: ScopeShows(
        "Fill in and submit applications for you, answer requests for more information and mark your notices read",
        (
            "Mutation.saveDraft, Mutation.submitApplication, Mutation.supplementApplication, "
            "Mutation.markNotificationsRead",
            "AssistantReply.draft (the assistant saves a draft)",
        ),
    ),
    Scope.PAYMENTS: ScopeShows(
        "See your payment orders and receipts, and start payments of your fees",
        ("Query.myPayments, Query.myReceipts, Query.order, Mutation.payOrder", "Application.order"),
    ),
    Scope.CERTIFICATES_READ: ScopeShows(
        "See your electronic certificates, and the certificate details used in or issued by your applications",
        (
            "Query.myCertificates, Query.certificate",
            "Application.dataUses, Application.issuedCertificates, certificateId fields",
            f"{_FORM} taken from a certificate; ApplicationFormField.choices",
        ),
    ),
    Scope.HALL: ScopeShows(
        "Book, move and cancel appointments at service halls, take queue numbers, and rate services for you",
        (
            "Query.myAppointments, Query.myTickets, Query.myRatings",
            "Mutation.bookAppointment and the other appointment, ticket and rating mutations",
            "Subscription.ticketUpdated",
        ),
    ),
}

SCOPE_DESCRIPTIONS: dict[str, str] = {scope.value: row.consent for scope, row in SCOPES.items()}
"""Scope -> consent text (msgid), for the pages and types that show one."""
