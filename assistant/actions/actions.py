"""The assistant's one action: read the message, keep the conversation's state, answer.

Every intent leads here. The model's intent is one reading of the message; the word lists of
reading.py are another, and they decide where a wrong guess would break the conversation: a
follow-up that names no matter stays on the matter in hand, a question asked while choices are shown
is kept until the citizen chooses, "apply now" saves a draft, own-case questions read the citizen's
applications, and a vague word gets choices instead of a guess. WHICH matter is always the
backend's search. The state lives in slots: the matter or bundle in hand (`matter_code`), the choices
on screen (`offered`), the question waiting for a choice (`pending_question`), the form facts the
citizen told (`facts`), and the turns without help (`failures`).
"""

from __future__ import annotations

import re
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import cases
from actions.answers import answer
from actions.backend import BackendUnavailableError, Hit, NotSignedInError, backend
from actions.matching import CONFIDENT, PLAUSIBLE, choose, share_words
from actions.reading import ALL_STEPS, FOLLOW_UP_TOPICS, GENERIC, Reading, read
from actions.texts import locale_of, say

QUESTIONS = {"ask_materials": "materials", "ask_fee": "fee", "ask_duration": "duration", "ask_location": "location"}
BUTTONS = ("materials", "fee", "duration", "location")
SMALL_TALK = ("greet", "goodbye", "thanks", "affirm", "deny")
SURE = 2 * CONFIDENT  # a result this strong names a matter even in words not of its name
LIKELY = 1.6 * CONFIDENT  # close results this strong are worth asking about ("驾照": which licence?)
MAX_FAILURES = 2  # turns in a row without help before handing over to a person
MAX_LISTED = 5
CODE = re.compile(r"[A-Z0-9-]{1,32}")
# A question about the thing in hand rather than a new request ("那个要预约吗", "can my wife do it?").
QUESTION = re.compile(r"[?？]|[吗嗎呢咩冇未嘛]\s*$|^\s*(can|could|do|does|is|are|will|should|what|how|and)\b", re.I)


