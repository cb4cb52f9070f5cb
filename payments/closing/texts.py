"""Every text of closing a person reads (gettext msgids), gathered for the catalogs' check
(backend/messages.py): labels, explanations, the export's titles, and what the API says in words."""

from __future__ import annotations

from payments.closing import audit, exports, resolutions, totals

# What a break's state reads as
BREAK_STATES = {
    "new": "New",
    "persisting": "Still open",
    "resolved": "Resolved",
    "awaiting": "Write-off awaiting a second approval",
}
VERIFIED = "The day is as it was closed, and the platform's signature is valid."
ALTERED = "The signature does not match the record: the record was altered."
CHANGED = "The books of the day no longer give the signed record: something changed after closing."
SETTLED = "Owed to the department {amount}, settled by the clearing instruction."
HELD = "Owed to the department {amount}, held in clearing until the day is cleared."
CLEARED = "Settled: paid to the department, no longer owed to it"
NO_DEPARTMENT = "No department (not matched to an order)"

TEXTS: dict[str, str] = {
    **{f"action.{k}": v for k, v in audit.ACTION_LABELS.items()},
    **{f"resolution.{k}": v for k, v in resolutions.RESOLUTION_LABELS.items()},
    **{f"state.{k}": v for k, v in BREAK_STATES.items()},
    "why.no_order": resolutions.NO_ORDER,
    "why.not_long": resolutions.NOT_LONG,
    "why.not_short": resolutions.NOT_SHORT,
    "channel.closed": resolutions.CHANNEL_CLOSED,
    "channel.not_paid": resolutions.CHANNEL_NOT_PAID,
    **{f"totals.{i}": v for i, v in enumerate(totals.TEXTS)},
    **{f"export.{c.key}": c.title for c in [*exports.TOTALS_COLUMNS, *exports.CLEARING_COLUMNS]},
    "title.totals": exports.TOTALS_TITLE,
    "title.clearing": exports.CLEARING_TITLE,
    "all_agree": exports.ALL_AGREE,
    "verified": VERIFIED,
    "altered": ALTERED,
    "changed": CHANGED,
    "settled": SETTLED,
    "held": HELD,
    "cleared": CLEARED,
    "no_department": NO_DEPARTMENT,
}
