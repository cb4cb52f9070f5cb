"""The judge of bench/conversation_eval.py: each rule on replies shaped as `assistantMessage` returns them."""

from __future__ import annotations

from typing import Any

from tests.support.conversation_judge import Citizen, Reply, judge, kind_of

NAMES = {
    "GZ-GA-0004": "居民身份证补领",
    "GZ-GA-0013": "普通护照签发",
    "GZ-GA-0006": "居住证办理",
    "LE-0001": "出生一件事",
}
CANDIDATES = {"clarify": True, "candidates": ["GZ-GA-0006", "GZ-GA-0013", "GZ-GA-0014"]}


def reply(text: str = "", suggestions: list[str] | None = None, buttons: list[str] | None = None, **more: Any) -> Reply:
    payload = {
        "messages": [{"text": text, "buttons": [{"title": b, "payload": b} for b in buttons or []]}],
        "suggestions": [
            {"code": c, "title": NAMES.get(c, c), "deepLink": f"onewindow://apply?matter={c}"}
            for c in suggestions or []
        ],
        "errors": more.get("errors", []),
    }
    return Reply.from_payload(payload)


def test_a_matter_is_right_when_the_first_suggestion_is_expected_and_wrong_when_another_comes_first() -> None:
    expect = {"matters": ["GZ-GA-0004"]}
    assert judge(expect, reply("为您找到：居民身份证补领", ["GZ-GA-0004", "GZ-GA-0013"]), "zh-Hans", NAMES).right
    assert not judge(expect, reply("为您找到：普通护照签发", ["GZ-GA-0013", "GZ-GA-0004"]), "zh-Hans", NAMES).right


def test_a_follow_up_without_suggestions_is_right_when_it_names_the_matter() -> None:
    expect = {"matters": ["GZ-GA-0004"]}
    assert judge(expect, reply("办理居民身份证补领需要准备：1. 照片"), "zh-Hans", NAMES).right
    verdict = judge(expect, reply("您问的是哪个事项？"), "zh-Hans", NAMES)
    assert not verdict.right and "names none" in verdict.why


def test_a_bundle_is_judged_as_a_matter_is() -> None:
    assert judge({"bundle": "LE-0001"}, reply("", ["LE-0001"]), "zh-Hans", NAMES).right
    assert judge({"bundle": "LE-0001"}, reply("出生一件事包含5个事项"), "zh-Hans", NAMES).right
    assert not judge({"bundle": "LE-0001"}, reply("", ["GZ-GA-0013"]), "zh-Hans", NAMES).right


def test_clarify_needs_two_options_with_a_candidate_and_no_answer_presented() -> None:
    asking = reply("您想办的是哪一项？", ["GZ-GA-0013", "GZ-GA-0004"], buttons=["普通护照签发", "居民身份证补领"])
    assert judge(CANDIDATES, asking, "zh-Hans", NAMES).right
    answering = reply("为您找到：普通护照签发（广州市公安局）。", ["GZ-GA-0013", "GZ-GA-0004"])
    assert "as the answer" in judge(CANDIDATES, answering, "zh-Hans", NAMES).why
    assert not judge(CANDIDATES, reply("好的。", ["GZ-GA-0013"]), "zh-Hans", NAMES).right
    assert not judge(CANDIDATES, reply("再见！"), "zh-Hans", NAMES).right
    off_target = reply("您想办的是哪一项？", ["GZ-GA-0004", "LE-0001"])
    assert "candidate" in judge(CANDIDATES, off_target, "zh-Hans", NAMES).why


def test_a_draft_is_right_only_when_it_is_saved_and_the_reply_links_to_it() -> None:
    expect = {"draft_for": "GZ-GA-0013"}
    linked = Reply(texts=["已为您保存草稿"], draft_link="onewindow://apply?matter=GZ-GA-0013&draft=1")
    assert judge(expect, linked, "zh-Hans", NAMES, Citizen(True, drafts=frozenset({"GZ-GA-0013"}))).right
    assert "no draft" in judge(expect, linked, "zh-Hans", NAMES, Citizen(True)).why
    unlinked = reply("已为您保存草稿", ["GZ-GA-0013"])  # a card of the matter is not a link to the draft
    assert not judge(expect, unlinked, "zh-Hans", NAMES, Citizen(True, drafts=frozenset({"GZ-GA-0013"}))).right


def test_sign_in_first_is_asked_in_each_locale() -> None:
    expect = {"sign_in_first": True}
    assert judge(expect, reply("请先在应用里登录"), "zh-Hans", NAMES).right
    assert judge(expect, reply("請先在應用程式裡登入"), "zh-Hant", NAMES).right
    assert judge(expect, reply("Please sign in to the app first"), "en", NAMES).right
    assert not judge(expect, reply("Here it is: passport", ["GZ-GA-0013"]), "en", NAMES).right


def test_own_case_names_an_application_and_for_a_refusal_says_why() -> None:
    citizen = Citizen(True, ("GZ2026120700001",), ("已受理",))
    progress = reply("您最近的申请：\n户口迁移（GZ2026120700001）：已受理")
    assert judge({"own_case": "progress"}, progress, "zh-Hans", NAMES, citizen).right
    assert not judge({"own_case": "progress"}, reply("您还没有提交过申请。"), "zh-Hans", NAMES, citizen).right
    verdict = judge({"own_case": "refusal_reason"}, progress, "zh-Hans", NAMES, citizen)
    assert not verdict.right and "refusal_reason" in verdict.why
    reason = reply("您的申请（GZ2026120700001）被驳回，原因：材料不全")
    assert judge({"own_case": "refusal_reason"}, reason, "zh-Hans", NAMES, citizen).right
    refund = reply("Your application GZ2026120700001: the refund of ¥10 was paid back")
    assert judge({"own_case": "refund"}, refund, "en", NAMES, citizen).right


def test_smalltalk_suggests_nothing_and_names_no_matter() -> None:
    expect = {"smalltalk": True}
    assert judge(expect, reply("不客气！还有什么可以帮您？"), "zh-Hans", NAMES).right
    assert not judge(expect, reply("为您找到：普通护照签发", ["GZ-GA-0013"]), "zh-Hans", NAMES).right
    assert "names" in judge(expect, reply("居住证办理需要准备……"), "zh-Hans", NAMES).why


def test_a_reply_with_errors_is_wrong_and_every_kind_is_known() -> None:
    failed = reply("", ["GZ-GA-0004"], errors=[{"code": "ASSISTANT_UNAVAILABLE", "message": "busy"}])
    assert not judge({"matters": ["GZ-GA-0004"]}, failed, "zh-Hans", NAMES).right
    expectations: list[dict[str, Any]] = [{"matters": []}, {"bundle": "x"}, CANDIDATES, {"own_case": "due"}]
    kinds = [kind_of(e) for e in [*expectations, {"smalltalk": True}]]
    assert kinds == ["matters", "bundle", "clarify", "own_case", "smalltalk"]
