"""The conversation's state across turns (issue 15): each test plays several turns through the one
action, carrying the slots it set into the next turn as Rasa would, with a fake backend whose search
answers like the real one did for these words (including the trap: "带" matching a licence's name)."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import actions, backend
from actions.backend import Hit, NotSignedInError
from actions.reading import read

HERE = Path(__file__).parent
FIXTURES = json.loads((HERE / "fixtures.json").read_text(encoding="utf-8"))
ID_CARD = ("matter", "GZ-GA-0004", "居民身份证补领", 3.2)
CHEMICALS = ("matter", "GZ-YJGLJ-0001", "危险化学品经营许可证核发（不带储存设施）", 2.4)
SEARCH: dict[str, list[tuple[str, str, str, float]]] = {
    "身份证丢了": [ID_CARD],
    "带啥": [CHEMICALS],  # what the search gives for the bare words: never asked in a follow-up
    "补办": [
        ID_CARD,
        ("matter", "GZ-GA-0017", "机动车驾驶证补领", 1.9),
        ("matter", "GZ-MZJ-0003", "补领婚姻登记证", 1.8),
    ],
    "补办 驾照": [("matter", "GZ-GA-0017", "机动车驾驶证补领", 3.1), ("matter", "GZ-GA-0019", "机动车驾驶证申领", 1.2)],
    "出生医学证明": [
        ("matter", "GZ-WJW-0002", "出生医学证明", 2.2),
        ("matter", "GZ-WJW-0003", "出生医学证明补发", 2.1),
    ],
    "驾照": [("matter", "GZ-GA-0017", "机动车驾驶证补领", 2.6), ("matter", "GZ-GA-0019", "机动车驾驶证申领", 2.5)],
    "宝宝刚生": [
        ("bundle", "LE-0002", "生小孩", 2.0),
        ("matter", "GZ-GA-0001", "出生登记", 1.9),
        ("matter", "GZ-WJW-0002", "出生医学证明", 1.8),
    ],
    "宝宝出生了手续": [
        ("matter", "GZ-GA-0001", "出生登记", 1.9),
        ("bundle", "LE-0002", "生小孩", 1.8),
        ("matter", "GZ-WJW-0002", "出生医学证明", 1.5),
    ],
    "生孩子": [("matter", "GZ-WJW-0001", "生育登记", 3.0)],
}
MATTERS: dict[str, dict[str, Any]] = {
    code: {**FIXTURES["matters"]["GZ-GA-0013"], "code": code, "name": name}
    for code, name in [
        ("GZ-GA-0004", "居民身份证补领"),
        ("GZ-GA-0017", "机动车驾驶证补领"),
        ("GZ-YJGLJ-0001", "危险化学品经营许可证核发（不带储存设施）"),
        ("GZ-WJW-0001", "生育登记"),
        ("GZ-WJW-0002", "出生医学证明"),
        ("GZ-MZJ-0003", "补领婚姻登记证"),
    ]
}
REJECTED = {
    "reference": "GZ-2026-000200",
    "status": "REJECTED",
    "statusLabel": "不予批准",
    "amountToPay": "0.00",
    "matter": {"code": "GZ-GA-0004", "name": "居民身份证补领"},
    "bundle": None,
    "timeline": [
        {"action": "SUBMIT", "toStatus": "SUBMITTED", "reason": None},
        {"action": "REJECT", "toStatus": "REJECTED", "reason": "照片不符合要求"},
    ],
    "refund": {"amount": "20.00", "refunded": "20.00", "inProgress": False, "statusLabel": "已退款"},
}


class Backend:
    """Searches by the longest known words the query contains; a citizen's cases under one token."""

    def __init__(self) -> None:
        self.searched: list[str] = []

    async def search(self, query: str, locale: str, first: int = 5) -> list[Hit]:
        self.searched.append(query)
        keys = sorted((k for k in SEARCH if k in query), key=len, reverse=True)
        return [Hit(*hit) for hit in SEARCH[keys[0]]] if keys else []

    async def matter(self, code: str, locale: str) -> dict[str, Any] | None:
        return MATTERS.get(code)

    async def bundle(self, code: str, locale: str) -> dict[str, Any] | None:
        if code != "LE-0002":
            return None
        members = [MATTERS["GZ-WJW-0001"] | {"code": c, "name": n} for c, n in [("GZ-GA-0001", "出生登记")]]
        members.append(MATTERS["GZ-WJW-0001"] | {"code": "GZ-WJW-0002", "name": "出生医学证明"})
        return {
            "code": code,
            "name": "生小孩",
            "summary": "一张表办完。",
            "sharedMaterialsNote": None,
            "matters": members,
        }

    async def my_applications(self, token: str | None, locale: str, first: int = 5) -> dict[str, Any]:
        if token != "token-of-wang-fang":
            raise NotSignedInError()
        return {"hasNextPage": False, "edges": [{"node": REJECTED}]}


