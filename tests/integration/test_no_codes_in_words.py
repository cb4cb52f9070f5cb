"""What a person reads never shows an internal code ("valid", "male", "petrol", "submitted", "approve").

The main journeys are walked through the real API in Simplified Chinese, Traditional Chinese and English:
catalog search, the one form with its eligibility explanation, submitting, the wallet, an officer's and a
citizen's refused steps, an officer's request for a supplement, the inbox and the timeline. Every
human-readable field of every answer (HUMAN, by field name) is split into words, and no word may be an
internal code: an application status or step, a certificate status, a value the catalog enumerates, a
catalog enum, a rule operator, an error code. Machine fields (MACHINE: codes, enum values, ids, raw
values) are left out by name; a field in neither list fails the test until someone says which it is.

A code is only detectable where it is not also a word of the reader's language: "valid" is ordinary
English ("a valid driving licence"), so English answers are checked for the codes English never uses
(small_passenger, supplement_requested) and the Chinese answers catch the rest. The vocabulary of a
locale is every translation, every catalog text and every label the platform gives the catalog's values
in it.
"""

from __future__ import annotations

import json
import re
import typing
from collections.abc import Iterator
from typing import Any

import pytest
from litestar.testing import AsyncTestClient
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from backend.applications.states import Action, Status
from backend.catalog import format as fmt
from backend.catalog.files import DEMO_CATALOG_DIR
from backend.catalog.labels import option_labels
from backend.certificates import texts as certificate_texts
from backend.errors import MESSAGES as ERROR_MESSAGES
from backend.graphql.certificates.types import VerificationStatus
from backend.i18n import Locale, read_catalog
from backend.messages import all_msgids
from backend.rules.explain import BUILTIN_LABELS, BUILTIN_OPTION_LABELS
from backend.rules.jsonlogic import OPERATORS
from backend.settings import PROJECT_ROOT
from tests.support import factories
from tests.support.applications import upload
from tests.support.gql import as_user, run
from tests.support.identity import staff_token

HUMAN = frozenset(
    {
        "name",
        "shortName",
        "summary",
        "snippet",
        "instantApprovalCriteria",
        "legalBasis",
        "note",
        "label",
        "sourceLabel",
        "policy",
        "text",
        "statusLabel",
        "actionLabel",
        "actorName",
        "reason",
        "message",
    }
)
"""Fields a citizen or an officer reads: never a code."""
MACHINE = frozenset(
    {
        "id",
        "code",
        "key",
        "value",
        "type",
        "required",
        "options",
        "source",
        "path",
        "held",
        "eligible",
        "status",
        "action",
        "fromStatus",
        "toStatus",
        "actorType",
        "reasonFields",
        "field",
        "reference",
        "typeCode",
        "certificateId",
        "certificateType",
        "replaced",
        "read",
        "unreadCount",
        "score",
    }
)
"""Fields programs read: codes, enum values, ids, raw values (the app shows their labels instead)."""

LOCALES = {"zh-CN": Locale.ZH_HANS, "zh-TW": Locale.ZH_HANT, "en": Locale.EN}
WORD = re.compile(r"[A-Za-z][A-Za-z0-9_]*")
CODE = re.compile(r"[A-Za-z][A-Za-z0-9_]+")
PLACEHOLDER = re.compile(r"\{\w+\}")

SEARCH = """query($q: String!) { searchMatters(query: $q, first: 5) { snippet
  matter { name summary instantApprovalCriteria legalBasis department { name shortName }
    materials { name note } fees { name } formFields { label options { value label } } }
  bundle { name summary } } }"""
CERTIFICATE_TYPES = "{ certificateTypes { name fields { key label options choices { value label } } } }"
FORM = """query($m: String!) { applicationForm(matterCode: $m) {
  fields { key label type value source sourceLabel options { value label } } materials { key name } } }"""
ELIGIBILITY = """query($m: String!) { checkEligibility(matterCode: $m) {
  eligible policy conditions { text held path } } }"""
APPLICATION_FIELDS = """id status statusLabel
  decision { eligible policy conditions { text held path } }
  timeline { action actionLabel fromStatus toStatus actorType actorName reason reasonFields }"""