class Turn:
    """One message: its words, the conversation's state, and the reply being built."""

    def __init__(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> None:
        self.dispatcher = dispatcher
        self.tracker = tracker
        message = tracker.latest_message or {}
        metadata: dict[str, Any] = message.get("metadata") or {}
        self.locale = locale_of(metadata)
        self.token: str | None = metadata.get("token")
        self.text: str = str(message.get("text") or "").strip()
        self.intent: str = str((message.get("intent") or {}).get("name") or "")
        self.payload = self.text.startswith("/")
        self.subject: str | None = tracker.get_slot("matter_code")
        self.offered: list[Hit] = [
            Hit(str(o.get("kind")), str(o.get("code")), str(o.get("name")), 0.0)
            for o in tracker.get_slot("offered") or []
            if isinstance(o, dict) and o.get("code")
        ]
        self.pending: str | None = tracker.get_slot("pending_question")
        self.facts: dict[str, str] = dict(tracker.get_slot("facts") or {})
        self.new_facts: dict[str, str] = {}  # told in this message
        self.offered_for: str = str(tracker.get_slot("offered_for") or "")
        self.reasked = bool(tracker.get_slot("reasked"))
        self.events: list[EventType] = []
        self._details: dict[str, dict[str, Any] | None] = {}

    async def detail(self, code: str) -> dict[str, Any] | None:
        """A matter's or bundle's facts, asked of the backend once per message however often needed."""
        if code not in self._details:
            fetch = backend().bundle if _kind(code) == "bundle" else backend().matter
            self._details[code] = await fetch(code, self.locale)
        return self._details[code]

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

    def settle(self, code: str) -> None:
        """The conversation is now about this matter or bundle; nothing is waiting. The facts told
        about another matter do not follow to this one."""
        if self.subject and code != self.subject:
            self.facts = dict(self.new_facts)
            self.remember(facts=self.facts or None)
        self.remember(matter_code=code, offered=None, offered_for=None, pending_question=None, reasked=None, failures=0)

    def failed(self, key: str) -> None:
        """Say we could not help; the second time in a row, hand over to a person."""
        failures = int(self.tracker.get_slot("failures") or 0) + 1
        if failures >= MAX_FAILURES:
            self.reply(self.say("handoff"))
            self.remember(failures=0)
        else:
            self.reply(self.say(key), [{"title": self.say("button_person"), "payload": "/human_handoff"}])
            self.remember(failures=failures)

    def buttons(self, asked: tuple[str, ...] = ()) -> list[dict[str, str]]:
        """The next questions about the matter in hand, as buttons."""
        topics = [t for t in BUTTONS if t not in asked]
        made = [{"title": self.say(f"button_{t}"), "payload": f"/ask_{t}"} for t in topics]
        return [*made, {"title": self.say("button_apply"), "payload": "/apply_now"}]

    def choice_buttons(self, options: list[Hit]) -> list[dict[str, str]]:
        """One button per matter or bundle: tapping it sends its code."""
        return [{"title": h.name, "payload": f'/choose_matter{{"matter_code":"{h.code}"}}'} for h in options]

    def keep_choices(self, options: list[Hit], pending: str | None) -> None:
        """Remember the choices on screen and the question waiting for one."""
        self.remember(
            offered=[{"kind": h.kind, "code": h.code, "name": h.name} for h in options], pending_question=pending
        )

    def offer(self, options: list[Hit], pending: str | None, intro: str = "clarify", again: bool = False) -> None:
        """Ask the citizen to choose (one tap each), keeping the question they asked for the choice."""
        self.reply(self.say(intro), self.choice_buttons(options))
        self.suggest(options)
        self.keep_choices(options, pending)
        self.remember(reasked=again)
        if not self.payload:
            self.remember(offered_for=self.text)


def _kind(code: str) -> str:
    return "bundle" if code.startswith("LE-") else "matter"


async def present(turn: Turn, code: str, options: list[Hit] | None = None) -> None:
    """Answer with the matter or bundle found: what it is, and the card that opens its form."""
    detail = await turn.detail(code)
    if detail is None:
        turn.failed("not_found")
        return
    if _kind(code) == "bundle":
        text = turn.say("found_bundle", name=detail["name"], count=len(detail["matters"]), summary=detail["summary"])
    else:
        text = turn.say(
            "found", name=detail["name"], department=detail["department"]["name"], summary=detail["summary"]
        )
    turn.reply(f"{text}\n{turn.say('open_form')}", turn.buttons())
    turn.suggest(options or [Hit(_kind(code), code, detail["name"], 0.0)])
    turn.settle(code)


async def answer_about(turn: Turn, questions: tuple[str, ...], code: str, others: list[Hit] | None = None) -> None:
    """Answer follow-up questions about one matter or bundle; with `others`, say it is the likeliest of
    the choices and show the others as buttons."""
    detail = await turn.detail(code)
    if detail is None:
        turn.failed("which_matter")
        return
    texts = [answer(turn.say, question, _kind(code), detail) for question in questions]
    if others:
        texts.insert(0, turn.say("assumed", name=detail["name"]))
    buttons = turn.choice_buttons(others) if others else turn.buttons(questions)
    turn.reply("\n\n".join(texts), buttons)
    turn.suggest([Hit(_kind(code), code, detail["name"], 0.0), *(others or [])])
    turn.settle(code)  # the others stay as buttons; the conversation is on this one now


async def apply_now(turn: Turn, code: str) -> None:
    """Save a pre-filled draft of the matter or bundle (signed in), or ask to sign in first."""
    detail = await turn.detail(code)
    if detail is None:
        turn.failed("which_matter")
        return
    hit = Hit(_kind(code), code, detail["name"], 0.0)
    if not turn.token:
        turn.reply(turn.say("sign_in_to_apply", name=detail["name"]))
        turn.suggest([hit])
        turn.settle(code)
        return
    # The backend saves the draft for the signed-in citizen (merged with one they may have) and adds
    # its link to the reply; nothing is submitted from the chat.
    turn.dispatcher.utter_message(json_message={"draft": {"kind": hit.kind, "code": code, "values": turn.facts}})
    turn.reply(turn.say("draft_saved", name=detail["name"]), turn.buttons())
    turn.suggest([hit])
    turn.settle(code)


STEPS_LEADING = 3  # this many of its own steps ranked above a life event: the situation is the event
LIFE_EVENT_SHARE = 0.75  # a life event this close to its own leading step is what the situation is about


async def _bundle_first(turn: Turn, hits: list[Hit], text: str) -> list[Hit]:
    """A life event ranked with its own matters is the answer when the citizen asks for everything
    ("阿爷过身了，啲手续点搞": the housing-fund step first, the bereavement event close behind), or when
    the first results are all its steps ("出生证、上户口、医保"): they are steps of it, not rivals of it."""
    plausible = [h for h in hits if h.score >= PLAUSIBLE]
    for bundle in (h for h in plausible if h.kind == "bundle"):
        detail = await turn.detail(bundle.code)
        members = {m["code"] for m in (detail or {}).get("matters") or []}
        above = [h for h in plausible if h.score > bundle.score]
        steps_lead = len(above) >= STEPS_LEADING and all(h.code in members for h in above)
        close = bundle.score >= LIFE_EVENT_SHARE * plausible[0].score and len(above) <= 2
        if steps_lead or (close and ALL_STEPS.search(text) and all(h.code in members for h in above)):
            lead = Hit(bundle.kind, bundle.code, bundle.name, max(bundle.score, plausible[0].score))
            return [lead, *(h for h in hits if h.code != bundle.code and h.code not in members)]
    return hits


async def find(turn: Turn, text: str, pending: str | None = None, out_of_scope: bool = False) -> None:
    """Answer the matter the words describe, offer close ones, or say nothing was found. A message the
    model found out of scope ("今天天气怎么样") is answered only when the search is clear about it (its
    close results are noise there: the weather scores 2.5 on outdoor advertising)."""
    hits = await backend().search(text, turn.locale)
    choice = choose(await _bundle_first(turn, hits, text))
    if out_of_scope and choice.answer is None:
        turn.failed("cannot_help")
        return
    if choice.answer is not None and pending:  # "要多少钱" -> "which one?" -> "护照": the fee of it
        await _chosen_code(turn, choice.answer.code)
    elif choice.answer is not None:  # a life event's own matters stay beside it as cards
        beside = [h for h in choose(hits).options if h.code != choice.answer.code]
        await present(turn, choice.answer.code, [choice.answer, *beside][:3])
    elif choice.found:
        turn.offer(choice.options, pending)
    else:
        turn.failed("not_found")


async def clarify(turn: Turn) -> None:
    """A vague word ("证件", "licence"): the likely matters as buttons, never a guess."""
    generic = " ".join(m.group(0) for m in GENERIC.finditer(turn.text))  # "我想办个证": kinds of 证, not 个体户
    hits = [h for h in await backend().search(generic or turn.text, turn.locale, first=6) if h.score >= PLAUSIBLE / 2]
    if not hits and generic:
        hits = [h for h in await backend().search(turn.text, turn.locale, first=6) if h.score >= PLAUSIBLE / 2]
    if not hits:
        turn.failed("not_found")
        return
    turn.offer(hits[:5], None, intro="clarify_vague")


async def _named(turn: Turn, words: str) -> tuple[Hit | None, list[Hit]]:
    """The matter the words clearly name (preferring the choices on screen), and the close results."""
    if not words:
        return None, []
    if turn.offered:  # "驾照那个" while 补办's choices are on screen: read with what led to them
        hits = await backend().search(f"{turn.offered_for} {words}".strip(), turn.locale)
        choice = choose(hits)
        if choice.answer is not None:
            return choice.answer, []
        on_screen = [h for h in hits if h.code in {o.code for o in turn.offered} and h.score >= PLAUSIBLE]
        if on_screen:
            return on_screen[0], []
    hits = await backend().search(words, turn.locale)
    choice = choose(hits)
    return choice.answer, choice.options


def _names_another(words: str, best: Hit, sure: float | None = None) -> bool:
    """Whether a follow-up's words name other matters than the one in hand: a result whose name shares
    a word with them ("居住证" -> 居住证签注), or one the search is sure of ("驾照": its keywords), not
    one that matched on leftovers of the question ("补张", "佢住", "开唔开")."""
    return best.score >= CONFIDENT and (share_words(words, best.name) or best.score >= (sure or SURE))


async def _member_named(turn: Turn, best: Hit | None) -> str | None:
    """The step of the life event in hand that the words found, if they found one."""
    if best is None or turn.subject is None or _kind(turn.subject) != "bundle" or best.score < PLAUSIBLE:
        return None
    detail = await turn.detail(turn.subject)
    return best.code if best.code in {m["code"] for m in (detail or {}).get("matters") or []} else None


async def _names_a_material(turn: Turn, code: str, words: str) -> bool:
    """Whether the words name one of the materials of the matter or bundle in hand."""
    detail = await turn.detail(code) if words else None
    matters = (detail or {}).get("matters") or ([detail] if detail else [])
    return any(share_words(words, m["name"]) for matter in matters for m in matter["materials"])


async def follow_up(turn: Turn, questions: tuple[str, ...], reading: Reading | None) -> None:
    """A question about a matter: the one the message names, else the one in hand, else ask which."""
    words = reading.words if reading else ""
    material = reading.material_words if reading else ""
    if turn.subject and material and await _names_a_material(turn, turn.subject, material):
        await answer_about(turn, questions, turn.subject)  # "要带出生证吗": one of its materials, not a matter
        return
    if turn.subject is None and not turn.offered:  # a first message: all its words describe the matter
        hits = await backend().search(turn.text, turn.locale)
        first = choose(await _bundle_first(turn, hits, turn.text))
        named, options = first.answer, first.options
    else:
        named, options = await _named(turn, words)
    member = await _member_named(turn, named or (options[0] if options else None))
    if member is not None:  # "is the lottery thing online" inside the car-buying life event: that step
        await answer_about(turn, questions, member)
    elif named is not None and (turn.subject is None or turn.offered or _names_another(words, named)):
        await answer_about(turn, questions, named.code)
    elif options and (turn.subject is None or _names_another(words, options[0], LIKELY)):
        turn.offer(options, ",".join(questions))  # close matters named: ask which, keeping the question
    elif turn.offered and turn.reasked:  # asked twice, not chosen: the likeliest, the others kept on screen
        await answer_about(turn, questions, turn.offered[0].code, others=turn.offered[1:])
    elif turn.offered:  # choices on screen: the question waits for the choice
        turn.offer(turn.offered, ",".join(questions), intro="clarify_first", again=True)
    elif turn.subject is not None:  # words that name no matter clearly do not change the matter in hand
        await answer_about(turn, questions, turn.subject)
    else:
        turn.reply(turn.say("which_matter"))
        turn.remember(pending_question=",".join(questions))


async def apply(turn: Turn, reading: Reading) -> None:
    """ "Apply now": for the matter the message names, else the one in hand, else ask which."""
    named, options = await _named(turn, reading.words)
    member = await _member_named(turn, named or (options[0] if options else None))
    if member is not None:  # "the birth certificate one, do it now" inside the birth life event
        named, options = Hit(_kind(member), member, member, 0.0), []
    elif turn.subject is not None and not (named and _names_another(reading.words, named)):
        named, options = None, []  # "幫我開張申請表": the words name no other matter than the one in hand
    code = named.code if named is not None else turn.subject
    if code is not None:
        await apply_now(turn, code)
    elif turn.offered and turn.reasked and not options:  # still not chosen: the likeliest
        await apply_now(turn, turn.offered[0].code)
    elif options or turn.offered:
        intro = "clarify_apply" if turn.token else "sign_in_then_choose"
        turn.offer(options or turn.offered, "apply", intro=intro, again=bool(turn.offered and not options))
    else:
        turn.reply(turn.say("which_to_apply"))
        turn.remember(pending_question="apply")


async def own_case(turn: Turn, topics: tuple[str, ...], words: str) -> None:
    """Answer from the signed-in citizen's applications; ask anyone else to sign in."""
    try:
        found = await backend().my_applications(turn.token, turn.locale, first=20)
    except NotSignedInError:
        turn.reply(turn.say("sign_in"))
        return
    nodes = [edge["node"] for edge in found["edges"]]
    if not nodes:
        turn.reply(turn.say("no_applications"))
        return
    named = cases.about(nodes, words)
    texts = [cases.ANSWERS[t](turn.say, named or nodes) for t in topics if t in cases.ANSWERS]
    if not texts:
        texts = [cases.progress(turn.say, nodes[:MAX_LISTED], named, len(nodes) > MAX_LISTED)]
    turn.reply("\n\n".join(texts))
    turn.remember(failures=0)


async def chosen(turn: Turn) -> None:
    """The citizen tapped one of the proposed matters: answer what they had asked, or present it."""
    code = next(turn.tracker.get_latest_entity_values("matter_code"), None)
    if not isinstance(code, str) or not CODE.fullmatch(code):  # a payload anyone can type: only codes pass
        turn.failed("which_matter")
        return
    await _chosen_code(turn, code)


async def _chosen_code(turn: Turn, code: str) -> None:
    """A matter or bundle chosen: the question waiting for it, or what it is."""
    if turn.pending == "apply":
        await apply_now(turn, code)
    elif turn.pending:
        await answer_about(
            turn, tuple(q for q in turn.pending.split(",") if q in FOLLOW_UP_TOPICS) or ("materials",), code
        )
    else:
        await present(turn, code)


async def _payload(turn: Turn) -> None:
    """A button's payload ("/ask_fee", "/apply_now", "/human_handoff")."""
    if turn.intent == "choose_matter":
        await chosen(turn)
    elif turn.intent in QUESTIONS:
        await follow_up(turn, (QUESTIONS[turn.intent],), None)
    elif turn.intent == "apply_now" and turn.subject:
        await apply_now(turn, turn.subject)
    elif turn.intent == "human_handoff":
        turn.reply(turn.say("handoff"))
        turn.remember(failures=0)
    else:
        turn.failed("which_matter")


def _picked(turn: Turn, reading: Reading) -> Hit | None:
    """The choice on screen a message picks by its place ("2", "第二个", "the second one")."""
    if turn.offered and reading.ordinal is not None and reading.ordinal <= len(turn.offered):
        return turn.offered[reading.ordinal - 1]
    return None


async def _answer_choice(turn: Turn, picked: Hit, reading: Reading) -> None:
    """A choice picked in words: what this message asks of it, else what was waiting, else present it."""
    if reading.apply or (turn.intent == "apply_now" and not reading.topics):
        await apply_now(turn, picked.code)
    elif reading.topics:
        await answer_about(turn, reading.topics, picked.code)
    else:
        await _chosen_code(turn, picked.code)


async def respond(turn: Turn) -> None:
    """Decide what the message asks for and answer it."""
    if turn.payload:
        await _payload(turn)
        return
    reading = read(turn.text)
    if reading.facts:
        turn.new_facts = reading.facts
        turn.facts.update(reading.facts)
        turn.remember(facts=turn.facts)
    picked = _picked(turn, reading)
    if picked is not None:
        await _answer_choice(turn, picked, reading)
    elif reading.person and turn.intent == "human_handoff":
        turn.reply(turn.say("handoff"))
        turn.remember(failures=0)
    elif reading.cases and (turn.token or not reading.apply):
        await own_case(turn, reading.cases, reading.words)
    elif reading.paying and not turn.subject:
        await own_case(turn, ("due",), reading.words)
    elif reading.apply or (turn.intent == "apply_now" and not reading.words):
        await apply(turn, reading)
    elif reading.topics:
        await follow_up(turn, reading.topics, reading)
    elif turn.intent == "check_progress" and not reading.words:
        await own_case(turn, ("progress",), "")
    elif reading.vague:
        await clarify(turn)
    elif turn.intent in QUESTIONS and not reading.words:  # the model heard a question the lists did not
        await follow_up(turn, (QUESTIONS[turn.intent],), reading)
    elif reading.small_talk or (turn.intent in SMALL_TALK and not reading.words):
        said = reading.small_talk or (turn.intent if turn.intent in SMALL_TALK else "greet")
        turn.reply(turn.say(said))
        turn.remember(failures=0)
        if said == "deny":  # "算了": nothing waits any more (a pending "apply" must not fire on a later tap)
            turn.remember(offered=None, offered_for=None, pending_question=None, reasked=None)
    elif turn.subject and QUESTION.search(turn.text):
        await question_in_hand(turn, reading.words)
    elif reading.words or turn.intent not in ("out_of_scope", "nlu_fallback", "human_handoff"):
        await find(turn, turn.text, turn.pending, out_of_scope=turn.intent == "out_of_scope")
    else:
        turn.failed("cannot_help")


async def question_in_hand(turn: Turn, words: str) -> None:
    """A question while a matter is in hand: another matter it names, else what can be asked about this one."""
    named, options = await _named(turn, words)
    if named is not None and named.code != turn.subject:  # the question's own words: a clear result is it
        await present(turn, named.code, [named, *[o for o in options if o.code != named.code]])
        return
    if options and _names_another(words, options[0]):
        turn.offer(options, None)
        return
    code = turn.subject or ""
    detail = await turn.detail(code)
    if detail is None:
        turn.failed("which_matter")
        return
    others = [o for o in options if o.code != code][:2]
    if others:  # words of substance but no clear matter: this one, or one of those?
        turn.offer([Hit(_kind(code), code, detail["name"], 0.0), *others], None, intro="clarify_in_hand")
        return
    turn.reply(turn.say("about", name=detail["name"]), turn.buttons())
    turn.suggest([Hit(_kind(code), code, detail["name"], 0.0)])
    turn.settle(code)


class ActionRespond(Action):
    """Every message of the conversation: see the module's docstring."""

    def name(self) -> str:
        return "action_respond"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        turn = Turn(dispatcher, tracker)
        try:
            await respond(turn)
        except BackendUnavailableError:
            turn.reply(turn.say("unavailable"))
        return turn.events
