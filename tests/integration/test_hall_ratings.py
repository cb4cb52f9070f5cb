"""好差评 of an online case (issue 19): a refused application becomes rateable; the citizen rates it once
on the online criteria; the 差评 opens a rectification the department sees without the rater; the answer
is rated; an appeal excluded by an admin leaves the published figures."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from litestar.testing import AsyncTestClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from backend.applications.workdays import WorkCalendar, shanghai_date
from backend.db import tables as t
from backend.hall.ratings.rectification import deadline
from tests.support import factories
from tests.support.gql import as_user, run
from tests.support.identity import staff_token

Sessions = async_sessionmaker[AsyncSession]
MATTER = "GZ-GA-0017"  # a police matter officer.gz-ga handles
PROCESS = """mutation($i: ProcessApplicationInput!) { processApplication(input: $i) {
  application { status } errors { code } } }"""
MINE = """query($p: Boolean) { myRatings(first: 10, pending: $p) { hasNextPage items { id kind kindLabel matterCode
  matterName pending level levelLabel criteria { criterion label level } comment defaulted excluded
  rectification { id state stateLabel deadline answer escalated fixLevel } } } }"""
RATE = """mutation($r: ID!, $l: RatingLevel!, $c: [CriterionLevelInput!]!, $m: String) {
  rateService(rateableId: $r, level: $l, criteria: $c, comment: $m) {
    rating { level levelLabel rectification { id deadline state } } errors { code field message } } }"""
CASES = """query($s: RectificationState) { rectificationCases(first: 10, state: $s) { items {
  id ratingId kind matterCode departmentCode level levelLabel criteria { criterion level } comment state
  stateLabel deadline answer escalated fixLevel } } }"""
ANSWER = """mutation($c: ID!, $o: RectificationOutcome!, $t: String!) {
  answerRectification(caseId: $c, outcome: $o, text: $t) { case { state answer } errors { code } } }"""
RATE_FIX = """mutation($c: ID!, $l: RatingLevel!) { rateRectification(caseId: $c, level: $l) {
  rectification { fixLevel state } errors { code } } }"""
APPEAL = """mutation($r: ID!, $why: String!) { appealRating(rateableId: $r, reason: $why) {
  appeal { id state } errors { code } } }"""
DECIDE = """mutation($a: ID!, $why: String!) { decideAppeal(id: $a, exclude: true, reason: $why) {
  appeal { state decisionReason } errors { code } } }"""
FIGURES = """query($d: String, $from: Date!, $to: Date!) { ratingFigures(departmentCode: $d, from: $from, to: $to) {
  name ratings satisfactionRate defaulted defaultedCounted bad excluded casesDue rectifiedOnTime
  rectifiedOnTimeRate escalated perLevel { level label count } } }"""
CRITERIA = "query($k: RatedKind!) { ratingCriteria(kind: $k) { code label description } }"
ONLINE = [
    {"criterion": c, "level": "DISSATISFIED"} for c in ("EFFICIENCY", "GUIDE_ACCURACY", "CONVENIENCE", "OPERABILITY")
]


async def zh(api: AsyncTestClient[Any], token: str, query: str, variables: dict[str, Any] | None = None) -> Any:
    """The citizen's app, in Simplified Chinese."""
    return await run(api, token, query, variables, locale="zh-CN")


async def _refused_application(api: AsyncTestClient[Any], citizen: factories.Citizen, officer: str) -> str:
    application = await factories.application(api, citizen.token, MATTER)
    step = {"applicationId": application["id"], "action": "REJECT", "reason": "材料不符合要求"}
    assert (await run(api, officer, PROCESS, {"i": step}))["processApplication"]["errors"] == []
    return str(application["id"])