SUBMIT = f"""mutation($i: SubmitApplicationInput!) {{ submitApplication(input: $i) {{
  application {{ {APPLICATION_FIELDS} }} errors {{ code field message }} }} }}"""
SUPPLEMENT = """mutation($id: ID!) { supplementApplication(id: $id, values: {}) {
  application { id } errors { code field message } } }"""
PROCESS = f"""mutation($i: ProcessApplicationInput!) {{ processApplication(input: $i) {{
  application {{ {APPLICATION_FIELDS} }} errors {{ code field message }} }} }}"""
APPLICATION = f"query($id: ID!) {{ application(id: $id) {{ {APPLICATION_FIELDS} }} }}"
MINE = f"{{ myApplications(first: 50) {{ edges {{ node {{ {APPLICATION_FIELDS} }} }} }} }}"
INBOX = "{ myNotifications(first: 50) { unreadCount items { id text read } } }"
WALLET = "{ myCertificates(first: 50) { items { typeCode name status statusLabel fields { key label value text } } } }"
REFUSED_STEP = {
    Locale.ZH_HANS: "状态为“已提交”的申请不能执行“批准”。",
    Locale.ZH_HANT: "狀態為「已提交」的申請不能執行「批准」。",
    Locale.EN: 'An application that is "Submitted" cannot take the step "Approve".',
}


def _catalog_json() -> dict[str, Any]:
    return {p.name: json.loads(p.read_text(encoding="utf-8")) for p in sorted(DEMO_CATALOG_DIR.glob("*.json"))}


def _locale_texts(node: Any, locale: Locale) -> Iterator[str]:
    """Every text of the catalog JSON in `locale` (a locale map's entry, keywords included)."""
    if isinstance(node, dict):
        if set(node) == {"zh-Hans", "zh-Hant", "en"}:
            value = node[locale.value]
            yield from value if isinstance(value, list) else [value]
            return
        for child in node.values():
            yield from _locale_texts(child, locale)
    elif isinstance(node, list):
        for child in node:
            yield from _locale_texts(child, locale)


def vocabulary(locale: Locale) -> set[str]:
    """The words a reader of `locale` may legitimately see: every translation and catalog text in it."""
    texts = list(read_catalog(PROJECT_ROOT / "locales", locale).values())
    if locale is Locale.EN:
        texts += all_msgids()
    texts += _locale_texts(_catalog_json(), locale)
    texts += _locale_texts([option_labels(), BUILTIN_LABELS, BUILTIN_OPTION_LABELS], locale)
    # a placeholder ({status}) is filled in before anyone reads the text: its name is not a word
    return {word for text in texts for word in WORD.findall(PLACEHOLDER.sub(" ", text))}


def internal_codes() -> dict[str, str]:
    """Every internal code a person must never read, and what it is."""
    found: dict[str, str] = {}
    for status in Status:
        found |= {status.value: "application status", status.name: "application status"}
    for action in Action:
        found |= {action.value: "application step", action.name: "application step"}
    found |= {code: "certificate status" for code in certificate_texts.STATUS_LABELS}
    found |= {status.value: "verification result" for status in VerificationStatus}
    catalog = _catalog_json()
    for kind in catalog["certificate_types.json"]:
        for field in kind["fields"]:
            found |= {value: f"{kind['code']}.{field['key']} option" for value in field.get("options") or []}
    for matter in catalog["matters.json"]:
        for field in matter["form"]:
            found |= {o["value"]: f"{matter['code']} {field['key']} option" for o in field.get("options") or []}
    for enum in (fmt.Level, fmt.Audience, fmt.Theme, fmt.Mode, fmt.FormFieldType, fmt.CertFieldType):
        found |= {value: "catalog enum" for value in typing.get_args(enum)}
    found |= {op: "rule operator" for op in OPERATORS}
    found |= {code: "error code" for code in ERROR_MESSAGES}
    return {code: what for code, what in found.items() if CODE.fullmatch(code)}


def detectable(locale: Locale) -> dict[str, str]:
    """The codes that cannot be a word of `locale`: finding one in a text is a leak."""
    words = vocabulary(locale)
    return {code: what for code, what in internal_codes().items() if code not in words}


