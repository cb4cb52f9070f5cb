"""Fees before outputs: nothing whose order is still open issues its certificates.

An instantly approved matter (秒批) with fees is decided at submission and waits, approved, for its
order: the certificate is issued in the transaction that credits the payment (payments calls
`paid` through its `PaymentEvents` seam, backend/payment_events.py). An officer's ISSUE on an
application whose order is open is refused with ORDER_UNPAID. The citizen is asked to pay (how much,
how, by when) at submission; an order left unpaid that long is closed and the application withdrawn
(`expired`). A refused application's payment goes back (`refund_refusal`), and every refund is told
to the citizen (`refunded`).
"""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any

from backend.applications.applicants import Applicants
from backend.applications.approval import InstantApproval
from backend.applications.bundles import Bundles
from backend.applications.models import Application
from backend.applications.payment_notices import (
    PAYMENT_DUE,
    REFUND_ARRIVES_WITHIN_WORKING_DAYS,
    REFUNDED,
    SMS,
    WITHDRAWN_UNPAID,
    localized,
)
from backend.applications.reads import Reads
from backend.applications.states import FINAL, Action, Status
from backend.applications.targets import Targets
from backend.applications.timeline import Actor
from backend.applications.unit import Unit
from backend.applications.unpaid import fees_unpaid, order_of
from backend.applications.workdays import shanghai_date
from backend.applications.writes import update_versioned
from backend.db import tables as t
from backend.i18n import Locale
from payments.automatic_refunds import refund_refused
from payments.events import RefundCause
from payments.money import to_yuan
from payments.orders import Order, OrderStatus

REFUSED_REFUND_REASON = "不予批准，已缴费用原路退回"


class PaymentNotices:
    """Writes money notices (and their SMS) in the unit's transaction."""

    def __init__(self, unit: Unit) -> None:
        self._unit = unit

    async def send(
        self,
        kind: str,
        citizen_id: str,
        application_id: str | None,
        phone: str | None,
        **params: Any,
    ) -> None:
        """The inbox notice, and the SMS when the citizen has a phone."""
        stored = {k: v.isoformat() if isinstance(v, date) else v for k, v in params.items()}
        await self._unit.session.execute(
            t.notifications.insert().values(
                id=str(uuid.uuid4()),
                citizen_id=citizen_id,
                application_id=application_id,
                kind=kind,
                params=stored,
                created_at=self._unit.now(),
                read_at=None,
            )
        )
        if phone:
            messages = self._unit.deps.messages
            locale = Locale.ZH_HANS  # SMS in mainland China are sent in Simplified Chinese
            body = messages.gettext(locale, SMS[kind], **localized(messages, locale, stored))
            await self._unit.deps.sms.send(self._unit.session, phone, body)


def decided_by_rule(application: Application) -> bool:
    """Approved by its instant-approval rule (not by an officer): the platform issues its outputs."""
    decision = application.decision or {}
    return bool(decision.get("approved")) and not decision.get("corrected")