class Conversation:
    """Turns of one conversation: the slots one turn sets are the next turn's state."""

    def __init__(self, token: str | None = None) -> None:
        self.slots: dict[str, Any] = {"matter_code": None, "pending_question": None, "failures": 0.0}
        self.token = token
        self.fake = Backend()
        backend.use(self.fake)

    def say(self, text: str, intent: str = "find_service", entities: list[dict[str, Any]] | None = None) -> Any:
        metadata = {"locale": "zh-Hans"} | ({"token": self.token} if self.token else {})
        state = {
            "sender_id": "test",
            "slots": dict(self.slots),
            "latest_message": {
                "text": text,
                "intent": {"name": intent, "confidence": 0.9},
                "entities": entities or [],
                "metadata": metadata,
            },
            "events": [],
            "paused": False,
            "followup_action": None,
            "active_loop": {},
            "latest_action_name": "action_listen",
        }
        dispatcher = CollectingDispatcher()
        events = asyncio.run(actions.ActionRespond().run(dispatcher, Tracker.from_dict(state), {}))
        self.slots.update({e["name"]: e["value"] for e in events if e.get("event") == "slot"})
        return Said(dispatcher)

    def tap(self, code: str) -> Any:
        payload = f'/choose_matter{{"matter_code":"{code}"}}'
        return self.say(payload, "choose_matter", [{"entity": "matter_code", "value": code}])


class Said:
    def __init__(self, dispatcher: CollectingDispatcher) -> None:
        self.text = "\n".join(m["text"] for m in dispatcher.messages if m.get("text"))
        customs = [m.get("custom") or {} for m in dispatcher.messages]
        self.suggestions = [s["code"] for c in customs for s in c.get("suggestions", [])]
        self.drafts = [c["draft"] for c in customs if "draft" in c]
        self.buttons = [b["payload"] for m in dispatcher.messages for b in m.get("buttons") or []]
        self.titles = [b["title"] for m in dispatcher.messages for b in m.get("buttons") or []]


def test_a_follow_up_stays_on_the_matter_even_when_its_words_are_in_another_name() -> None:
    chat = Conversation()
    assert chat.say("身份证丢了").suggestions == ["GZ-GA-0004"]
    said = chat.say("那要带啥", intent="find_service")  # the model's intent does not matter
    assert said.suggestions == ["GZ-GA-0004"] and said.text.startswith("办理居民身份证补领需要准备")
    assert "危险化学品" not in said.text
    assert chat.say("周六开门吗？").suggestions == ["GZ-GA-0004"]
    assert chat.say("一共多少钱").suggestions == ["GZ-GA-0004"]


def test_a_question_asked_over_choices_is_kept_for_the_choice_or_answers_the_one_named() -> None:
    chat = Conversation()
    vague = chat.say("补办", intent="affirm")  # read as "yes" by the model: still a vague request
    assert vague.suggestions == ["GZ-GA-0004", "GZ-GA-0017", "GZ-MZJ-0003"] and "具体" in vague.text
    again = chat.say("收费不", intent="ask_fee")
    assert "哪一个" in again.text and again.suggestions == ["GZ-GA-0004", "GZ-GA-0017", "GZ-MZJ-0003"]
    chosen = chat.tap("GZ-GA-0017")
    assert chosen.suggestions == ["GZ-GA-0017"] and "机动车驾驶证补领" in chosen.text and "收费" in chosen.text


def test_typing_the_choice_with_a_question_answers_it() -> None:
    chat = Conversation()
    chat.say("补办")
    said = chat.say("驾照那个要多少钱", intent="ask_fee")
    assert said.suggestions == ["GZ-GA-0017"]


def test_apply_now_saves_a_draft_with_what_the_conversation_established() -> None:
    chat = Conversation(token="token-of-wang-fang")
    chat.say("二胎出生了，生孩子要办啥")
    said = chat.say("帮我现在就办", intent="apply_now")
    assert said.drafts == [{"kind": "matter", "code": "GZ-WJW-0001", "values": {"child_order": "2"}}]
    assert "草稿" in said.text and "还没有提交" in said.text


def test_apply_now_asks_an_anonymous_citizen_to_sign_in_and_saves_nothing() -> None:
    chat = Conversation()
    chat.say("身份证丢了")
    said = chat.say("I want to apply now", intent="apply_now")
    assert said.drafts == [] and "请先在应用里登录" in said.text