async def test_a_refused_case_is_rated_rectified_appealed_and_published(
    api: AsyncTestClient[Any], db: Sessions, fresh_redis: Any
) -> None:
    citizen = await factories.citizen(api, db)
    officer = await staff_token(api, "officer.gz-ga")
    before = datetime.now(UTC)
    application_id = await _refused_application(api, citizen, officer)

    # The finished case waits for its rating, and the inbox says so
    pending = (await zh(api, citizen.token, MINE, {"p": True}))["myRatings"]["items"]
    assert [(x["kind"], x["matterCode"], x["pending"], x["rectification"]) for x in pending] == [
        ("ONLINE_CASE", MATTER, True, None)
    ]
    assert pending[0]["kindLabel"] == "网上办件"
    async with db() as session:
        row = (await session.execute(select(t.rateables).where(t.rateables.c.subject_id == application_id))).one()
    assert row.citizen_id == citizen.id and row.level is None
    inbox = await zh(api, citizen.token, "{ myNotifications(first: 20) { items { text } } }")
    assert any(f"“{pending[0]['matterName']}”（网上办件）" in x["text"] for x in inbox["myNotifications"]["items"])

    # The criteria are the online channel's, described in the reader's language
    described = await as_user(api, citizen.token, CRITERIA, {"k": "ONLINE_CASE"}, "en")
    assert [x["code"] for x in described[1]["data"]["ratingCriteria"]] == [c["criterion"] for c in ONLINE]
    assert described[1]["data"]["ratingCriteria"][1]["label"] == "Accuracy of the service guide"

    # The hall's criteria do not rate an online case; the online ones do, once
    rateable = pending[0]["id"]
    hall = [{"criterion": "SERVICE_ATTITUDE", "level": "SATISFIED"}]
    wrong = (await zh(api, citizen.token, RATE, {"r": rateable, "l": "SATISFIED", "c": hall}))["rateService"]
    assert [e["code"] for e in wrong["errors"]] == ["RATING_CRITERIA_MISMATCH"]
    comment = f"材料要求说不清，打 {citizen.phone} 也没人回"
    rated = await zh(api, citizen.token, RATE, {"r": rateable, "l": "VERY_DISSATISFIED", "c": ONLINE, "m": comment})
    assert rated["rateService"]["errors"] == []
    assert rated["rateService"]["rating"]["levelLabel"] == "非常不满意"
    case = rated["rateService"]["rating"]["rectification"]
    due = deadline(before, WorkCalendar.default(), 5)
    # 5 working days from the China date of the rating (the test may straddle midnight in Beijing)
    latest = deadline(datetime.now(UTC), WorkCalendar.default(), 5)
    assert case["state"] == "OPEN" and case["deadline"] in (due.isoformat(), latest.isoformat())
    again = await zh(api, citizen.token, RATE, {"r": rateable, "l": "SATISFIED", "c": ONLINE})
    assert [e["code"] for e in again["rateService"]["errors"]] == ["ALREADY_RATED"]

    # The department sees the case, never who rated: the comment's phone is masked
    status, seen = await as_user(api, officer, CASES, {"s": "OPEN"})
    assert status == 200 and "errors" not in seen, seen
    text = str(seen)
    for secret in (citizen.id, citizen.name, citizen.phone, citizen.id_number):
        assert secret not in text
    [item] = seen["data"]["rectificationCases"]["items"]
    assert item["comment"] == f"材料要求说不清，打 {citizen.phone[:3]}****{citizen.phone[-4:]} 也没人回"
    assert (item["ratingId"], item["level"], item["matterCode"]) == (rateable, "VERY_DISSATISFIED", MATTER)
    # An officer of another department does not see it
    other = await staff_token(api, "officer.gz-rsj")
    assert (await run(api, other, CASES, {"s": None}))["rectificationCases"]["items"] == []

    # The answer closes it; the citizen sees it and rates it, once
    said = "已在办事指南中补充材料样例，并安排专人回访。"
    answered = await run(api, officer, ANSWER, {"c": item["id"], "o": "FIXED", "t": said})
    assert answered["answerRectification"] == {"case": {"state": "FIXED", "answer": said}, "errors": []}
    mine = (await zh(api, citizen.token, MINE, {"p": False}))["myRatings"]["items"][0]["rectification"]
    assert (mine["state"], mine["stateLabel"], mine["answer"]) == ("FIXED", "已整改", said)
    fix = await zh(api, citizen.token, RATE_FIX, {"c": item["id"], "l": "SATISFIED"})
    assert fix["rateRectification"] == {"rectification": {"fixLevel": "SATISFIED", "state": "FIXED"}, "errors": []}
    fix_again = await zh(api, citizen.token, RATE_FIX, {"c": item["id"], "l": "SATISFIED"})
    assert [e["code"] for e in fix_again["rateRectification"]["errors"]] == ["FIX_ALREADY_RATED"]

    # Published, to anyone: one rating, a 差评 rectified on time
    start, end = shanghai_date(before).isoformat(), shanghai_date(datetime.now(UTC)).isoformat()
    period = {"d": row.department_code, "from": start, "to": end}
    response = await api.post("/graphql", json={"query": FIGURES, "variables": period})
    figures = response.json()["data"]["ratingFigures"]
    per_level = {x["level"]: x["count"] for x in figures.pop("perLevel")}
    assert figures == {
        "name": figures["name"],
        "ratings": 1,
        "satisfactionRate": 0.0,
        "defaulted": 0,
        "defaultedCounted": True,
        "bad": 1,
        "excluded": 0,
        "casesDue": 1,
        "rectifiedOnTime": 1,
        "rectifiedOnTimeRate": 1.0,
        "escalated": 0,
    }
    assert per_level == {"VERY_SATISFIED": 0, "SATISFIED": 0, "BASIC": 0, "DISSATISFIED": 0, "VERY_DISSATISFIED": 1}

    # The department appeals it as mistaken; an admin excludes it: it no longer counts
    appealed = await run(api, officer, APPEAL, {"r": rateable, "why": "评价针对的是其他部门的事项"})
    assert appealed["appealRating"]["errors"] == []
    twice = await run(api, officer, APPEAL, {"r": rateable, "why": "再次申诉"})
    assert [e["code"] for e in twice["appealRating"]["errors"]] == ["RATING_APPEAL_PENDING"]
    admin = await staff_token(api, "admin")
    decided = await run(api, admin, DECIDE, {"a": appealed["appealRating"]["appeal"]["id"], "why": "经核实属误评"})
    assert decided["decideAppeal"] == {"appeal": {"state": "excluded", "decisionReason": "经核实属误评"}, "errors": []}
    after = (await api.post("/graphql", json={"query": FIGURES, "variables": period})).json()["data"]["ratingFigures"]
    assert (after["ratings"], after["bad"], after["excluded"], after["casesDue"]) == (0, 0, 1, 0)
    assert after["satisfactionRate"] is None
    # The citizen is told, not by whom
    inbox = await zh(api, citizen.token, "{ myNotifications(first: 20) { items { text } } }")
    told = [x["text"] for x in inbox["myNotifications"]["items"] if "经复核" in x["text"]]
    assert told == [f"经复核，您对“{pending[0]['matterName']}”的评价属误评，不再计入统计：经核实属误评"]
    assert "officer" not in told[0]
