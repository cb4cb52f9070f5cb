"""Every user-facing message source, so tooling and tests can check the catalogs cover them all."""

from __future__ import annotations

from backend import errors, settings
from backend.applications import payment_notices, validation
from backend.applications import texts as application_texts
from backend.assistant import ratings as assistant_ratings
from backend.catalog import validate
from backend.certificates import texts as certificate_texts
from backend.hall.appointments import errors as appointment_errors
from backend.hall.appointments import notices as appointment_notices
from backend.hall.appointments import texts as appointment_texts
from backend.hall.appointments import visit_errors, visit_texts
from backend.hall.queue import errors as queue_errors
from backend.hall.queue import texts as queue_texts
from backend.hall.ratings import figures as rating_figures
from backend.hall.ratings import levels as rating_levels
from backend.hall.ratings import notices as rating_notices
from backend.hall.ratings import rectification as rating_rectification
from backend.hall.ratings.errors import RatingErrorCode
from backend.identity import logins, oidc, sandbox
from backend.platform import event_labels
from backend.rest import pages
from backend.rules import explain
from backend.webhooks import errors as webhook_errors
from backend.webhooks import labels as webhook_labels
from backend.webhooks import texts as webhook_texts
from payments import orders as payment_orders
from payments import refund_states
from payments.closing import texts as closing_texts
from payments.finance import texts as finance_texts
from payments.reconciliation import errors as reconciliation_errors
from payments.reconciliation import export as reconciliation_export
from payments.reconciliation import labels as reconciliation_labels

SOURCES: dict[str, dict[str, str]] = {
    "backend.errors": dict(errors.MESSAGES),
    "backend.catalog.validate": {code.value: text for code, text in validate.MESSAGES.items()},
    "backend.identity.logins": {"LOGIN_SMS": logins.LOGIN_SMS},
    "backend.identity.oidc": {str(scope): text for scope, text in oidc.SCOPE_DESCRIPTIONS.items()},
    "backend.rest.pages": pages.TEXTS,
    "backend.identity.sandbox": sandbox.LISTING,
    "backend.applications.validation": {p.value: text for p, text in validation.MESSAGES.items()},
    "backend.applications.texts": application_texts.TEXTS,
    "backend.certificates.texts": certificate_texts.TEXTS,
    "backend.applications.payment_notices": payment_notices.TEXTS,
    "backend.rules.explain": explain.TEXTS,
    "payments.orders": {
        **{f"status.{k}": v for k, v in payment_orders.STATUS_LABELS.items()},
        "status.partly_refunded": payment_orders.PARTLY_REFUNDED_LABEL,
    },
    "payments.refund_states": {"in_progress": refund_states.IN_PROGRESS_LABEL},
    "payments.finance": finance_texts.TEXTS,
    "backend.webhooks.errors": {code.value: errors.MESSAGES[code.value] for code in webhook_errors.WebhookErrorCode},
    "backend.webhooks.labels": webhook_labels.TEXTS,
    "backend.webhooks.texts": {reason.value: text for reason, text in webhook_texts.NOTICES.items()},
    "backend.platform.event_labels": event_labels.TEXTS,
    "payments.closing.texts": closing_texts.TEXTS,
    "payments.reconciliation.labels": reconciliation_labels.TEXTS,
    "payments.reconciliation.errors": {
        code.value: errors.MESSAGES[code.value] for code in reconciliation_errors.ReconciliationErrorCode
    },
    "payments.reconciliation.export": {title: title for title in reconciliation_export.TITLES},
    "backend.hall.appointments": {
        **{code.value: text for code, text in appointment_errors.MESSAGES.items()},
        **appointment_texts.TEXTS,
        **appointment_notices.TEXTS,
    },
    "backend.hall.appointments.visit_texts": visit_texts.TEXTS,
    "backend.hall.appointments.visit_errors": {code.value: text for code, text in visit_errors.MESSAGES.items()},
    "backend.hall.queue.errors": {code.value: errors.MESSAGES[code.value] for code in queue_errors.QueueErrorCode},
    "backend.hall.queue.texts": queue_texts.TEXTS,
    "backend.hall.ratings.errors": {code.value: errors.MESSAGES[code.value] for code in RatingErrorCode},
    "backend.hall.ratings.figures": rating_figures.LABELS,
    "backend.hall.ratings.levels": rating_levels.TEXTS,
    "backend.hall.ratings.notices": rating_notices.TEXTS,
    "backend.hall.ratings.rectification": rating_rectification.TEXTS,
    "backend.assistant.ratings": assistant_ratings.TEXTS,
    "backend.settings": {
        text: text for text in (settings.UNKNOWN_SETTINGS, settings.SETTINGS_REFUSED, settings.PRODUCTION_REFUSED)
    },
}


def all_msgids() -> set[str]:
    """The English source text of every message the service can show."""
    return {text for messages in SOURCES.values() for text in messages.values()}
