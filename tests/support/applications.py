"""Helpers for application tests: upload a file, fill a form's required fields."""

from __future__ import annotations

from typing import Any

from tests.support.gql import Client, run

DEMO_ID = "44010619880315011X"
# The smallest valid PNG: what the upload endpoint recognises by its signature.
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
    b"\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82"
)


async def upload(api: Client, token: str, content: bytes = PNG, name: str = "scan.png") -> dict[str, Any]:
    """Upload a file as the citizen; the endpoint's JSON answer."""
    response = await api.post(
        "/uploads", files={"file": (name, content, "image/png")}, headers={"authorization": f"Bearer {token}"}
    )
    assert response.status_code == 201, response.text
    answer: dict[str, Any] = response.json()
    return answer


def filler(field: dict[str, Any]) -> Any:
    kinds = {
        "text": "测试",
        "textarea": "测试",
        "address": "广州市天河区天河路1号",
        "date": "2026-01-05",
        "number": 1,
        "money": "100.00",
        "boolean": True,
        "phone": "13800138000",
    }
    if field["type"] == "select":
        return field["options"][0]["value"]
    if field["type"] == "credit_code":
        return "91350100M000100Y43"
    if field["type"] == "id_number":
        return DEMO_ID
    return kinds[field["type"]]


def fill_required(form: dict[str, Any], values: dict[str, Any]) -> dict[str, Any]:
    """`values` plus a plausible value for every required field the form left empty."""
    filled = dict(values)
    for field in form["fields"]:
        if field["value"] is None and field["required"] and field["key"] not in filled:
            filled[field["key"]] = filler(field)
    return filled


# What an issuing officer plausibly enters for each type of certificate field (a validity ends in 2031).
OFFICER_ENTRIES = {
    "text": "广州市公安局",
    "address": "广州市天河区天河路2号",
    "date": "2031-12-06",
    "number": 80,
    "money": "50000.00",
    "id_number": DEMO_ID,
    "credit_code": "91350100M000100Y43",
}

TO_ENTER = """query($id: ID!) { application(id: $id) { certificateFieldsToEnter { certificateType key type } } }"""


async def officer_entries(api: Client, officer: str, application_id: str) -> dict[str, dict[str, Any]]:
    """What the officer enters at ISSUE: a plausible value for every field the application asks of them."""
    return entries_for(
        (await run(api, officer, TO_ENTER, {"id": application_id}))["application"]["certificateFieldsToEnter"]
    )


def entries_for(to_enter: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """A plausible entry for each field of `certificateFieldsToEnter { certificateType key type }`."""
    entries: dict[str, dict[str, Any]] = {}
    for field in to_enter:
        entries.setdefault(field["certificateType"], {})[field["key"]] = OFFICER_ENTRIES[field["type"]]
    return entries


PROCESS = """mutation($i: ProcessApplicationInput!) { processApplication(input: $i) {
  application { id status } errors { code field message } } }"""


async def process(
    api: Client, officer: str, application_id: str, *steps: dict[str, Any], locale: str = "zh-CN"
) -> None:
    """The officer takes each step on the application ({"action": "ACCEPT"}, {"action": "REJECT", "reason": ...})."""
    for step in steps:
        variables = {"i": {"applicationId": application_id} | step}
        done = (await run(api, officer, PROCESS, variables, locale))["processApplication"]
        assert done["errors"] == [], done