class Fees:
    """An application's fees and what waits for them."""

    def __init__(
        self,
        unit: Unit,
        reads: Reads,
        applicants: Applicants,
        targets: Targets,
        approval: InstantApproval,
        bundles: Bundles,
    ) -> None:
        self._unit = unit
        self._reads = reads
        self._applicants = applicants
        self._targets = targets
        self._approval = approval
        self._bundles = bundles
        self._notices = PaymentNotices(unit)

    async def unpaid(self, application: Application) -> bool:
        """Whether the application's fees are still to be paid."""
        return await fees_unpaid(self._unit.session, application)

    async def ask_to_pay(self, head: Application, phone: str | None) -> None:
        """Tell the citizen what to pay, how, and by when (nothing when there is nothing to pay)."""
        order = await order_of(self._unit.session, head)
        if order is None or order.status is not OrderStatus.OPEN:
            return
        due = shanghai_date(order.created_at + timedelta(days=self._unit.deps.payment_days))
        await self._unit.timeline.payment_required(head, Action.SUBMIT)  # asked when it is submitted
        await self._notices.send(
            PAYMENT_DUE,
            head.citizen_id,
            head.id,
            phone,
            reference=head.reference,
            matter=self._unit.name_of(head),
            amount=to_yuan(order.total_fen),
            due=due,
        )

    async def paid(self, order: Order) -> None:
        """The order was just credited: issue the outputs of the matters approved by rule that waited for
        it; a bundle's items refused meanwhile get their part refunded."""
        head = await self._reads.get(order.application_id) if order.application_id else None
        if head is None:
            return
        bundle = head.kind == "bundle"
        for item in await self._reads.items(head.id) if bundle else [head]:
            if bundle and item.status == Status.REJECTED:
                await refund_refused(self._unit.session, head.id, item.matter_code, REFUSED_REFUND_REASON)
            elif item.status == Status.APPROVED and not self._has_outputs(item):
                await self._complete(item)  # approved with nothing to issue: the payment was all it waited for
            elif item.status == Status.APPROVED and decided_by_rule(item):
                await self._issue(item)
        if bundle:
            await self._bundles.refresh(head.id)

    async def refund_refusal(self, application: Application) -> str | None:
        """A refused application (or bundle item) that was paid: reserve the refund of its part; the
        order's id, for the caller to have the channel asked once the refusal is committed."""
        if application.parent_id:
            return await refund_refused(
                self._unit.session, application.parent_id, application.matter_code, REFUSED_REFUND_REASON
            )
        return await refund_refused(self._unit.session, application.id, None, REFUSED_REFUND_REASON)

    async def refunded(self, order: Order, amount_fen: int, cause: RefundCause) -> None:
        """Tell the payer what is refunded, why, and by when it arrives (inbox and SMS)."""
        head = await self._reads.get(order.application_id) if order.application_id else None
        arrives_by = self._unit.calendar.add_working_days(
            shanghai_date(self._unit.now()), REFUND_ARRIVES_WITHIN_WORKING_DAYS
        )
        await self._notices.send(
            REFUNDED,
            order.citizen_id,
            head.id if head else None,
            await self._applicants.phone_of(order.citizen_id),
            reference=head.reference if head else order.out_trade_no,
            matter=self._unit.name_of(head) if head else {"zh-Hans": order.subject},
            amount=to_yuan(amount_fen),
            cause=cause,
            arrives_by=arrives_by,
            channel=order.channel or "alipay",  # the refund goes back the way the money came
        )

    async def expired(self, order: Order, days: int) -> None:
        """The order was left unpaid `days` days and closed: withdraw what of its application is not
        final yet, and tell the citizen. An application already final only loses its order."""
        head = await self._reads.get(order.application_id) if order.application_id else None
        if head is None or head.status in FINAL:
            return
        items = await self._reads.items(head.id) if head.kind == "bundle" else []
        for application in [*items, head]:
            if application.status in FINAL:
                continue
            # one notice for the whole application, below
            await self._move(application, Status.WITHDRAWN, Action.WITHDRAW, phone=None, notify=False)
        await self._notices.send(
            WITHDRAWN_UNPAID,
            head.citizen_id,
            head.id,
            await self._applicants.phone_of(head.citizen_id),
            reference=head.reference,
            matter=self._unit.name_of(head),
            amount=to_yuan(order.total_fen),
            days=days,
        )

    def _has_outputs(self, application: Application) -> bool:
        return bool(self._unit.snapshot.by_code[application.matter_code or ""].outputs)

    async def _complete(self, application: Application) -> None:
        phone = await self._applicants.phone_of(application.citizen_id)
        await self._move(application, Status.COMPLETED, Action.PAID_COMPLETE, phone=phone)

    async def _move(
        self, application: Application, status: Status, action: Action, *, phone: str | None, notify: bool = True
    ) -> None:
        """The system moves the application to `status`, recorded on its timeline as `action`."""
        moved = await update_versioned(
            self._unit.session, application, field="applicationId", status=status.value, updated_at=self._unit.now()
        )
        await self._unit.timeline.record(
            moved,
            action,
            Actor.system(),
            from_status=application.status,
            matter_name=self._unit.name_of(application),
            phone=phone,
            notify=notify,
        )

    async def _issue(self, application: Application) -> None:
        spec = await self._targets.spec(application.matter_code or "")
        profile, phone = await self._applicants.profile(application.citizen_id)
        today = shanghai_date(self._unit.now())
        certificates = await self._unit.certificates.holder_certificates(profile.id_number, today)
        completed = await self._approval.issue_outputs(spec, application, profile, certificates, today)
        await self._unit.timeline.record(
            completed,
            Action.ISSUE,
            Actor.system(),
            from_status=Status.APPROVED,
            matter_name=self._unit.name_of(completed),
            phone=phone,
        )
