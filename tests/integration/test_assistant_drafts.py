""" "Apply now" in a conversation: the assistant's draft request becomes the signed-in citizen's draft.

Rasa is a stand-in REST channel on a real port answering what each test sets, with the draft request
as the rewritten actions send it (a custom message {"draft": {kind, code, values}}); the backend is the
real app over GraphQL. The draft is the one saveDraft keeps: the form opens with it, nothing is submitted,
the citizen's own entries win, and only the form's own fields with valid choices are kept.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from litestar.testing import AsyncTestClient
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from backend.app import create_app
from backend.applications.errors import ApplicationErrorCode
from backend.applications.services import Applications
from backend.applications.unit import Unit
from backend.assistant.drafts import save_assistant_draft
from backend.assistant.errors import AssistantErrorCode
from backend.assistant.relay import DraftRequest
from backend.db import tables as t
from backend.db.engine import unit_of_work
from backend.errors import DomainError
from tests.conftest import make_settings
from tests.support import factories
from tests.support.fake_rasa import FakeRasa, fake_rasa
from tests.support.gql import gql, run
from tests.support.identity import third_party_token
from tests.support.servers import RedisServer

ASK = """mutation($t: String!) { assistantMessage(text: $t) {
  messages { text } errors { code field message }
  draft { kind code title version deepLink prefilled } } }"""
FORM = """query($m: String, $b: String) { applicationForm(matterCode: $m, bundleCode: $b) {
  draftVersion fields { key value source } } }"""
SAVE = """mutation($i: SaveDraftInput!) { saveDraft(input: $i) { draft { version } errors { code } } }"""
MINE = "query { myApplications(first: 5) { edges { node { reference } } } }"
CHILD_ORDER = {"zh-Hans": "本次登记为第几个孩子", "en": "Which child is this?"}
DUE_DATE = "Expected due date (or date of birth)"


@pytest.fixture(scope="module")
def rasa() -> Iterator[tuple[FakeRasa, str]]:
    with fake_rasa() as running:
        yield running


@pytest_asyncio.fixture
async def client(
    rasa: tuple[FakeRasa, str], catalog_database: str, redis_server: RedisServer, fresh_redis: Any, tmp_path: Path
) -> AsyncIterator[AsyncTestClient[Any]]:
    settings = make_settings(
        catalog_database, redis_server.url, tmp_path / "assistant", assistant_url=rasa[1], app_link="onewindow://apply"
    )
    async with AsyncTestClient(create_app(settings)) as api:
        yield api


async def _ask(client: AsyncTestClient[Any], token: str, locale: str = "zh-CN") -> dict[str, Any]:
    reply: dict[str, Any] = (await run(client, token, ASK, {"t": "帮我申请"}, locale))["assistantMessage"]
    assert reply["messages"] == [{"text": "已为您准备好申请表"}]  # the conversation goes on either way
    return reply


async def _form(
    client: AsyncTestClient[Any], token: str, *, matter: str | None = None, bundle: str | None = None
) -> Any:
    form = (await run(client, token, FORM, {"m": matter, "b": bundle}))["applicationForm"]
    return form["draftVersion"], {f["key"]: (f["value"], f["source"]) for f in form["fields"]}


async def test_apply_now_saves_the_conversations_answers_as_the_citizens_draft_and_submits_nothing(
    client: AsyncTestClient[Any], rasa: tuple[FakeRasa, str], db: async_sessionmaker[AsyncSession]
) -> None:
    fake, _ = rasa
    citizen = await factories.citizen(client, db)
    fake.drafts({"kind": "matter", "code": "GZ-WJW-0001", "values": {"child_order": "2"}})
    reply = await _ask(client, citizen.token)
    assert reply["errors"] == []
    assert reply["draft"] == {
        "kind": "MATTER",
        "code": "GZ-WJW-0001",
        "title": "生育登记",
        "version": 1,
        "deepLink": "onewindow://apply?matter=GZ-WJW-0001&draft=1",
        "prefilled": [CHILD_ORDER["zh-Hans"]],  # labels in the request's language, never keys
    }
    # The form opens with it, as saved by the draft service, on any device
    version, fields = await _form(client, citizen.token, matter="GZ-WJW-0001")
    assert version == 1
    assert fields["child_order"] == ("2", "draft")
    # Nothing was submitted
    assert (await run(client, citizen.token, MINE))["myApplications"]["edges"] == []


async def test_a_bundle_draft_keeps_the_fields_of_its_merged_form(
    client: AsyncTestClient[Any], rasa: tuple[FakeRasa, str], db: async_sessionmaker[AsyncSession]
) -> None:
    fake, _ = rasa
    citizen = await factories.citizen(client, db)
    fake.drafts({"kind": "bundle", "code": "LE-0002", "values": {"new_baby_sex": "female", "bank": "icbc"}})
    reply = await _ask(client, citizen.token, locale="en")
    draft = reply["draft"]
    assert (draft["kind"], draft["title"], draft["version"]) == ("BUNDLE", "Having a Baby", 1)
    assert draft["deepLink"] == "onewindow://apply?bundle=LE-0002&draft=1"
    assert draft["prefilled"] == ["Baby's sex", "Partner bank for the card's payment function"]
    version, fields = await _form(client, citizen.token, bundle="LE-0002")
    assert version == 1
    assert (fields["new_baby_sex"], fields["bank"]) == (("female", "draft"), ("icbc", "draft"))


async def test_the_citizens_own_entries_win_and_only_the_forms_fields_with_valid_choices_are_kept(
    client: AsyncTestClient[Any], rasa: tuple[FakeRasa, str], db: async_sessionmaker[AsyncSession]
) -> None:
    fake, _ = rasa
    citizen = await factories.citizen(client, db)
    # The citizen already chose "first child" on their phone
    saved = await run(client, citizen.token, SAVE, {"i": {"matterCode": "GZ-WJW-0001", "values": {"child_order": "1"}}})
    assert saved["saveDraft"] == {"draft": {"version": 1}, "errors": []}
    fake.drafts(
        {
            "kind": "matter",
            "code": "GZ-WJW-0001",
            "values": {
                "child_order": "2",  # the citizen's entry wins
                "expected_due_date": "2027-03-01",  # still empty: kept
                "favourite_colour": "blue",  # not a field of this form
            },
        }
    )
    reply = await _ask(client, citizen.token, locale="en")
    assert reply["errors"] == []
    assert (reply["draft"]["version"], reply["draft"]["prefilled"]) == (2, [DUE_DATE])  # saved over version 1
    version, fields = await _form(client, citizen.token, matter="GZ-WJW-0001")
    assert version == 2
    assert fields["child_order"] == ("1", "draft")
    assert fields["expected_due_date"] == ("2027-03-01", "draft")
    assert "favourite_colour" not in fields
    # A choice that is not among the field's options is dropped: the draft stays as it was
    other = await factories.citizen(client, db, skip=1)
    fake.drafts({"kind": "matter", "code": "GZ-WJW-0001", "values": {"child_order": "seven", "colour": "x"}})
    reply = await _ask(client, other.token, locale="en")
    assert (reply["draft"]["version"], reply["draft"]["prefilled"]) == (1, [])
    _, fields = await _form(client, other.token, matter="GZ-WJW-0001")
    assert fields["child_order"][1] != "draft"


async def test_an_unknown_code_is_a_coded_error_beside_the_assistants_messages(
    client: AsyncTestClient[Any], rasa: tuple[FakeRasa, str], db: async_sessionmaker[AsyncSession]
) -> None:
    fake, _ = rasa
    citizen = await factories.citizen(client, db)
    fake.drafts({"kind": "matter", "code": "GZ-XX-9999", "values": {}})
    reply = await _ask(client, citizen.token, locale="zh-HK")
    assert reply["draft"] is None
    assert reply["errors"] == [
        {
            "code": "ASSISTANT_DRAFT_NOT_SAVED",
            "field": None,
            "message": "助手未能把您的回答儲存為草稿，請打開申請表自行填寫。",
        }
    ]


async def test_anonymous_callers_and_staff_get_no_draft(
    client: AsyncTestClient[Any], rasa: tuple[FakeRasa, str], db: async_sessionmaker[AsyncSession]
) -> None:
    fake, _ = rasa
    fake.drafts({"kind": "matter", "code": "GZ-WJW-0001", "values": {"child_order": "2"}})
    body = await gql(client, ASK, {"t": "帮我申请"})
    assert "errors" not in body, body
    reply = body["data"]["assistantMessage"]
    assert (reply["draft"], reply["errors"]) == (None, [])
    assert reply["messages"] == [{"text": "已为您准备好申请表"}]
    reply = await _ask(client, await factories.staff(client, "officer.gz-wjw"))
    assert (reply["draft"], reply["errors"]) == (None, [])
    async with db() as session:
        assert (await session.execute(select(func.count()).select_from(t.drafts))).scalar_one() == 0


async def test_a_citizens_app_that_may_not_save_drafts_is_told_so_and_nothing_is_kept(
    client: AsyncTestClient[Any],
    rasa: tuple[FakeRasa, str],
    db: async_sessionmaker[AsyncSession],
    fresh_redis: Any,
) -> None:
    fake, _ = rasa
    fake.drafts({"kind": "matter", "code": "GZ-WJW-0001", "values": {"child_order": "2"}})
    citizen = await factories.citizen(client, db)
    reader, _ = await third_party_token(client, db, fresh_redis, citizen.phone, ["openid", "applications:read"])
    reply = await _ask(client, reader)
    assert reply["draft"] is None  # the assistant's words spoke of a draft: the error says there is none
    assert [e["code"] for e in reply["errors"]] == [AssistantErrorCode.ASSISTANT_DRAFT_NOT_SAVED.value]
    async with db() as session:
        assert (await session.execute(select(func.count()).select_from(t.drafts))).scalar_one() == 0


MALFORMED = [
    "GZ-WJW-0001",
    {"kind": "form", "code": "GZ-WJW-0001", "values": {}},
    {"kind": "matter", "code": "gz-wjw-0001; drop", "values": {}},
    {"kind": "matter", "code": "GZ-WJW-0001", "values": ["child_order", "2"]},
    {"kind": "matter", "code": "GZ-WJW-0001", "values": {"child_order": 2}},
    {"kind": "matter", "code": "GZ-WJW-0001", "values": {"child_order": "2" * 201}},
    {"kind": "matter", "code": "GZ-WJW-0001", "values": {f"k{i}": "v" for i in range(21)}},
    {"kind": "matter", "code": "GZ-WJW-0001", "values": {"k" * 65: "v"}},
]


async def test_a_malformed_draft_request_is_ignored(
    client: AsyncTestClient[Any], rasa: tuple[FakeRasa, str], db: async_sessionmaker[AsyncSession]
) -> None:
    fake, _ = rasa
    citizen = await factories.citizen(client, db)
    for bad in MALFORMED:
        fake.drafts(bad)
        reply = await _ask(client, citizen.token)
        assert (reply["draft"], reply["errors"]) == (None, []), bad
    # Nor does a broken suggestion beside it break the reply
    fake.answer = [
        {"recipient_id": "x", "text": "已为您准备好申请表"},
        {"recipient_id": "x", "custom": {"suggestions": ["x"]}},
    ]
    assert (await _ask(client, citizen.token))["draft"] is None
    version, _ = await _form(client, citizen.token, matter="GZ-WJW-0001")
    assert version is None


async def _services(client: AsyncTestClient[Any], session: AsyncSession) -> Applications:
    """The applications services on `session`, as a request's context makes them."""
    resources = client.app.state.resources
    return Applications(Unit(session, resources.applications, await resources.catalog.get()))


