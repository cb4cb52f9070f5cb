"""Every state change: a timeline step, an inbox notice, an SMS for the important ones, an outbox event.

The timeline row, the notice, the SMS (a row in the SMS outbox table that the gateway worker sends) and
the outbox event (backend.outbox: live subscriptions and apps' webhooks are fed from it after the
commit) are all written in the caller's transaction.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

import msgspec
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from backend.applications import payment_notices, texts
from backend.applications.models import Application
from backend.applications.states import SMS_WORTHY, Action, Status
from backend.db import tables as t
from backend.i18n import Catalogs, Locale, said_in
from backend.identity.sms import SmsSender
from backend.outbox.events import EventType, record


class Actor(msgspec.Struct, frozen=True):
    """Who made a change: a citizen, an officer or the system (instant approval)."""

    kind: str
    id: str | None = None
    name: str | None = None

    @classmethod
    def system(cls) -> Actor:
        """The platform itself."""
        return cls("system")


CaseFinished = Callable[[AsyncSession, Application, datetime], Awaitable[None]]
"""What the platform does when an application finishes (办结 or refused), in its transaction: the
composition root makes it rateable (好差评, backend/finished_cases.py); the applications domain does not
know the hall."""

FINISHED = frozenset({Status.COMPLETED, Status.REJECTED})


async def _nothing(_session: AsyncSession, _application: Application, _now: datetime) -> None:
    return None


class Timeline:
    """Writes the steps of applications in one unit of work."""

    def __init__(
        self, session: AsyncSession, sms: SmsSender, messages: Catalogs, on_finished: CaseFinished = _nothing
    ) -> None:
        self._session = session
        self._sms = sms
        self._messages = messages
        self._on_finished = on_finished

    async def record(
        self,
        application: Application,
        action: Action,
        actor: Actor,
        *,
        from_status: str | None,
        matter_name: dict[str, str],
        phone: str | None,
        reason: dict[str, Any] | None = None,
        notify: bool = True,
    ) -> None:
        """The step that brought `application` to its current status; for the citizen, the notice, the
        SMS (when `phone` is given and the status is worth one) and the outbox event (live updates,
        webhooks) when the status changed."""
        now = datetime.now(UTC)
        to_status = application.status
        await self._session.execute(
            t.application_events.insert().values(
                application_id=application.id,
                at=now,
                actor_type=actor.kind,
                actor_id=actor.id,
                actor_name=actor.name,
                action=action.value,
                from_status=from_status,
                to_status=to_status,
                reason=reason,
            )
        )
        if from_status == to_status:
            return
        await self._event(_event_type(from_status, to_status), application, from_status=from_status, action=action)
        if to_status in FINISHED:
            await self._on_finished(self._session, application, now)
        if not notify:
            return
        params = {"reference": application.reference, "matter": matter_name, "status": to_status}
        if reason:
            params["reason"] = reason.get("text", "")
        await self._session.execute(
            t.notifications.insert().values(
                id=str(uuid.uuid4()),
                citizen_id=application.citizen_id,
                application_id=application.id,
                kind="status_changed",
                params=params,
                created_at=now,
                read_at=None,
            )
        )
        if phone and to_status in SMS_WORTHY:
            await self._sms.send(self._session, phone, self._sms_text(application, matter_name))

    async def payment_required(self, application: Application, action: Action) -> None:
        """The outbox event saying the application has fees to pay (its status does not change)."""
        # The caller's copy may predate a decision taken in this transaction (approved at submission).
        status = (
            await self._session.execute(select(t.applications.c.status).where(t.applications.c.id == application.id))
        ).scalar_one()
        current = msgspec.structs.replace(application, status=status)
        await self._event(EventType.APPLICATION_PAYMENT_REQUIRED, current, from_status=status, action=action)

    async def _event(
        self, type: EventType, application: Application, *, from_status: str | None, action: Action
    ) -> None:
        data = {
            "application_id": application.id,
            "reference": application.reference,
            "matter_code": application.matter_code,
            "status": application.status,
            "from_status": from_status,
            "action": action.value,
        }
        await record(self._session, type, citizen_id=application.citizen_id, data=data)

    def _sms_text(self, application: Application, matter_name: dict[str, str]) -> str:
        locale = Locale.ZH_HANS  # SMS in mainland China are sent in Simplified Chinese
        status = self._messages.gettext(locale, texts.STATUS_LABELS[Status(application.status)])
        return self._messages.gettext(
            locale,
            texts.SMS,
            reference=application.reference,
            matter=matter_name.get(locale.value, ""),
            status=status,
        )


def _event_type(from_status: str | None, to_status: str) -> EventType:
    """The outbox event a status change is told as."""
    if from_status is None:  # a new application (a bundle's starts in progress); a supplement is a change
        return EventType.APPLICATION_SUBMITTED
    if to_status == Status.COMPLETED:  # 办结: what the matter issues (if anything) is issued
        return EventType.APPLICATION_ISSUED
    if to_status == Status.REJECTED:
        return EventType.APPLICATION_REFUSED
    return EventType.APPLICATION_STATUS_CHANGED


def render_notice(messages: Catalogs, locale: Locale, params: dict[str, Any], kind: str = "status_changed") -> str:
    """A notice's text in the reader's locale (a status change's, or a money notice's)."""
    if kind in payment_notices.KINDS:
        return payment_notices.render(messages, locale, kind, params)
    matter = params.get("matter") or {}
    name = matter.get(locale.value) or matter.get("zh-Hans", "") if isinstance(matter, dict) else str(matter)
    status = messages.gettext(locale, texts.STATUS_LABELS[Status(params["status"])])
    if params.get("reason"):
        return messages.gettext(
            locale,
            texts.NOTICE_WITH_REASON,
            reference=params["reference"],
            matter=name,
            status=status,
            reason=said_in(params["reason"], locale),
        )
    return messages.gettext(locale, texts.NOTICE, reference=params["reference"], matter=name, status=status)
