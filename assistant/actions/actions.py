"""The assistant's custom actions: which matter, what it needs, and the citizen's own applications.

Intents say what the citizen wants; these actions resolve WHICH matter through the backend's search,
answer from the catalog in the citizen's locale, and propose matters as suggestions (the backend
turns each code into a title and a deep link that opens the pre-filled form). Every message the
assistant sends comes from here.
"""

from __future__ import annotations

import itertools
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.backend import BackendUnavailableError, Hit, NotSignedInError, backend
from actions.matching import CONFIDENT, asks_about_progress, choose, matter_words
from actions.texts import locale_of, say

QUESTIONS = {"ask_materials": "materials", "ask_fee": "fee", "ask_duration": "duration", "ask_location": "location"}
MAX_FAILURES = 2  # turns in a row without help before handing over to a person
MAX_LISTED = 5
CODE = re.compile(r"[A-Z0-9-]{1,32}")


class Turn:
    """One run of an action: the conversation's locale, the citizen's token, and how to reply."""

    def __init__(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> None:
        self.dispatcher = dispatcher
        self.tracker = tracker
        message = tracker.latest_message or {}
        self.metadata: dict[str, Any] = message.get("metadata") or {}
        self.locale = locale_of(self.metadata)
        self.token: str | None = self.metadata.get("token")
        self.text: str = str(message.get("text") or "")
        self.intent: str = str((message.get("intent") or {}).get("name") or "")
        self.events: list[EventType] = []

    def say(self, key: str, **values: Any) -> str:
        """A text in the conversation's locale."""
        return say(key, self.locale, **values)

    def reply(self, text: str, buttons: list[dict[str, str]] | None = None) -> None:
        """Send a message, with buttons the citizen can tap."""
        self.dispatcher.utter_message(text=text, buttons=buttons or [])

    def suggest(self, hits: list[Hit]) -> None:
        """Matters and bundles the citizen can open, best first (the backend adds titles and links)."""
        self.dispatcher.utter_message(json_message={"suggestions": [{"code": h.code, "kind": h.kind} for h in hits]})

    def remember(self, **slots: Any) -> None:
        """Set slots when the action ends."""
        self.events.extend(SlotSet(name, value) for name, value in slots.items())

    def failed(self, key: str, keep_pending: bool = False) -> None:
        """Say we could not help; the second time in a row, hand over to a person."""
        if not keep_pending:
            self.remember(pending_question=None)
        failures = int(self.tracker.get_slot("failures") or 0) + 1
        if failures >= MAX_FAILURES:
            self.reply(self.say("handoff"))
            self.remember(failures=0)
        else:
            self.reply(self.say(key), [{"title": self.say("button_person"), "payload": "/human_handoff"}])
            self.remember(failures=failures)

    def detail_buttons(self) -> list[dict[str, str]]:
        """The follow-up questions about a matter, as buttons."""
        return [{"title": self.say(f"button_{q}"), "payload": f"/{intent}"} for intent, q in QUESTIONS.items()]

    def offer(self, options: list[Hit], pending: str | None = None) -> None:
        """Ask the citizen to choose among close results (one tap each)."""
        buttons = [{"title": h.name, "payload": f'/choose_matter{{"matter_code":"{h.code}"}}'} for h in options]
        self.reply(self.say("clarify"), buttons)
        self.suggest(options)
        self.remember(pending_question=pending)


async def _detail(hit_or_code: Hit | str, locale: str) -> tuple[str, dict[str, Any] | None]:
    code = hit_or_code if isinstance(hit_or_code, str) else hit_or_code.code
    if code.startswith("LE-"):
        return "bundle", await backend().bundle(code, locale)
    return "matter", await backend().matter(code, locale)


async def _present(turn: Turn, answer: Hit, options: list[Hit]) -> None:
    """Answer with the matter found: what it is, and the card that opens its form."""
    kind, detail = await _detail(answer, turn.locale)
    if detail is None:
        turn.failed("not_found")
        return
    if kind == "bundle":
        text = turn.say("found_bundle", name=detail["name"], count=len(detail["matters"]), summary=detail["summary"])
    else:
        text = turn.say(
            "found", name=detail["name"], department=detail["department"]["name"], summary=detail["summary"]
        )
    turn.reply(f"{text}\n{turn.say('open_form')}", turn.detail_buttons())
    turn.suggest(options)
    turn.remember(matter_code=answer.code, pending_question=None, failures=0)


def _unavailable(turn: Turn) -> list[EventType]:
    turn.reply(turn.say("unavailable"))
    return turn.events


async def _confident_request(turn: Turn) -> bool:
    """Answer a request hidden in a greeting or a misread message ("hi, I lost my ID card")."""
    if not matter_words(turn.text):
        return False
    choice = choose(await backend().search(turn.text, turn.locale))
    if choice.answer is None or choice.answer.score < CONFIDENT:
        return False
    await _present(turn, choice.answer, choice.options)
    return True


async def _find(turn: Turn, failure: str = "not_found") -> list[EventType]:
    """Answer the matter the message describes, offer close ones, or say nothing was found."""
    try:
        choice = choose(await backend().search(turn.text, turn.locale))
        if choice.answer is not None:
            await _present(turn, choice.answer, choice.options)
        elif choice.found:
            turn.offer(choice.options)
        else:
            turn.failed(failure)
    except BackendUnavailableError:
        return _unavailable(turn)
    return turn.events


class ActionFindService(Action):
    """Find the matter or life event the citizen describes."""

    def name(self) -> str:
        return "action_find_service"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        return await _find(Turn(dispatcher, tracker))


def _answer(turn: Turn, question: str, kind: str, detail: dict[str, Any]) -> str:
    """The answer to a question about a matter or a bundle, from the catalog."""
    matters = detail["matters"] if kind == "bundle" else [detail]
    name = detail["name"]
    lines: list[str] = []
    if question == "materials":
        seen: set[str] = set()
        for matter in matters:
            for material in matter["materials"]:
                if material["name"] in seen:
                    continue
                seen.add(material["name"])
                extra = turn.say("material_certificate") if material.get("certificate") else ""
                extra += "" if material["required"] else turn.say("material_optional")
                lines.append(f"{len(lines) + 1}. {material['name']}{extra}")
        if not lines:
            return turn.say("materials_none", name=name)
        note = [detail["sharedMaterialsNote"]] if kind == "bundle" and detail.get("sharedMaterialsNote") else []
        return "\n".join([turn.say("materials_head", name=name), *lines, *note])
    if question == "fee":
        fees = [fee for matter in matters for fee in matter["fees"]]
        if not fees:
            return turn.say("fee_free", name=name)
        lines = [turn.say("fee_line", name=fee["name"], amount=fee["amount"]) for fee in fees]
        return "\n".join([turn.say("fee_head", name=name), *lines, turn.say("fee_pay")])
    if question == "duration":
        if kind == "bundle":
            longest = max((m["promisedDays"] for m in matters), default=0)
            lines = [turn.say("duration_line", name=m["name"], promised=m["promisedDays"]) for m in matters]
            return "\n".join([turn.say("duration_bundle", name=name, count=len(matters), promised=longest), *lines])
        if detail["promisedDays"] == 0:
            text = turn.say("duration_now", name=name)
        else:
            text = turn.say("duration_days", name=name, promised=detail["promisedDays"], legal=detail["legalDays"])
        return f"{text}\n{turn.say('duration_instant')}" if detail["instantApproval"] else text
    # location
    trips = max((m["maxTrips"] for m in matters), default=0)
    if trips == 0:
        return turn.say("online_zero", name=name)
    halls: dict[str, dict[str, Any]] = {}
    for matter in matters:
        for hall in matter["halls"]:
            halls.setdefault(hall["name"], hall)
    lines = [turn.say("trips", name=name, trips=trips)]
    for hall in list(halls.values())[:3]:
        saturday = hall.get("openingHoursSaturday")
        saturday = turn.say("hall_saturday", hours=saturday) if saturday else ""
        lines.append(
            turn.say(
                "hall_line",
                name=hall["name"],
                address=hall["address"],
                weekdays=hall["openingHoursWeekdays"],
                saturday=saturday,
            )
        )
    department = matters[0]["department"]
    lines.append(turn.say("department_phone", department=department["name"], phone=department["phone"]))
    return "\n".join(lines)


async def _answer_about(turn: Turn, question: str, code: str) -> None:
    kind, detail = await _detail(code, turn.locale)
    if detail is None:
        turn.failed("which_matter")
        return
    others = [q for q in QUESTIONS.items() if q[1] != question]
    buttons = [{"title": turn.say(f"button_{q}"), "payload": f"/{intent}"} for intent, q in others]
    turn.reply(_answer(turn, question, kind, detail), buttons)
    turn.suggest([Hit(kind, code, detail["name"], 0.0)])
    turn.remember(matter_code=code, pending_question=None, failures=0)


class ActionAnswerDetail(Action):
    """Materials, fees, time or place of the matter the question names, or of the one discussed."""

    def name(self) -> str:
        return "action_answer_detail"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        turn = Turn(dispatcher, tracker)
        question = QUESTIONS.get(turn.intent, "materials")
        words = "" if turn.text.startswith("/") else matter_words(turn.text)
        code: str | None = tracker.get_slot("matter_code")
        try:
            if words:
                choice = choose(await backend().search(words, turn.locale))
                if not choice.found and code is None:  # the question words carried the matter's name
                    choice = choose(await backend().search(turn.text, turn.locale))
                if choice.answer is not None:
                    code = choice.answer.code
                elif choice.found and (code is None or choice.options[0].score >= CONFIDENT):
                    turn.offer(choice.options, pending=question)
                    return turn.events
            if code is None:
                turn.remember(pending_question=question)
                turn.failed("which_matter", keep_pending=True)
                return turn.events
            await _answer_about(turn, question, code)
        except BackendUnavailableError:
            return _unavailable(turn)
        return turn.events


class ActionChooseMatter(Action):
    """The citizen tapped one of the proposed matters: answer the question they had asked, or present it."""

    def name(self) -> str:
        return "action_choose_matter"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        turn = Turn(dispatcher, tracker)
        code = next(tracker.get_latest_entity_values("matter_code"), None)
        if not isinstance(code, str) or not CODE.fullmatch(code):  # a payload anyone can type: only codes pass
            turn.failed("which_matter")
            return turn.events
        try:
            pending = tracker.get_slot("pending_question")
            if pending:
                await _answer_about(turn, pending, code)
            else:
                kind = "bundle" if code.startswith("LE-") else "matter"
                await _present(turn, Hit(kind, code, code, 0.0), [Hit(kind, code, code, 0.0)])
        except BackendUnavailableError:
            return _unavailable(turn)
        return turn.events


def _to_pay(node: dict[str, Any]) -> bool:
    try:
        return Decimal(str(node.get("amountToPay") or "0")) > 0
    except InvalidOperation:
        return False


def _tokens(text: str) -> set[str]:
    """Character pairs of Chinese and words of four letters or more: what two texts can share."""
    pairs = {a + b for run in re.findall(r"[\u4e00-\u9fff]+", text) for a, b in itertools.pairwise(run)}
    return pairs | {w.lower() for w in re.findall(r"[A-Za-z]{4,}", text)}


def _about(nodes: list[dict[str, Any]], words: str) -> list[dict[str, Any]]:
    """The applications whose matter or bundle the words name."""
    wanted = _tokens(words)
    return [n for n in nodes if wanted & _tokens(_application_name(n))]


def _application_name(node: dict[str, Any]) -> str:
    return str((node.get("bundle") or node.get("matter") or {}).get("name") or node["reference"])


def _progress_words(turn: Turn) -> tuple[bool, str]:
    """(does the message speak of progress?, the words that may name a matter)."""
    if turn.text.startswith("/"):
        return True, ""
    return asks_about_progress(turn.text), matter_words(turn.text)


async def _mine(turn: Turn, first: int, progress: bool, words: str) -> dict[str, Any] | None:
    """The signed-in citizen's latest applications; None when the turn was answered otherwise."""
    try:
        return await backend().my_applications(turn.token, turn.locale, first=first)
    except NotSignedInError:
        if words and not progress:
            await _find(turn)  # a situation told in the first person, not a question of progress
        else:
            turn.reply(turn.say("sign_in"))
    except BackendUnavailableError:
        _unavailable(turn)
    return None


class ActionCheckProgress(Action):
    """Where the signed-in citizen's applications are: state, deadline, what is due."""

    def name(self) -> str:
        return "action_check_progress"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        turn = Turn(dispatcher, tracker)
        progress, words = _progress_words(turn)
        found = await _mine(turn, MAX_LISTED, progress, words)
        if found is None:
            return turn.events
        nodes = [edge["node"] for edge in found["edges"]]
        named = _about(nodes, words) if words else []
        if not progress and words and not named:
            return await _find(turn)  # names a matter the citizen has not applied for: find it
        if not nodes:
            turn.reply(turn.say("no_applications"))
            return turn.events
        lines = [turn.say("applications_head")]
        for node in named + [n for n in nodes if n not in named]:  # the one asked about first
            line = turn.say(
                "application_line",
                name=_application_name(node),
                reference=node["reference"],
                status=node["statusLabel"],
            )
            if node.get("deadline") and node["status"] not in ("APPROVED", "COMPLETED", "REJECTED", "WITHDRAWN"):
                line += turn.say("application_deadline", deadline=node["deadline"])
                if node.get("deadlineProvisional"):
                    line += turn.say("application_deadline_provisional")
                if node.get("overdue"):
                    line += turn.say("application_overdue")
            if _to_pay(node):
                line += turn.say("application_fee_due", amount=node["amountToPay"])
            lines.append(line)
        if found.get("hasNextPage"):
            lines.append(turn.say("applications_more"))
        turn.reply("\n".join(lines))
        turn.remember(failures=0)
        return turn.events


class ActionPay(Action):
    """What the signed-in citizen has to pay, and how; paying FOR a service ("自己交社保") finds the service."""

    def name(self) -> str:
        return "action_pay"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        turn = Turn(dispatcher, tracker)
        progress, words = _progress_words(turn)
        found = await _mine(turn, 20, progress, words)
        if found is None:
            return turn.events
        due = [e["node"] for e in found["edges"] if _to_pay(e["node"])]
        if not due and words and not progress:
            return await _find(turn)
        if not due:
            turn.reply(turn.say("nothing_to_pay"))
        else:
            lines = [
                turn.say("to_pay_line", name=_application_name(n), reference=n["reference"], amount=n["amountToPay"])
                for n in due
            ]
            turn.reply("\n".join([turn.say("to_pay_head"), *lines]))
        turn.remember(failures=0)
        return turn.events


class ActionHandoff(Action):
    """Hand over to a person (the 12345 hotline), on request."""

    def name(self) -> str:
        return "action_handoff"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        turn = Turn(dispatcher, tracker)
        turn.reply(turn.say("handoff"))
        turn.remember(failures=0)
        return turn.events


class ActionCannotHelp(Action):
    """Out of scope or not understood: say what the assistant can do; the second time, a person."""

    def name(self) -> str:
        return "action_cannot_help"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        turn = Turn(dispatcher, tracker)
        if turn.intent != "out_of_scope" and matter_words(turn.text):
            return await _find(turn, failure="cannot_help")  # not understood: the search may still know it
        try:
            if await _confident_request(turn):
                return turn.events
        except BackendUnavailableError:
            return _unavailable(turn)
        turn.failed("cannot_help")
        return turn.events


class ActionSmallTalk(Action):
    """Greetings, thanks, goodbyes, yes and no; a request inside a greeting is answered as a request."""

    def name(self) -> str:
        return "action_small_talk"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        turn = Turn(dispatcher, tracker)
        if turn.intent == "greet":
            try:
                if await _confident_request(turn):
                    return turn.events
            except BackendUnavailableError:
                pass  # a greeting is answered all the same
        key = turn.intent if turn.intent in ("greet", "goodbye", "thanks", "affirm", "deny") else "greet"
        turn.reply(turn.say(key))
        return turn.events
