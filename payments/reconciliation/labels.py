"""English source texts (gettext msgids) of what finance staff read about reconciliation: a break's
kind, status, priority and resolution, a run's verdict and why it is incomplete, the channels."""

from __future__ import annotations

KIND_LABELS: dict[str, str] = {
    "channel_only": "Long (长款): in the channel's bill, not in our books",
    "platform_only": "Short (短款): in our books, not in the channel's bill",
    "amount_mismatch": "Amounts differ between the bill and our books",
    "fee_difference": "The fee booked differs from the bill's",
}
STATUS_LABELS: dict[str, str] = {
    "new": "New",
    "persisting": "Still open: found again by a later run",
    "resolved": "Resolved",
}
PRIORITY_LABELS: dict[str, str] = {
    "P1": "P1 urgent",
    "P2": "P2 high",
    "P3": "P3 normal",
    "P4": "P4 low",
}
RESOLUTION_LABELS: dict[str, str] = {
    "settled": "Settled: a later run found it in order",
    "credit": "Credited from the channel's answer",
    "refund": "Refunded",
    "write_off": "Written off",
    "accepted": "Accepted with a note",
}
VERDICT_LABELS: dict[str, str] = {
    "running": "Running",
    "reconciled": "Reconciled: the bill and the books agree",
    "breaks": "Breaks to resolve",
    "incomplete": "Incomplete",
}
REASONS: dict[str, str] = {
    "bill_not_ready": (
        "The channel has no bill for {day} yet: it is usually ready after 10:00 the day after. Try again later."
    ),
    "channel_unavailable": "The channel's bill for {day} could not be downloaded ({detail}). Try again later.",
}
"""Why a run is incomplete (reconciliation_runs.reason is `code` or `code:detail`)."""
ENTRY_KINDS: dict[str, str] = {"payment": "Payment", "refund": "Refund", "fee": "Fee"}
CHANNELS: dict[str, str] = {"alipay": "Alipay", "wechatpay": "WeChat Pay"}
CONTINUITY_BROKEN = (
    "The open breaks do not add up: {before} open before + {opened} opened - {closed} closed is not {after}."
)

TEXTS: dict[str, str] = {
    **{f"kind.{k}": v for k, v in KIND_LABELS.items()},
    **{f"status.{k}": v for k, v in STATUS_LABELS.items()},
    **{f"priority.{k}": v for k, v in PRIORITY_LABELS.items()},
    **{f"resolution.{k}": v for k, v in RESOLUTION_LABELS.items()},
    **{f"verdict.{k}": v for k, v in VERDICT_LABELS.items()},
    **{f"reason.{k}": v for k, v in REASONS.items()},
    **{f"entry.{k}": v for k, v in ENTRY_KINDS.items()},
    **{f"channel.{k}": v for k, v in CHANNELS.items()},
    "continuity": CONTINUITY_BROKEN,
}


def reason_parts(reason: str | None) -> tuple[str, str]:
    """A stored reason `code[:detail]` as (code, detail)."""
    code, _, detail = (reason or "").partition(":")
    return code, detail
