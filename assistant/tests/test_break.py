"""Conversations an adversarial review of the conversation logic found the assistant getting wrong
(issue 15); each failed before its fix. The "Before:" comments say what the assistant did then.

They use the multi-turn harness of test_conversation.py (its fake backend and fixtures); the few
extra search results and matters they need are added per test with monkeypatch.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from test_conversation import MATTERS, SEARCH, Conversation

FIXTURES = json.loads((Path(__file__).parent / "fixtures.json").read_text(encoding="utf-8"))
WANG_FANG = "token-of-wang-fang"
CHOICES = ["GZ-GA-0004", "GZ-GA-0017", "GZ-MZJ-0003"]  # what "补办" offers, in this order


# 1. A draft for the wrong matter -------------------------------------------------------------------


def test_apply_for_the_second_choice_drafts_the_second_not_the_first() -> None:
    chat = Conversation(token=WANG_FANG)
    assert chat.say("补办").suggestions == CHOICES
    said = chat.say("帮我申请第二个", intent="apply_now")
    # Before: Saved: a draft of 居民身份证补领, the FIRST choice ("补办 第二" searches like "补办" alone).
    assert [d["code"] for d in said.drafts] != ["GZ-GA-0004"]
    assert said.drafts == [] or said.drafts[0]["code"] == "GZ-GA-0017"


# 2. "Cannot be applied for online" for a matter that can -------------------------------------------


def test_online_answer_reads_the_catalogs_online_mode(monkeypatch: pytest.MonkeyPatch) -> None:
    # The API's ServiceMode enum is upper case (ONLINE, NEARBY, ...), as fixtures.json shows.
    passport = {**FIXTURES["matters"]["GZ-GA-0013"], "modes": ["ONLINE", "ONE_TRIP"], "maxTrips": 1}
    monkeypatch.setitem(MATTERS, "GZ-GA-0013", passport)
    monkeypatch.setitem(SEARCH, "护照", [("matter", "GZ-GA-0013", "普通护照签发", 3.0)])
    chat = Conversation()
    assert chat.say("办护照").suggestions == ["GZ-GA-0013"]
    said = chat.say("能网上办吗", intent="ask_location")
    assert said.suggestions == ["GZ-GA-0013"]
    assert "暂不能网上申请" not in said.text and "可以在网上申请" in said.text


# 3. Facts of one matter pre-fill another matter's draft --------------------------------------------


def test_facts_from_one_matter_do_not_prefill_another_matters_draft() -> None:
    chat = Conversation(token=WANG_FANG)
    assert chat.say("我儿子的身份证丢了").suggestions == ["GZ-GA-0004"]  # the son's ID card
    found = chat.say("宝宝刚生，要办啥")  # a new baby: nobody said boy or girl
    assert found.suggestions[0] == "LE-0002"
    said = chat.say("帮我一起办了吧")
    # Before: Sent: values {"reason": "lost", "baby_sex": "male", "new_baby_sex": "male"}.
    assert said.drafts == [{"kind": "bundle", "code": "LE-0002", "values": {}}]


# 4. A cancelled "apply" runs on a later, unrelated tap ---------------------------------------------


def test_a_cancelled_apply_is_not_executed_by_a_later_tap() -> None:
    chat = Conversation(token=WANG_FANG)
    chat.say("帮我申请", intent="apply_now")  # "which one?": pending_question = apply
    chat.say("算了，不用了", intent="deny")  # never mind
    chat.say("补办")  # later: just looking
    said = chat.tap("GZ-GA-0004")
    assert said.drafts == [], "a draft was saved for a tap that only chose what to look at"


# 5-6. Ordinals and numbers after choices -------------------------------------------------------------


def test_a_question_about_the_second_choice_answers_the_second() -> None:
    chat = Conversation()
    chat.say("补办")
    said = chat.say("第二个要多少钱", intent="ask_fee")
    # Before: Answered: the fee of 居民身份证补领, the first choice.
    assert said.suggestions == ["GZ-GA-0017"] and "机动车驾驶证补领" in said.text


@pytest.mark.parametrize(
    ("message", "code"),
    [("2", "GZ-GA-0017"), ("第二个", "GZ-GA-0017"), ("the second one", "GZ-GA-0017"), ("第三个", "GZ-MZJ-0003")],
)
def test_a_typed_ordinal_or_number_picks_from_the_choices(message: str, code: str) -> None:
    chat = Conversation()
    chat.say("补办")
    said = chat.say(message)
    assert "没找到" not in said.text, f"{message!r} after choices: 'not found'"
    assert said.suggestions[:1] == [code]
    assert "child_order" not in (chat.slots.get("facts") or {}), "'第三个' (the third one) became 'third child'"


# 7-8. The matter the citizen names is not the one answered ------------------------------------------


def test_a_matter_named_in_a_follow_up_is_not_answered_for_the_one_in_hand() -> None:
    chat = Conversation()
    assert chat.say("身份证丢了").suggestions == ["GZ-GA-0004"]
    said = chat.say("驾照要多少钱", intent="ask_fee")
    # Before: Answered: 居民身份证补领's fee, as if the driving licence had not been named.
    assert "GZ-GA-0004" not in said.suggestions[:1]
    assert {"GZ-GA-0017", "GZ-GA-0019"} & set(said.suggestions)


def test_a_word_of_a_material_does_not_keep_a_new_request_on_the_matter_in_hand() -> None:
    chat = Conversation()
    chat.say("补办")
    assert chat.tap("GZ-GA-0017").suggestions == ["GZ-GA-0017"]  # driving licence: needs an ID card
    said = chat.say("身份证丢了，要带啥", intent="ask_materials")  # now the ID card itself is lost
    # Before: Answered: the driving licence's materials (its list mentions 居民身份证).
    assert said.suggestions == ["GZ-GA-0004"] and "居民身份证补领" in said.text


# 9. The assumed matter drops out of the choices; the conversation drifts to another matter -----------


def test_after_an_assumed_answer_a_follow_up_stays_on_the_assumed_matter() -> None:
    chat = Conversation()
    chat.say("补办")
    chat.say("要多少钱", intent="ask_fee")
    assumed = chat.say("要多久", intent="ask_duration")
    assert assumed.text.startswith("先按“居民身份证补领”为您回答")
    said = chat.say("周六开门吗？", intent="ask_location")
    # Before: Asked "which one first?" with only 驾驶证 and 婚姻登记证: the ID card, in hand, is not among them.
    assert said.suggestions[:1] == ["GZ-GA-0004"] and "先告诉我是哪一个" not in said.text
    drift = chat.say("能网上办吗", intent="ask_location")
    # Before: Then answered for 机动车驾驶证补领, a matter the citizen never chose.
    assert drift.suggestions[:1] == ["GZ-GA-0004"]


# 10. Closing phrases read as requests, then a handoff to a person --------------------------------------


@pytest.mark.parametrize("message", ["never mind", "that's all, thanks", "收到，谢谢", "没事了", "得喇", "ok cool"])
def test_closing_phrases_are_small_talk(message: str) -> None:
    chat = Conversation()
    chat.say("身份证丢了")
    said = chat.say(message)
    assert "没找到" not in said.text and "转人工" not in said.text, f"{message!r}: {said.text}"
    assert not chat.slots.get("failures")


def test_two_closing_phrases_do_not_hand_over_to_a_person() -> None:
    chat = Conversation()
    chat.say("身份证丢了")
    chat.say("收到，谢谢")
    said = chat.say("never mind")
    assert "转人工" not in said.text


# 11. Small talk recognised by the word lists, answered by the model's intent ---------------------------


@pytest.mark.parametrize(
    ("message", "intent", "expected"), [("谢谢", "find_service", "不客气"), ("bye", "greet", "再见")]
)
def test_small_talk_is_answered_as_what_it_says(message: str, intent: str, expected: str) -> None:
    said = Conversation().say(message, intent=intent)
    # Before: Replied with the greeting "您好！我是一网通办助手…" to a thanks and to a goodbye.
    assert expected in said.text and "您好" not in said.text


# 12. Facts misread from common phrasings go into the draft ---------------------------------------------


@pytest.mark.parametrize(
    ("message", "order"),
    [("已经有两个孩子了，这胎是第三胎，生孩子要办啥", "3_plus"), ("老大上学了，现在生老二，生孩子要办啥", "2")],
)
def test_child_order_is_the_new_childs(message: str, order: str) -> None:
    chat = Conversation(token=WANG_FANG)
    assert chat.say(message).suggestions == ["GZ-WJW-0001"]
    said = chat.say("帮我现在就办", intent="apply_now")
    # Before: Sent child_order "2" for a third child, "1" for a second one: the first list that matches wins.
    assert said.drafts[0]["values"].get("child_order") == order


def test_a_corrected_reason_replaces_the_first_one() -> None:
    chat = Conversation(token=WANG_FANG)
    chat.say("身份证丢了")
    chat.say("不对，不是丢了，是被偷了")
    said = chat.say("帮我现在就办", intent="apply_now")
    assert said.drafts[0]["values"].get("reason") == "stolen"
