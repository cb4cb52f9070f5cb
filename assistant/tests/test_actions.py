"""Action unit tests: each tracker is built from a JSON file (tests/trackers/), the backend is a fake
that answers from tests/fixtures.json, and the assertions are on what the citizen would read."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import actions, backend
from actions.backend import BackendUnavailableError, Hit, NotSignedInError

HERE = Path(__file__).parent
FIXTURES = json.loads((HERE / "fixtures.json").read_text(encoding="utf-8"))


class FakeBackend:
    """Answers like the backend's GraphQL API would, from fixtures; records what was asked."""

    def __init__(self, down: bool = False) -> None:
        self.down = down
        self.searched: list[str] = []

    def _check(self) -> None:
        if self.down:
            raise BackendUnavailableError("connection refused")

    async def search(self, query: str, locale: str, first: int = 5) -> list[Hit]:
        self._check()
        self.searched.append(query)
        keys = sorted((k for k in FIXTURES["search"] if k in query), key=len, reverse=True)
        return [Hit(*hit) for hit in FIXTURES["search"][keys[0]]] if keys else []

    async def matter(self, code: str, locale: str) -> dict[str, Any] | None:
        self._check()
        return FIXTURES["matters"].get(code)

    async def bundle(self, code: str, locale: str) -> dict[str, Any] | None:
        self._check()
        return FIXTURES["bundles"].get(code)

    async def my_applications(self, token: str | None, locale: str, first: int = 5) -> dict[str, Any]:
        self._check()
        if token not in FIXTURES["applications"]:
            raise NotSignedInError()
        return FIXTURES["applications"][token]


class Ran:
    """What one action run said and remembered."""

    def __init__(self, dispatcher: CollectingDispatcher, events: list[dict[str, Any]], fake: FakeBackend) -> None:
        self.texts = [m["text"] for m in dispatcher.messages if m.get("text")]
        self.text = "\n".join(self.texts)
        self.buttons = [b for m in dispatcher.messages for b in m.get("buttons") or []]
        customs = [m.get("custom") or {} for m in dispatcher.messages]
        self.suggestions = [s["code"] for custom in customs for s in custom.get("suggestions", [])]
        self.slots = {e["name"]: e["value"] for e in events if e.get("event") == "slot"}
        self.searched = fake.searched


def run(action: Any, tracker_file: str, down: bool = False) -> Ran:
    fake = FakeBackend(down)
    backend.use(fake)
    state = json.loads((HERE / "trackers" / f"{tracker_file}.json").read_text(encoding="utf-8"))
    tracker = Tracker.from_dict(state)
    dispatcher = CollectingDispatcher()
    events = asyncio.run(action().run(dispatcher, tracker, {}))
    return Ran(dispatcher, events, fake)


def test_a_clear_result_is_answered_with_its_card_and_remembered() -> None:
    ran = run(actions.ActionRespond, "find_passport")
    assert ran.texts[0].startswith("为您找到：普通护照签发（广州市公安局）。中国公民因私出国")
    assert "点下方卡片打开已为您预填的表单" in ran.text
    assert ran.suggestions == ["GZ-GA-0013"]  # the library card scored under 60% of the passport: not offered
    assert [b["payload"] for b in ran.buttons] == [
        "/ask_materials",
        "/ask_fee",
        "/ask_duration",
        "/ask_location",
        "/apply_now",
    ]
    assert ran.slots == {
        "matter_code": "GZ-GA-0013",
        "offered": None,
        "offered_for": None,
        "pending_question": None,
        "reasked": None,
        "failures": 0,
    }


def test_close_results_are_offered_as_buttons() -> None:
    ran = run(actions.ActionRespond, "find_residence_permit_close")
    assert ran.text == "您想办的是哪一项？"
    assert [b["title"] for b in ran.buttons] == ["广东省居住证申领", "居住证换领、补领", "居住证签注"]
    assert ran.buttons[0]["payload"] == '/choose_matter{"matter_code":"GZ-GA-0006"}'
    assert ran.suggestions == ["GZ-GA-0006", "GZ-GA-0008", "GZ-GA-0007"]
    assert "matter_code" not in ran.slots


def test_a_life_event_is_found_in_english() -> None:
    ran = run(actions.ActionRespond, "find_restaurant_en")
    assert ran.texts[0].startswith("Here is the life event Opening a restaurant: one form for 2 services.")
    assert ran.suggestions == ["LE-0001", "GZ-SJJ-0006"]
    assert ran.slots["matter_code"] == "LE-0001"


def test_the_second_failure_in_a_row_hands_over_to_a_person() -> None:
    ran = run(actions.ActionRespond, "find_nothing_twice")
    assert "12345" in ran.text and "转人工" in ran.text
    assert ran.slots == {"failures": 0}


def test_a_follow_up_question_is_about_the_matter_discussed() -> None:
    ran = run(actions.ActionRespond, "fee_follow_up")
    assert ran.texts[0].splitlines() == [
        "普通护照签发的收费：",
        "出入境证件费（普通护照）：120.00元",
        "提交后可在应用内用支付宝统一缴费，电子票据即时开具。",
    ]
    assert ran.searched == []  # "要多少钱" names no matter: nothing searched
    assert ran.suggestions == ["GZ-GA-0013"]


