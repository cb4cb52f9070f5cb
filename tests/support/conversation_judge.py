"""The mechanical judge of one conversation turn of the blind set (tests/data/blind_conversations).

bench/conversation_eval.py sends the turns through `assistantMessage`; this module only decides, from
the reply and what the bench knows (catalog names in the turn's locale, the citizen's applications,
the drafts they have saved), whether the reply is right for the turn's `expect`. No server is needed,
so tests/unit/test_conversation_judge.py checks each rule on hand-made replies.

The rules, one per `expect` kind (the reply's text is all its messages' texts joined):
- matters / bundle: when the reply has suggestions, right when the FIRST suggestion is an expected
  code; when it has none (a follow-up answered in words), right when the text names an expected
  matter or bundle (its catalog name in the turn's locale).
- clarify: right when the reply offers two or more suggestions, at least one of them among the
  candidates, and does not present the first one as THE answer (its name is not in the text: a
  question such as "which one do you mean?" lists the options as buttons, not in its text).
- draft_for: right when, after the turn, the citizen has a saved draft of that matter or bundle AND
  the reply links to that draft (AssistantReply.draft.deepLink holds the code).
- sign_in_first: right when the text asks the citizen to sign in (登录 / 登入 / "sign in", "log in").
- own_case: right when the text names one of the citizen's applications (its reference or its status
  label in the turn's locale); for refusal_reason, refund and supplement the text must also hold a
  word of that topic (e.g. 原因/驳回, 退款, 补正 / reason, refund, supplement).
- smalltalk: right when the reply has no suggestions and its text names no matter or bundle of the set.
A reply that came back with errors is wrong whatever the kind.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

SIGN_IN = {
    "zh-Hans": re.compile(r"登录|登陆|登入"),
    "zh-Hant": re.compile(r"登入|登錄|登录"),
    "en": re.compile(r"\b(sign(ed)?[ -]?in|log(ged)?[ -]?in)\b", re.IGNORECASE),
}
# Words a reply about that topic of the citizen's own case cannot do without.
TOPIC_WORDS = {
    "refusal_reason": {
        "zh-Hans": re.compile(r"原因|理由|驳回|退回|不予|不通过|未通过"),
        "zh-Hant": re.compile(r"原因|理由|駁回|退回|不予|唔批|不通過|未通過"),
        "en": re.compile(r"reason|because|reject|refus|returned|declin", re.IGNORECASE),
    },
    "refund": {
        "zh-Hans": re.compile(r"退款|退费|退还|退回"),
        "zh-Hant": re.compile(r"退款|退費|退還|退回"),
        "en": re.compile(r"refund", re.IGNORECASE),
    },
    "supplement": {
        "zh-Hans": re.compile(r"补正|补交|补充|补齐|补件"),
        "zh-Hant": re.compile(r"補正|補交|補充|補齊|補件"),
        "en": re.compile(r"supplement|missing|add|more document|resubmit", re.IGNORECASE),
    },
}


@dataclass(frozen=True)
class Suggestion:
    code: str
    title: str
    deep_link: str = ""


@dataclass(frozen=True)
class Reply:
    """What `assistantMessage` answered, reduced to what the judge reads."""

    texts: list[str] = field(default_factory=list)
    buttons: list[tuple[str, str]] = field(default_factory=list)  # (title, payload)
    suggestions: list[Suggestion] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    draft_link: str = ""  # the link to the draft the reply saved (AssistantReply.draft.deepLink)

    @property
    def text(self) -> str:
        return "\n".join(self.texts)

    @classmethod
    def from_payload(cls, payload: Mapping[str, Any]) -> Reply:
        """From the `assistantMessage` payload (messages { text buttons { title payload } } suggestions ...)."""
        messages = payload.get("messages") or []
        return cls(
            texts=[m["text"] for m in messages],
            buttons=[(b["title"], b["payload"]) for m in messages for b in m.get("buttons") or []],
            suggestions=[
                Suggestion(s["code"], s.get("title") or "", s.get("deepLink") or "")
                for s in payload.get("suggestions") or []
            ],
            errors=[e.get("code") or e.get("message") or "error" for e in payload.get("errors") or []],
            draft_link=str((payload.get("draft") or {}).get("deepLink") or ""),
        )


@dataclass(frozen=True)
class Citizen:
    """What the bench knows of the citizen at a turn."""

    signed_in: bool = False
    references: tuple[str, ...] = ()
    status_labels: tuple[str, ...] = ()
    drafts: frozenset[str] = frozenset()  # codes of matters/bundles with a saved draft after the turn


@dataclass(frozen=True)
class Verdict:
    right: bool
    why: str


def _codes(expect: Mapping[str, Any]) -> list[str]:
    if "matters" in expect:
        return list(expect["matters"])
    if "bundle" in expect:
        return [expect["bundle"]]
    return []


def kind_of(expect: Mapping[str, Any]) -> str:
    """The judged kind of an `expect`: matters, bundle, clarify, draft_for, sign_in_first, own_case, smalltalk."""
    for kind in ("matters", "bundle", "clarify", "draft_for", "sign_in_first", "own_case", "smalltalk"):
        if kind in expect:
            return kind
    raise ValueError(f"unknown expectation {dict(expect)}")


def _named(text: str, codes: list[str], names: Mapping[str, str]) -> list[str]:
    return [code for code in codes if names.get(code) and names[code] in text]


def judge(
    expect: Mapping[str, Any],
    reply: Reply,
    locale: str,
    names: Mapping[str, str],
    citizen: Citizen | None = None,
) -> Verdict:
    """Whether `reply` is right for `expect`; `names`: code -> catalog name in `locale` (every code of the set)."""
    citizen = citizen or Citizen()
    if reply.errors:
        return Verdict(False, f"answered with errors {reply.errors}")
    kind = kind_of(expect)
    codes = [s.code for s in reply.suggestions]
    text = reply.text
    if kind in ("matters", "bundle"):
        wanted = _codes(expect)
        if codes:
            if codes[0] in wanted:
                return Verdict(True, f"first suggestion {codes[0]}")
            return Verdict(False, f"first suggestion {codes[0]} not in {wanted}")
        if _named(text, wanted, names):
            return Verdict(True, "no suggestions; the text names the expected one")
        return Verdict(False, f"no suggestions and the text names none of {wanted}")
    if kind == "clarify":
        if len(codes) < 2:
            return Verdict(False, f"{len(codes)} suggestion(s): no choice offered")
        if reply.suggestions[0].title and reply.suggestions[0].title in text:
            return Verdict(False, f"presents {codes[0]} as the answer instead of asking")
        if not set(codes) & set(expect.get("candidates") or []):
            return Verdict(False, "none of the options offered is a candidate")
        return Verdict(True, f"offers {len(codes)} options")
    if kind == "draft_for":
        code = expect["draft_for"]
        linked = code in reply.draft_link
        if code not in citizen.drafts:
            return Verdict(False, f"no draft of {code} saved")
        if not linked:
            return Verdict(False, f"a draft of {code} is saved but the reply does not link to it")
        return Verdict(True, f"draft of {code} saved and linked")
    if kind == "sign_in_first":
        if SIGN_IN[locale].search(text):
            return Verdict(True, "asks to sign in")
        return Verdict(False, "does not ask to sign in")
    if kind == "own_case":
        topic = expect["own_case"]
        mentioned = [r for r in citizen.references if r in text] + [s for s in citizen.status_labels if s in text]
        if not mentioned:
            return Verdict(False, "names none of the citizen's applications (reference or status)")
        words = TOPIC_WORDS.get(topic)
        if words is not None and not words[locale].search(text):
            return Verdict(False, f"about the applications but says nothing of the {topic}")
        return Verdict(True, f"about the citizen's applications ({mentioned[0]})")
    # smalltalk
    if codes:
        return Verdict(False, f"suggests {codes[:3]}")
    named = _named(text, list(names), names)
    if named:
        return Verdict(False, f"names {named[0]}")
    return Verdict(True, "no suggestions, no matter named")
