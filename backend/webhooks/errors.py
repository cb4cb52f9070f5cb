"""Webhooks' error codes: what a developer managing an app's subscriptions may be refused."""

from __future__ import annotations

from enum import StrEnum

from backend.errors import register


class WebhookErrorCode(StrEnum):
    """Why a webhook subscription, its secret or a redelivery was refused."""

    WEBHOOK_URL_INVALID = "WEBHOOK_URL_INVALID"
    WEBHOOK_URL_NOT_PUBLIC = "WEBHOOK_URL_NOT_PUBLIC"
    WEBHOOK_EVENT_TYPE_UNKNOWN = "WEBHOOK_EVENT_TYPE_UNKNOWN"
    WEBHOOK_LIMIT = "WEBHOOK_LIMIT"
    WEBHOOK_OVERLAP_OUT_OF_RANGE = "WEBHOOK_OVERLAP_OUT_OF_RANGE"
    WEBHOOK_NOT_FOUND = "WEBHOOK_NOT_FOUND"
    WEBHOOK_DELIVERY_NOT_FOUND = "WEBHOOK_DELIVERY_NOT_FOUND"
    WEBHOOK_DISABLED = "WEBHOOK_DISABLED"


register(
    {
        WebhookErrorCode.WEBHOOK_URL_INVALID: (
            "Enter the endpoint's full address, starting with https://, at most {max} characters, "
            "without a user name or password in it."
        ),
        WebhookErrorCode.WEBHOOK_URL_NOT_PUBLIC: (
            "Webhooks are sent only to public https endpoints: {host} is not one. Use https and a host "
            "whose addresses are all on the public internet (not private, loopback or link-local)."
        ),
        WebhookErrorCode.WEBHOOK_EVENT_TYPE_UNKNOWN: "{type} is not an event type. The event types are: {known}.",
        WebhookErrorCode.WEBHOOK_LIMIT: "An app may have at most {max} webhook subscriptions: delete one first.",
        WebhookErrorCode.WEBHOOK_OVERLAP_OUT_OF_RANGE: (
            "The old secret may stay valid from 0 to {max} hours after a rotation."
        ),
        WebhookErrorCode.WEBHOOK_NOT_FOUND: "No webhook subscription has the id {id}.",
        WebhookErrorCode.WEBHOOK_DELIVERY_NOT_FOUND: "No webhook delivery has the id {id}.",
        WebhookErrorCode.WEBHOOK_DISABLED: (
            "This subscription is turned off, so nothing is sent to it: turn it on first, then send the delivery again."
        ),
    }
)
