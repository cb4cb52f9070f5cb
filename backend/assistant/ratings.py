"""The assistant takes a 好差评 rating, in two turns of the conversation.

The citizen asks to rate ("我想评价一下", "我要評價", "I'd like to rate a service"): the reply names each
service waiting for their rating, with the five levels as buttons. Tapping one sends its payload, such as
`/rate{"rateable":"<id>","level":"very_dissatisfied"}`, as the next message: the rating is recorded as if
rated in the app (once; a 差评 opens its rectification case), and the reply thanks them and, for a 差评,
says which department answers and by when.

These turns are the backend's, not Rasa's: a rating is a write for the signed-in citizen, and the
assistant never writes (like "apply now", whose draft the backend saves). The overall level the citizen
chose stands for each of the channel's national criteria, which a chat does not ask one by one.
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from typing import TYPE_CHECKING

import msgspec

from backend.applications.workdays import SHANGHAI
from backend.assistant.relay import BotMessage, Button
from backend.catalog.snapshot import CatalogSnapshot
from backend.hall.ratings import rating, rectification
from backend.hall.ratings.levels import BAD, CRITERIA, KIND_LABELS, LEVEL_LABELS, Level
from backend.hall.ratings.models import Rated
from backend.hall.ratings.opening import RatedKind
from backend.i18n import Catalogs, Locale, pick

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from backend.applications.workdays import WorkCalendar

SIGN_IN = "Sign in to rate the services you used."
NONE_PENDING = "No service of yours is waiting for a rating."
PROMPT = "How satisfied were you with “{matter}” ({kind}, finished on {day})?"
THANKS = "Thank you. Your rating of “{matter}” is recorded: {level}."
RECTIFY = "{department} will look into it and answer you by {deadline}; you will see the answer in your ratings."
TEXTS: dict[str, str] = {
    "sign_in": SIGN_IN,
    "none_pending": NONE_PENDING,
    "prompt": PROMPT,
    "thanks": THANKS,
    "rectify": RECTIFY,
}

PROMPTED = 3
"""Services offered in one reply (the latest finished first); the rest wait for the next ask."""

# Short messages only: a longer one that mentions a rating is a question for the assistant.
_ASK = re.compile(
    r"评价|評價|评分|評分|打分|好差评|好差評|\brate (a|the|my|this|your|our)\b|\brating\b|\bfeedback\b", re.IGNORECASE
)
_ASK_LONGEST = {True: 20, False: 40}  # characters, with Chinese in it or not
_CHINESE = re.compile(r"[\u4e00-\u9fff]")
_PAYLOAD = re.compile(r"^/rate(\{.*\})$")


class Ask(msgspec.Struct, frozen=True):
    """The citizen asks to rate."""


class Rate(msgspec.Struct, frozen=True):
    """The citizen tapped a level."""

    rateable_id: str
    level: Level


def read_turn(text: str) -> Ask | Rate | None:
    """A rating turn, or None when the message is for the assistant."""
    text = text.strip()
    payload = _PAYLOAD.match(text)
    if payload is not None:
        try:
            fields = json.loads(payload.group(1))
            return Rate(str(fields["rateable"])[:64], Level(fields["level"]))
        except (ValueError, KeyError, TypeError):
            return None
    if len(text) <= _ASK_LONGEST[bool(_CHINESE.search(text))] and _ASK.search(text):
        return Ask()
    return None


def _payload(rateable_id: str, level: Level) -> str:
    return "/rate" + json.dumps({"rateable": rateable_id, "level": level.value}, separators=(",", ":"))


def _matter(snapshot: CatalogSnapshot, found: Rated, locale: Locale) -> str:
    matter = snapshot.by_code.get(found.matter_code)
    return pick(matter.name, locale) if matter else found.matter_code


async def prompt(
    session: AsyncSession, citizen_id: str, snapshot: CatalogSnapshot, messages: Catalogs, locale: Locale
) -> list[BotMessage]:
    """One message per service waiting for the citizen's rating, with the five levels as buttons."""
    waiting = await rating.mine(session, citizen_id, pending=True, limit=PROMPTED, after=None)
    if not waiting:
        return [BotMessage(messages.gettext(locale, NONE_PENDING), [])]
    buttons = [(level, messages.gettext(locale, LEVEL_LABELS[level])) for level in Level]
    return [
        BotMessage(
            messages.gettext(
                locale,
                PROMPT,
                matter=_matter(snapshot, found, locale),
                kind=messages.gettext(locale, KIND_LABELS[RatedKind(found.kind)]),
                day=found.finished_at.astimezone(SHANGHAI).date().isoformat(),
            ),
            [Button(title, _payload(found.id, level)) for level, title in buttons],
        )
        for found in waiting
    ]


async def take(
    session: AsyncSession,
    citizen_id: str,
    turn: Rate,
    snapshot: CatalogSnapshot,
    messages: Catalogs,
    locale: Locale,
    *,
    now: datetime,
    calendar: WorkCalendar,
    rectification_days: int,
) -> list[BotMessage]:
    """Record the level the citizen tapped (RATING_NOT_FOUND, ALREADY_RATED as in the app) and say so."""
    found = await rating.rated(session, turn.rateable_id)
    kind = RatedKind(found.kind) if found is not None else RatedKind.ONLINE_CASE
    criteria = {criterion.value: turn.level.value for criterion in CRITERIA[kind]}
    done = await rating.rate(
        session,
        citizen_id,
        turn.rateable_id,
        turn.level,
        criteria,
        None,
        now=now,
        calendar=calendar,
        rectification_days=rectification_days,
    )
    level = messages.gettext(locale, LEVEL_LABELS[turn.level])
    said = [BotMessage(messages.gettext(locale, THANKS, matter=_matter(snapshot, done, locale), level=level), [])]
    if turn.level in BAD:
        case = (await rectification.cases_of_ratings(session, [done.id])).get(done.id)
        department = snapshot.departments.get(done.department_code)
        if case is not None:
            name = pick(department.name, locale) if department else done.department_code
            text = messages.gettext(locale, RECTIFY, department=name, deadline=case.deadline.isoformat())
            said.append(BotMessage(text, []))
    return said