def human_texts(answer: Any, at: str = "") -> Iterator[tuple[str, str]]:
    """(where, text) for every human-readable string of a GraphQL answer; unclassified fields fail."""
    if isinstance(answer, dict):
        for key, value in answer.items():
            where = f"{at}.{key}"
            if isinstance(value, dict) or (isinstance(value, list) and value and isinstance(value[0], dict)):
                yield from human_texts(value, where)
            elif value is None or value == []:
                continue
            elif key in HUMAN:
                yield from ((where, text) for text in (value if isinstance(value, list) else [value]))
            else:
                assert key in MACHINE, f"{where}: say whether people read it (HUMAN) or programs (MACHINE)"
    elif isinstance(answer, list):
        for index, item in enumerate(answer):
            yield from human_texts(item, f"{at}[{index}]")


def leaks(answer: Any, codes: dict[str, str]) -> list[str]:
    """Each code found in a human-readable string, with where and what it is."""
    return [
        f"{where}: {word!r} ({codes[word]}) in {text!r}"
        for where, text in human_texts(answer)
        for word in WORD.findall(str(text))
        if word in codes
    ]


def test_the_check_can_see_the_codes_that_leaked() -> None:
    # The codes of the reported leaks are detectable in Chinese; English catches the snake_case ones
    chinese = detectable(Locale.ZH_HANS).keys() & detectable(Locale.ZH_HANT).keys()
    assert {"valid", "male", "petrol", "small_passenger", "submitted", "approve", "var"} <= chinese
    assert {"small_passenger", "supplement_requested", "non_operating", "SUBMITTED"} <= detectable(Locale.EN).keys()
    answer = {"conditions": [{"text": "驾驶证状态 须为 valid（您的：valid）", "held": True, "path": "certs.x"}]}
    found = leaks(answer, detectable(Locale.ZH_HANS))
    assert len(found) == 2 and all(f.startswith(".conditions[0].text: 'valid' (") for f in found)
    with pytest.raises(AssertionError, match="say whether people read it"):
        leaks({"surprise": "text"}, {})


