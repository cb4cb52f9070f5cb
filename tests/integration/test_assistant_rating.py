"""The assistant takes a 好差评 rating (issue 19) across two turns: the citizen asks to rate, the reply names
the service waiting with the five levels as buttons, the tapped level is recorded as in the app (once; a
差评 opens its rectification case, whose department and deadline the reply gives). Nobody rates another
citizen's service, and a stranger is asked to sign in."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

from litestar.testing import AsyncTestClient

from backend.applications.workdays import SHANGHAI
from backend.db.engine import unit_of_work
from backend.hall.ratings.opening import Rateable, RatedKind, open_rating
from tests.support import factories
from tests.support.gql import as_user, gql, run

SAY = """mutation($t: String!, $c: ID) { assistantMessage(text: $t, conversationId: $c) { conversationId
  messages { text buttons { title payload } } errors { code message } } }"""
MINE = """{ myRatings(first: 5) { items { id pending level levelLabel criteria { criterion level }
  rectification { deadline state } } } }"""
MATTER = "GZ-GA-0019"  # 初次申领机动车驾驶证


async def _visit(db: factories.Sessions, citizen_id: str) -> str:
    """A hall visit the citizen finished yesterday morning, waiting for its rating."""
    finished = datetime.now(SHANGHAI).replace(hour=10, minute=0, second=0, microsecond=0) - timedelta(days=1)
    visit = Rateable(
        kind=RatedKind.HALL_VISIT,
        subject_id=str(uuid.uuid4()),  # the ticket
        citizen_id=citizen_id,
        department_code="GZ-GA",
        matter_code=MATTER,
        finished_at=finished,
        hall_code="HALL-GZ",
    )
    async with db() as session, unit_of_work(session):
        await open_rating(session, visit)
    return finished.date().isoformat()


async def test_a_citizen_rates_a_visit_through_the_assistant(api: AsyncTestClient[Any], db: factories.Sessions) -> None:
    citizen = await factories.citizen(api, db)
    day = await _visit(db, citizen.id)

    asked = (await run(api, citizen.token, SAY, {"t": "我想评价一下"}, locale="zh-CN"))["assistantMessage"]
    assert asked["errors"] == []
    [offer] = asked["messages"]
    assert offer["text"] == f"您对“初次申领机动车驾驶证”（大厅现场办理，{day}办结）满意吗？", offer["text"]
    assert [b["title"] for b in offer["buttons"]] == ["非常满意", "满意", "基本满意", "不满意", "非常不满意"]

    worst = offer["buttons"][-1]["payload"]
    conversation = asked["conversationId"]
    stranger = await factories.citizen(api, db, skip=1)
    refused = (await run(api, stranger.token, SAY, {"t": worst}, locale="zh-CN"))["assistantMessage"]
    assert [e["code"] for e in refused["errors"]] == ["RATING_NOT_FOUND"]

    rated = (await run(api, citizen.token, SAY, {"t": worst, "c": conversation}, locale="zh-CN"))["assistantMessage"]
    assert rated["errors"] == [] and rated["conversationId"] == conversation
    mine = (await run(api, citizen.token, MINE))["myRatings"]["items"]
    assert [(r["pending"], r["level"]) for r in mine] == [(False, "VERY_DISSATISFIED")]
    assert {c["level"] for c in mine[0]["criteria"]} == {"VERY_DISSATISFIED"} and len(mine[0]["criteria"]) == 3
    deadline = mine[0]["rectification"]["deadline"]
    assert [m["text"] for m in rated["messages"]] == [
        "谢谢您！您对“初次申领机动车驾驶证”的评价已记录：非常不满意。",
        f"广州市公安局将进行整改，并在{deadline}前答复您；答复可在“我的评价”中查看。",
    ]

    again = (await run(api, citizen.token, SAY, {"t": worst}, locale="en"))["assistantMessage"]
    assert [e["code"] for e in again["errors"]] == ["ALREADY_RATED"] and again["messages"][0]["text"]
    nothing = await run(api, citizen.token, SAY, {"t": "I'd like to rate a service"}, locale="en")
    assert nothing["assistantMessage"]["messages"][0]["text"] == "No service of yours is waiting for a rating."


async def test_a_stranger_is_asked_to_sign_in_and_a_forged_payload_is_not_a_rating(
    api: AsyncTestClient[Any], db: factories.Sessions
) -> None:
    body = await gql(api, SAY, {"t": "我要評價"}, locale="zh-HK")
    assert body["data"]["assistantMessage"]["messages"][0]["text"] == "請先登入，再評價您辦理過的服務。"
    citizen = await factories.citizen(api, db)
    status, answer = await as_user(api, citizen.token, SAY, {"t": '/rate{"rateable":"x","level":"awful"}'})
    # Not a level: no rating turn, so the message goes to the assistant like any other text.
    assert status == 200 and all(e["code"] != "RATING_NOT_FOUND" for e in answer["data"]["assistantMessage"]["errors"])


def test_which_messages_are_rating_turns() -> None:
    from backend.assistant.ratings import Ask, Rate, read_turn

    for asking in ("我想评价一下", "我要評價", "好差评", "I'd like to rate a service", "leave feedback", "打分"):
        assert read_turn(asking) == Ask(), asking
    for other in (
        "what is the fee rate",
        "办理驾驶证要带什么材料",
        "这个事项的办理结果和评价标准有哪些规定呢请详细告诉我一下谢谢",
        "",
    ):
        assert read_turn(other) is None, other
    assert isinstance(read_turn('/rate{"rateable":"r1","level":"satisfied"}'), Rate)
    assert read_turn('/rate{"rateable":"r1"}') is None
