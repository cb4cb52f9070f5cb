"""Payments' error codes and its domain error (the transport localizes them like any other)."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from backend.errors import DomainError, NotFoundError, register


class PaymentErrorCode(StrEnum):
    """Why a payment, a refund or a reconciliation request was refused."""

    ORDER_NOT_PAYABLE = "ORDER_NOT_PAYABLE"
    CHANNEL_UNAVAILABLE = "CHANNEL_UNAVAILABLE"
    IDEMPOTENCY_KEY_REUSED = "IDEMPOTENCY_KEY_REUSED"
    REQUEST_IN_PROGRESS = "REQUEST_IN_PROGRESS"
    ORDER_NOT_REFUNDABLE = "ORDER_NOT_REFUNDABLE"
    REFUND_EXCEEDS_SHARE = "REFUND_EXCEEDS_SHARE"
    CHANNEL_REFUSED = "CHANNEL_REFUSED"
    METHOD_NOT_OFFERED = "METHOD_NOT_OFFERED"
    PAYER_OPENID_REQUIRED = "PAYER_OPENID_REQUIRED"
    REFUND_PROCESSING = "REFUND_PROCESSING"


register(
    {
        PaymentErrorCode.ORDER_NOT_PAYABLE: "This order cannot be paid: it is {status}.",
        PaymentErrorCode.CHANNEL_UNAVAILABLE: (
            "The payment service cannot be reached right now. Please try again in a moment."
        ),
        PaymentErrorCode.IDEMPOTENCY_KEY_REUSED: "This request key was already used for a different request.",
        PaymentErrorCode.REQUEST_IN_PROGRESS: (
            "The same request is still being processed. Check its result in a moment."
        ),
        PaymentErrorCode.ORDER_NOT_REFUNDABLE: "Only a paid order can be refunded (this one is {status}).",
        PaymentErrorCode.REFUND_EXCEEDS_SHARE: (
            "The refund is more than the department's remaining share ({available} yuan)."
        ),
        PaymentErrorCode.CHANNEL_REFUSED: "The payment channel refused the refund ({detail}).",
        PaymentErrorCode.METHOD_NOT_OFFERED: (
            "This way of paying is not offered by the chosen payment service. Choose one of: {methods}."
        ),
        PaymentErrorCode.PAYER_OPENID_REQUIRED: (
            "Paying inside WeChat needs the payer's WeChat identity (payerOpenid) from the mini-program."
        ),
        PaymentErrorCode.REFUND_PROCESSING: (
            "The payment service accepted the refund and is processing it. It is booked as soon as it confirms."
        ),
    }
)


class PaymentError(DomainError):
    """A payment refusal: a PaymentErrorCode and its parameters."""

    def __init__(self, code: PaymentErrorCode, *, field: str | None = None, **params: Any) -> None:
        super().__init__(code, field=field, **params)


__all__ = ["NotFoundError", "PaymentError", "PaymentErrorCode"]