async def test_no_journey_shows_a_code_in_any_of_three_languages(
    api: AsyncTestClient[Any], db: async_sessionmaker[AsyncSession]
) -> None:
    # Given a citizen with a car (a vehicle licence, a driving licence, an ID card) and an officer of
    # the department that handles both, and a licence renewal decided at once (issued into the wallet)
    citizen = await factories.citizen(api, db, holding="VEHICLE_LICENSE")
    officer = await staff_token(api, "officer.gz-ga")
    scan = await upload(api, citizen.token)
    renewal = {
        "matterCode": "GZ-GA-0018",
        "values": {"medical_exam_done": True, "receive_method": "mail"},
        "materials": {"medical_cert": scan["id"]},
    }
    renewed = (await run(api, citizen.token, SUBMIT, {"i": renewal}))["submitApplication"]
    assert renewed["errors"] == [] and renewed["application"]["status"] == "APPROVED", renewed
    await factories.pay_fees(api, db, renewed["application"]["id"])  # paying issues the licence
    for header, locale in LOCALES.items():
        codes = detectable(locale)
        read: dict[str, Any] = {}

        async def as_citizen(query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
            return await run(api, citizen.token, query, variables, locale=header)  # noqa: B023

        # catalog search and the certificate types
        search = {"zh-CN": "驾驶证", "zh-TW": "駕駛證", "en": "driving licence"}[header]
        read["search"] = await as_citizen(SEARCH, {"q": search})
        read["certificate types"] = await as_citizen(CERTIFICATE_TYPES)
        # the one form, and why the citizen would or would not be approved at once
        read["form"] = await as_citizen(FORM, {"m": "GZ-GA-0025"})
        read["eligibility"] = [await as_citizen(ELIGIBILITY, {"m": m}) for m in ("GZ-GA-0018", "GZ-GA-0025")]
        # submitting an inspection an officer must decide (the car is too old for 秒批)
        values = {"vehicle_age_years": 12, "violations_cleared": True, "insurance_valid": True}
        submitted = await as_citizen(SUBMIT, {"i": {"matterCode": "GZ-GA-0025", "values": values}})
        read["submit"] = submitted
        application = submitted["submitApplication"]["application"]
        assert application["status"] == "SUBMITTED", submitted
        # the citizen cannot supplement what nobody asked to supplement
        _, refused = await as_user(api, citizen.token, SUPPLEMENT, {"id": application["id"]}, locale=header)
        read["citizen refused"] = refused["data"]
        assert refused["data"]["supplementApplication"]["errors"][0]["code"] == "INVALID_TRANSITION"
        # the officer cannot approve before accepting: told so with the status's and the step's labels
        step = {"applicationId": application["id"]}
        _, early = await as_user(api, officer, PROCESS, {"i": {**step, "action": "APPROVE"}}, locale=header)
        read["officer refused"] = early["data"]
        assert early["data"]["processApplication"]["errors"] == [
            {"code": "INVALID_TRANSITION", "field": "action", "message": REFUSED_STEP[locale]}
        ]
        asked = {**step, "action": "REQUEST_SUPPLEMENT", "reason": "请上传交强险保单", "fields": ["insurance_valid"]}
        read["supplement requested"] = await run(api, officer, PROCESS, {"i": asked}, locale=header)
        read["officer's view"] = await run(api, officer, APPLICATION, {"id": application["id"]}, locale=header)
        # the citizen's inbox, applications with their timelines, and wallet
        read["inbox"] = await as_citizen(INBOX)
        read["applications"] = await as_citizen(MINE)
        read["wallet"] = await as_citizen(WALLET)

        # Then every journey had words to read, and none of them is a code
        for journey, answer in read.items():
            assert list(human_texts(answer)), f"{journey} ({locale}): nothing human-readable was checked"
        found = [f"{journey}{leak}" for journey, answer in read.items() for leak in leaks(answer, codes)]
        assert not found, f"{locale}: codes in what people read:\n" + "\n".join(found)
        # and the wallet's enumerated values read as their labels
        wallet = read["wallet"]["myCertificates"]["items"]
        vehicle = next(c for c in wallet if c["typeCode"] == "VEHICLE_LICENSE")
        fuel = next(f for f in vehicle["fields"] if f["key"] == "fuel_type")
        petrol = {Locale.ZH_HANS: "汽油", Locale.ZH_HANT: "汽油", Locale.EN: "Petrol"}[locale]
        assert fuel["value"] in {"petrol", "diesel", "battery_electric", "plug_in_hybrid", "hybrid"}
        assert (fuel["value"] == "petrol") == (fuel["text"] == petrol)
        card = next(c for c in wallet if c["typeCode"] == "ID_CARD")
        assert card["statusLabel"] == {Locale.ZH_HANS: "有效", Locale.ZH_HANT: "有效", Locale.EN: "Valid"}[locale]


async def test_the_platforms_own_reason_is_read_in_the_readers_language(
    api: AsyncTestClient[Any], db: async_sessionmaker[AsyncSession]
) -> None:
    # Given a citizen who changes the vehicle type their vehicle licence pre-filled
    citizen = await factories.citizen(api, db, holding="VEHICLE_LICENSE")
    form = (await run(api, citizen.token, FORM, {"m": "GZ-GA-0025"}))["applicationForm"]
    prefilled = next(f for f in form["fields"] if f["key"] == "vehicle_type")
    other = next(o["value"] for o in prefilled["options"] if o["value"] != prefilled["value"])
    values = {"vehicle_type": other, "vehicle_age_years": 3, "violations_cleared": True, "insurance_valid": True}
    submitted = await run(api, citizen.token, SUBMIT, {"i": {"matterCode": "GZ-GA-0025", "values": values}}, "zh-CN")
    application = submitted["submitApplication"]["application"]
    assert application["timeline"][-1]["action"] == "AUTO_REFER"
    assert application["timeline"][-1]["reason"] == "您修改了来自证照或个人资料的信息，将由工作人员审核。"
    # When an English and a Traditional Chinese reader read the application
    # Then the platform's reason is in their language, not in the language of whoever submitted
    reasons = {
        header: (await run(api, citizen.token, APPLICATION, {"id": application["id"]}, header))["application"][
            "timeline"
        ][-1]["reason"]
        for header in ("en", "zh-TW")
    }
    assert reasons == {
        "en": "You changed values taken from your certificates or profile; an officer will check them.",
        "zh-TW": "您修改了來自證照或個人資料的資訊，將由工作人員審核。",
    }