async def test_another_device_saving_meanwhile_is_not_overwritten(
    client: AsyncTestClient[Any], db: async_sessionmaker[AsyncSession]
) -> None:
    citizen = await factories.citizen(client, db)
    saved = await run(client, citizen.token, SAVE, {"i": {"matterCode": "GZ-WJW-0001", "values": {"child_order": "1"}}})
    assert saved["saveDraft"]["draft"] == {"version": 1}
    request = DraftRequest(kind="matter", code="GZ-WJW-0001", values={"expected_due_date": "2027-03-01"})
    async with db() as session, unit_of_work(session):
        services = await _services(client, session)
        read = services.drafts.get
        other_device_saved = False

        async def read_then_other_device_saves(citizen_id: str, target: str) -> Any:
            # Between the assistant's read of version 1 and its write, the phone saves version 2
            nonlocal other_device_saved
            found = await read(citizen_id, target)
            if not other_device_saved:
                other_device_saved = True
                values = {"matterCode": "GZ-WJW-0001", "values": {"expected_due_date": "2027-01-01"}, "version": 1}
                assert (await run(client, citizen.token, SAVE, {"i": values}))["saveDraft"]["draft"] == {"version": 2}
            return found

        services.drafts.get = read_then_other_device_saves  # type: ignore[method-assign]
        # The assistant's save meets the version check, reads again, and finds the field filled by then
        kept = await save_assistant_draft(services.drafts, services.targets, citizen.id, request)
    assert (kept.version, kept.filled) == (2, [])
    _, fields = await _form(client, citizen.token, matter="GZ-WJW-0001")
    assert fields["expected_due_date"] == ("2027-01-01", "draft")
    assert fields["child_order"] == ("1", "draft")


async def test_a_draft_that_keeps_conflicting_is_given_up_with_a_coded_error(
    client: AsyncTestClient[Any], db: async_sessionmaker[AsyncSession]
) -> None:
    citizen = await factories.citizen(client, db)
    request = DraftRequest(kind="matter", code="GZ-WJW-0001", values={"child_order": "2"})
    attempts = 0

    async def always_saved_elsewhere(*_: Any, **__: Any) -> Any:
        nonlocal attempts
        attempts += 1
        raise DomainError(ApplicationErrorCode.DRAFT_CONFLICT, field="version")

    async with db() as session:
        services = await _services(client, session)
        services.drafts.save = always_saved_elsewhere  # type: ignore[method-assign]
        with pytest.raises(DomainError) as refused:
            await save_assistant_draft(services.drafts, services.targets, citizen.id, request)
    assert (refused.value.code, attempts) == (AssistantErrorCode.ASSISTANT_DRAFT_NOT_SAVED, 2)