def test_the_refusal_reason_and_the_refund_come_from_the_citizens_case() -> None:
    chat = Conversation(token="token-of-wang-fang")
    said = chat.say("为什么没批？钱能退吗", intent="check_progress")
    assert "GZ-2026-000200" in said.text and "照片不符合要求" in said.text and "退款20.00元：已退款" in said.text


@pytest.mark.parametrize("message", ["我份申請搞成點", "我份申請去到邊", "查下我啲申請", "我申請咗嘢，幾時有結果"])
def test_cantonese_progress_questions_read_the_citizens_applications(message: str) -> None:
    said = Conversation(token="token-of-wang-fang").say(message, intent="find_service")
    assert "GZ-2026-000200" in said.text


@pytest.mark.parametrize("message", ["证件", "执照", "补办", "證", "licence", "我想办个证", "I need a certificate"])
def test_vague_words_are_read_as_vague(message: str) -> None:
    reading = read(message)
    assert reading.vague and not reading.small_talk


@pytest.mark.parametrize("message", ["好的", "谢谢", "行 谢了", "bye", "ok thanks"])
def test_small_talk_is_small_talk(message: str) -> None:
    assert read(message).small_talk


@pytest.mark.parametrize(
    ("message", "topics"),
    [
        ("那要带啥", ("materials",)),
        ("要帶啲咩文件？", ("materials",)),
        ("周六开门吗？", ("location",)),
        ("在哪办 天河那边有没", ("location",)),
        ("能不能网上弄啊 不想跑", ("online",)),
        ("how much is it then", ("fee",)),
        ("how long does it take", ("duration",)),
        ("幾錢", ("fee",)),
    ],
)
def test_follow_ups_name_no_matter(message: str, topics: tuple[str, ...]) -> None:
    reading = read(message)
    assert reading.topics == topics and reading.words == ""


def test_a_life_event_leading_its_own_matters_is_the_answer_and_apply_drafts_the_bundle() -> None:
    chat = Conversation(token="token-of-wang-fang")
    found = chat.say("宝宝刚生，要办啥")
    assert found.suggestions == ["LE-0002", "GZ-GA-0001", "GZ-WJW-0002"] and "生小孩" in found.text
    said = chat.say("帮我一起办了吧")
    assert said.drafts == [{"kind": "bundle", "code": "LE-0002", "values": {}}]


def test_choices_asked_again_show_names_not_codes() -> None:
    chat = Conversation()
    chat.say("补办")
    again = chat.say("要多少钱", intent="ask_fee")
    assert "居民身份证补领" in str(chat.slots["offered"]) and again.suggestions[0] == "GZ-GA-0004"
    assert again.titles == ["居民身份证补领", "机动车驾驶证补领", "补领婚姻登记证"]


def test_choices_ignored_twice_answer_the_likeliest_and_keep_the_others() -> None:
    chat = Conversation()
    chat.say("补办")
    chat.say("要多少钱", intent="ask_fee")  # asked again, the question kept
    said = chat.say("要多久", intent="ask_duration")
    assert said.suggestions[0] == "GZ-GA-0004" and said.text.startswith("先按“居民身份证补领”为您回答")
    assert said.titles == ["机动车驾驶证补领", "补领婚姻登记证"]  # the others, one tap away
    other = chat.tap("GZ-GA-0017")
    assert other.suggestions == ["GZ-GA-0017"] and "机动车驾驶证补领" in other.text


def test_a_life_event_ranked_just_under_its_own_step_leads_and_its_steps_are_answered_inside_it() -> None:
    chat = Conversation()
    found = chat.say("宝宝出生了手续怎么办")
    assert found.suggestions == ["LE-0002", "GZ-GA-0001", "GZ-WJW-0002"] and "生小孩" in found.text
    step = chat.say("出生医学证明要带啥", intent="ask_materials")  # one step of it, named
    assert step.suggestions == ["GZ-WJW-0002"]


@pytest.mark.parametrize(
    "message",
    [
        "帮我先填个表吧",
        "帮我起个草稿",
        "行，直接申请",
        "幫我開個申請",
        "請直接幫我提交",
        "draft it",
        "ok make the application",
    ],
)
def test_ways_of_asking_for_the_draft_are_apply(message: str) -> None:
    assert read(message).apply


def test_a_question_about_filling_the_form_is_not_a_request_to_fill_it() -> None:
    assert not read("填表要多久").apply and read("帮我填表，要多久").apply


@pytest.mark.parametrize(
    ("message", "case"),
    [
        ("那个补材料截止是哪天", "progress"),
        ("我交上去的东西还要补哪些", "supplement"),
        ("之前多扣的費用退回來了嗎", "refund"),
        ("what's happening with my food licence application", "progress"),
    ],
)
def test_own_case_questions_in_everyday_words(message: str, case: str) -> None:
    assert case in read(message).cases