def test_a_question_without_a_matter_asks_which_one() -> None:
    ran = run(actions.ActionRespond, "materials_without_matter")
    assert ran.texts[0].startswith("您问的是哪个事项？")
    assert ran.slots == {"pending_question": "materials"}  # asking back is not a failure


def test_a_question_naming_other_close_matters_asks_and_keeps_the_question() -> None:
    ran = run(actions.ActionRespond, "materials_names_close_matters")
    assert ran.searched == ["居住证"]
    assert ran.text == "您想办的是哪一项？"
    assert ran.slots == {
        "offered": [
            {"kind": "matter", "code": "GZ-GA-0006", "name": "广东省居住证申领"},
            {"kind": "matter", "code": "GZ-GA-0008", "name": "居住证换领、补领"},
            {"kind": "matter", "code": "GZ-GA-0007", "name": "居住证签注"},
        ],
        "offered_for": "居住证要带什么材料",
        "pending_question": "materials",
        "reasked": False,
    }


def test_choosing_answers_the_question_asked_before() -> None:
    ran = run(actions.ActionRespond, "choose_after_question")
    assert ran.texts[0] == "广东省居住证申领即办：材料齐全当场办结。\n符合条件的可秒批，提交后立即出结果。"
    assert ran.slots["matter_code"] == "GZ-GA-0006" and ran.slots["pending_question"] is None


def test_a_bundles_halls_and_materials_merge_its_matters() -> None:
    location = run(actions.ActionRespond, "location_bundle_en")
    assert location.texts[0].splitlines() == [
        "Opening a restaurant needs at most 1 visit(s); you can go to:",
        "Tianhe service centre, 1 Tianhe Road (weekdays 09:00-17:00, closed on Saturday)",
        "Questions: Market Regulation, 020-83118111",  # the API writes E.164; people read the local form
    ]
    assert location.searched == []  # a button's payload is not a matter's name
    materials = run(actions.ActionRespond, "materials_bundle_en")
    assert materials.texts[0].splitlines() == [
        "For Opening a restaurant you need:",
        "1. ID card (taken from your e-certificate: no paper copy needed)",
        "2. Floor plan",
        "Documents shared by several steps are submitted once.",
    ]


def test_progress_needs_a_signed_in_citizen() -> None:
    assert run(actions.ActionRespond, "progress_anonymous").text == "请先在应用里登录，我才能查询您的办件。"


def test_progress_lists_the_citizens_applications_with_state_deadline_and_what_is_due() -> None:
    ran = run(actions.ActionRespond, "progress_signed_in")
    assert ran.texts[0].splitlines() == [
        "您最近的申请：",
        "普通护照签发（GZ-2026-000123）：审查中，预计2026-11-27前办结，待缴费120.00元",
        "机动车驾驶证期满换证（GZ-2026-000100）：已批准",
        # a deadline in a year whose official holiday arrangement is not out yet is said to be provisional
        "户口迁移（GZ-2026-000130）：已提交，预计2027-01-05前办结（暂按法定节假日推算，以正式放假安排为准）",
    ]
    nothing = run(actions.ActionRespond, "progress_nothing_yet")
    assert nothing.text == "You have not submitted any applications yet."


def test_paying_lists_what_is_due_in_traditional_chinese() -> None:
    ran = run(actions.ActionRespond, "pay_signed_in")
    assert ran.texts[0].splitlines() == [
        "待繳費的申請（在「我的辦件」中點「繳費」，用支付寶支付）：",
        "普通护照签发（GZ-2026-000123）：120.00元",
    ]


def test_out_of_scope_twice_hands_over() -> None:
    ran = run(actions.ActionRespond, "out_of_scope_second_time")
    assert ran.text.startswith("为您转人工服务：请拨打12345")


def test_a_request_inside_a_greeting_is_answered() -> None:
    ran = run(actions.ActionRespond, "greet_with_request")
    assert ran.suggestions == ["GZ-GA-0013"]


def test_a_backend_that_is_down_gets_a_clear_answer() -> None:
    ran = run(actions.ActionRespond, "progress_signed_in", down=True)
    assert ran.text == "系统暂时繁忙，请稍后再试，或拨打12345热线。"
    assert ran.slots == {}


def test_a_situation_misread_as_a_progress_question_is_searched() -> None:
    ran = run(actions.ActionRespond, "progress_misread_situation")
    assert ran.suggestions == ["GZ-GA-0013"]


def test_a_message_not_understood_is_still_searched() -> None:
    ran = run(actions.ActionRespond, "fallback_search_knows")
    assert ran.suggestions == ["GZ-GA-0013"]


def test_a_question_about_one_application_lists_it_first() -> None:
    ran = run(actions.ActionRespond, "progress_of_one_matter")
    assert ran.texts[0].splitlines()[1] == "机动车驾驶证期满换证（GZ-2026-000100）：已批准"
    assert ran.searched == []


def test_paying_a_named_fee_lists_what_is_due_rather_than_the_service() -> None:
    ran = run(actions.ActionRespond, "pay_named_fee")
    assert ran.texts[0].splitlines()[1] == "普通护照签发 (GZ-2026-000123): ¥120.00"
    assert ran.suggestions == []


def test_a_forged_choice_is_refused_not_crashed_on() -> None:
    ran = run(actions.ActionRespond, "choose_forged_payload")
    assert ran.text.startswith("您问的是哪个事项？")
