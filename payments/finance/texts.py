"""Every message the finance views and exports show (for the catalogs' completeness check)."""

from __future__ import annotations

from payments.finance import balances, exports, rows
from payments.finance import errors as _errors  # noqa: F401 (registers the error codes' messages with backend.errors)

TEXTS: dict[str, str] = {
    **{f"channel.{name}": label for name, label in rows.CHANNEL_LABELS.items()},
    **{f"kind.{kind}": label for kind, label in balances.KIND_LABELS.items()},
    **{f"side.{side}": label for side, label in balances.SIDE_LABELS.items()},
    **{
        f"meaning.{family}.{n}": text
        for family, meanings in balances.MEANINGS.items()
        for n, text in enumerate(meanings)
    },
    **{f"payments.{c.key}": c.title for c in exports.PAYMENT_COLUMNS},
    **{f"refunds.{c.key}": c.title for c in exports.REFUND_EXPORT_COLUMNS},
    "title.payments": "Payments",
    "title.refunds": "Refunds",
}
