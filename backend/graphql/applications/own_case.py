"""What an applicant asks about their own case beyond its status: which fields and materials a step's
reason names (by their labels), and what came back of the fees paid for it."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import strawberry

from backend.graphql.context import Info
from backend.i18n import pick_text
from payments.money import yuan
from payments.refund_states import RefundState


@strawberry.type(
    description="Money given back for an application's fees: its own state, readable with applications:read "
    "(no payer, no order numbers; the orders themselves need the payments scope)."
)
class ApplicationRefund:
    amount: Decimal = strawberry.field(description="Yuan refunded or being refunded, in all.")
    refunded: Decimal = strawberry.field(description="Yuan already given back.")
    in_progress: bool = strawberry.field(description="Whether some of it is not back yet.")
    status_label: str
    requested_at: datetime = strawberry.field(description="When the latest refund was asked for.")
    refunded_at: datetime | None = strawberry.field(description="When it all came back (null while in progress).")

    @staticmethod
    def build(state: RefundState, info: Info) -> ApplicationRefund:
        """In the reader's language."""
        return ApplicationRefund(
            amount=yuan(state.amount_fen),
            refunded=yuan(state.refunded_fen),
            in_progress=state.in_progress,
            status_label=info.context.gettext(state.label),
            requested_at=state.requested_at,
            refunded_at=state.refunded_at,
        )


async def reason_labels(info: Info, matter_code: str | None, keys: list[str]) -> list[str]:
    """The labels of the form fields and materials a reason names, in the reader's language (a key the
    matter no longer has is left out rather than shown as a code)."""
    if not keys or not matter_code:
        return []
    details = await info.context.loaders.matter_details.load(matter_code)
    if details is None:
        return []
    locale = info.context.locale
    labels = {f.key: pick_text(f.label, locale) for f in details.form}
    labels |= {m.key: pick_text(m.name, locale) for m in details.materials if m.key not in labels}
    return [labels[key] for key in keys if key in labels]
