"""Every state change: a timeline step, an inbox notice, an SMS for the important ones, a live update.

The timeline row, the notice and the SMS (a row in the SMS outbox table that the gateway worker
sends) are written in the caller's transaction; live updates are published on Redis only after
it commits, so a subscriber never hears of a change that was rolled back.
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from typing import Any

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from backend.applications import texts
from backend.applications.states import SMS_WORTHY, Action, Status
from backend.db import tables as t
from backend.i18n import Catalogs, Locale
from backend.identity.sms import SmsSender

log = structlog.get_logger(__name__)


def channel(citizen_id: str) -> str:
    """The Redis channel a citizen's live updates travel on."""
    return f"applications:{citizen_id}"


class Actor:
    """Who made a change: a citizen, an officer or the system (instant approval)."""

    def __init__(self, kind: str, actor_id: str | None = None, name: str | None = None) -> None:
        self.kind, self.id, self.name = kind, actor_id, name

    @classmethod
    def system(cls) -> Actor:
        """The platform itself."""
        return cls("system")


class Events:
    """Collects the side effects of one unit of work; `publish` runs after the commit."""

    def __init__(self, session: AsyncSession, sms: SmsSender, messages: Catalogs) -> None:
        self._session = session
        self._sms = sms
        self._messages = messages
        self._pending: list[tuple[str, dict[str, Any]]] = []

    async def record(
        self,
        *,
        application: dict[str, Any],
        action: Action,
        actor: Actor,
        from_status: str | None,
        to_status: str,
        matter_name: dict[str, str],
        phone: str | None,
        reason: dict[str, Any] | None = None,
        notify: bool = True,
    ) -> None:
        """Write the timeline step and, for the citizen, the notice, the SMS and the live update."""
        now = datetime.now(UTC)
        await self._session.execute(
            t.application_events.insert().values(
                application_id=application["id"], at=now, actor_type=actor.kind, actor_id=actor.id,
                actor_name=actor.name, action=action.value, from_status=from_status, to_status=to_status,
                reason=reason,
            )
        )  # fmt: skip
        citizen_id = application["citizen_id"]
        self._pending.append(
            (channel(citizen_id), {"application_id": application["id"], "status": to_status, "action": action.value})
        )
        if not notify or from_status == to_status:
            return
        params = {"reference": application["reference"], "matter": matter_name, "status": to_status}
        if reason:
            params["reason"] = reason.get("text", "")
        await self._session.execute(
            t.notifications.insert().values(
                id=str(uuid.uuid4()), citizen_id=citizen_id, application_id=application["id"], kind="status_changed",
                params=params, created_at=now, read_at=None,
            )
        )  # fmt: skip
        if phone and to_status in SMS_WORTHY:
            # SMS in mainland China are sent in Simplified Chinese.
            locale = Locale.ZH_HANS
            status = self._messages.gettext(locale, texts.STATUS_LABELS[Status(to_status)])
            body = self._messages.gettext(
                locale, texts.SMS, reference=application["reference"], matter=matter_name.get(locale.value, ""),
                status=status,
            )  # fmt: skip
            await self._sms.send(self._session, phone, body)

    def discard(self) -> None:
        """Forget the updates of a unit of work that rolled back."""
        self._pending.clear()

    async def publish(self, redis: Any) -> None:
        """Announce the committed changes to live subscribers (best effort: the inbox has them anyway)."""
        pending, self._pending = self._pending, []
        for name, message in pending:
            try:
                await redis.publish(name, json.dumps(message))
            except Exception:  # Redis down must not fail a committed change; the inbox has it
                log.warning("live update not published", channel=name, exc_info=True)


def render_notice(messages: Catalogs, locale: Locale, params: dict[str, Any]) -> str:
    """A notice's text in the reader's locale."""
    matter = params.get("matter") or {}
    name = matter.get(locale.value) or matter.get("zh-Hans", "") if isinstance(matter, dict) else str(matter)
    status = messages.gettext(locale, texts.STATUS_LABELS[Status(params["status"])])
    if params.get("reason"):
        return messages.gettext(
            locale, texts.NOTICE_WITH_REASON, reference=params["reference"], matter=name, status=status,
            reason=params["reason"],
        )  # fmt: skip
    return messages.gettext(locale, texts.NOTICE, reference=params["reference"], matter=name, status=status)
