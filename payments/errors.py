"""The payment domain's refusals: a stable code and its parameters (the transport localizes them)."""

from __future__ import annotations

from typing import Any


class PaymentError(Exception):
    """An expected refusal with a stable code (the transport layer localizes it)."""

    def __init__(self, code: str, **params: Any) -> None:
        super().__init__(code)
        self.code = code
        self.params = params
