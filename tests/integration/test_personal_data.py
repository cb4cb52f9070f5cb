"""Every field of the schema, read with each kind of token, shows personal data only to those it is for.

Issue 12, finding 1: a token with only `openid applications:read` (and the assistant's delegated token)
read unmasked ID and phone numbers from `applicationForm`, `checkEligibility` and
`Application.decision.conditions`, while `Application.form` masked them. Here the test does not know
which fields carry personal data: it walks every query field reachable from the root (all their
subfields, to a depth), as each reader, and looks for the resident's ID numbers, phone and
certificate values in everything that comes back.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import jwt
import pytest
from graphql import (
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLSchema,
    Undefined,
    get_named_type,
    is_leaf_type,
    is_non_null_type,
)
from litestar.testing import AsyncTestClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from backend.db import tables as t
from backend.graphql.schema import build_schema
from backend.privacy import Personal
from payments.closing.period import beijing_today
from tests.support import factories
from tests.support.applications import PNG, fill_required, upload
from tests.support.gql import as_user, run
from tests.support.identity import citizen_token, staff_token, third_party_token

Sessions = async_sessionmaker[AsyncSession]
MATTER = "GZ-WJW-0001"  # birth registration: its rule compares the spouses' ID numbers
TYPED_MATTER = "GZ-ZJJ-0003"  # tenancy registration: the rented home and the other party, typed
DEPTH = 5
# Root fields the walk leaves out, and why. A new root field is walked unless it is listed here.
NOT_WALKED = {
    # anyone holding a certificate's code may check it: its holder and number are what they check
    "verifyCertificate",
    # an app's webhook log, for admins and its developers: bodies name a citizen by the app's pairwise
    # subject and carry no personal numbers (tests/integration/test_webhook_delivery.py reads them)
    "webhookDeliveries",
}


@dataclass
class Resident:
    """A married resident of the population stand-in, signed in and verified, with an application."""

    token: str
    citizen_id: str
    phone: str
    secrets: dict[Personal, set[str]] = field(default_factory=dict)
    typed: dict[str, str] = field(default_factory=dict)  # the tenancy form's (another department's)
    arguments: dict[str, Any] = field(default_factory=dict)


async def _resident(api: AsyncTestClient[Any], db: Sessions) -> Resident:
    person = await factories.citizen(api, db, holding="MARRIAGE_CERT")
    token, citizen_id = person.token, person.id
    async with db() as session:
        certificates = (
            await session.execute(
                select(
                    t.certificates.c.id,
                    t.certificates.c.code,
                    t.certificates.c.number,
                    t.certificates.c.type_code,
                    t.certificates.c.data,
                ).where(t.certificates.c.holder_id_number == person.id_number)
            )
        ).all()
    spouse_id = next(c.data["spouse_id_number"] for c in certificates if c.type_code == "MARRIAGE_CERT")
    # The application: its form holds the numbers, its decision compares them
    form = (
        await run(
            api,
            token,
            "query($m: String) { applicationForm(matterCode: $m) { fields { key value "
            "required type options { value } } materials { key required replaced } } }",
            {"m": MATTER},
        )
    )["applicationForm"]
    values = {f["key"]: f["value"] for f in form["fields"] if f["value"] is not None}
    values = fill_required(form, values | {"spouse_id_number": spouse_id, "child_order": "2"})
    materials = {m["key"]: (await upload(api, token, PNG))["id"] for m in form["materials"] if not m["replaced"]}
    submit = (
        "mutation($i: SubmitApplicationInput!) { submitApplication(input: $i) { application { id } errors { code } } }"
    )
    submitted = (
        await run(api, token, submit, {"i": {"matterCode": MATTER, "values": values, "materials": materials}})
    )["submitApplication"]
    assert submitted["errors"] == [], submitted
    # A second one whose form holds what the citizen typed about the rented home and the other party
    typed = await _typed_by_the_citizen(api, token)
    save = "mutation($i: SaveDraftInput!) { saveDraft(input: $i) { errors { code } } }"
    note = f"配偶电话 {person.phone}，配偶身份证 {spouse_id}"  # typed into a free-text field
    saved = await run(api, token, save, {"i": {"matterCode": "GZ-GA-0018", "values": {"remark": note}}})
    assert saved["saveDraft"]["errors"] == []
    return Resident(
        token=token,
        citizen_id=citizen_id,
        phone=person.phone,
        secrets={
            Personal.ID_NUMBER: {person.id_number, spouse_id, typed["counterparty_id_number"]},
            Personal.PHONE: {person.phone},
            # typed into address and name fields (no pre-fill): the profile's kind, by the fields' types
            Personal.PROFILE: {typed["property_location"], typed["counterparty_name"]},
            # an ID card's number is the ID number: that one is covered by id_number
            Personal.CERTIFICATE: {
                c.number for c in certificates if len(c.number) >= 6 and c.number not in (person.id_number, spouse_id)
            }
            | {c.code for c in certificates}
            | {c.id for c in certificates},
        },
        typed=typed,
        arguments={
            "id": submitted["application"]["id"],
            "applicationId": submitted["application"]["id"],  # visitNeeded: the halls and materials of a visit
            "matterCode": MATTER,
            "code": MATTER,
            "query": "生育登记",
            "bundleCode": None,
            "clientId": "onewindow-app",  # appUsage: an app's counts, readable by admins and its developers
            "first": 20,  # every growing list takes a required first
            "day": beijing_today().isoformat(),  # finance's day views (closing, totals, clearing)
            "hallCode": "HALL-GZ",  # appointmentSlots and the hall's queues (issue 19)
            "counterId": "1",  # an officer's window: no name on its waiting list
            "kind": "ONLINE_CASE",  # ratingCriteria: a channel's 好差评 criteria
            "from": beijing_today().isoformat(),  # ratingFigures' period (of the matter above)
            "to": beijing_today().isoformat(),
        },
    )


async def _typed_by_the_citizen(api: AsyncTestClient[Any], token: str) -> dict[str, str]:
    """A tenancy registration with an address, a name and an ID number typed, not pre-filled."""
    typed = {
        "property_location": "广州市越秀区走查路77号之九",
        "counterparty_name": "欧阳走查",
        "counterparty_id_number": "440106199001011235",
    }
    form = (
        await run(
            api,
            token,
            "query($m: String) { applicationForm(matterCode: $m) { materials { key replaced } } }",
            {"m": TYPED_MATTER},
        )
    )["applicationForm"]
    scans = {m["key"]: (await upload(api, token, PNG))["id"] for m in form["materials"] if not m["replaced"]}
    await factories.application(api, token, TYPED_MATTER, typed, scans)
    return typed


def _selection(kind: GraphQLNamedType, depth: int, path: frozenset[str], refused: set[tuple[str, str]]) -> str | None:
    """Every field of `kind` (and theirs, to `depth`) that needs no argument, without revisiting a type.

    `refused` holds (type, field) pairs the reader was refused: left out, so the rest is still read.
    """
    if is_leaf_type(kind):
        return ""
    if depth == 0 or not isinstance(kind, GraphQLObjectType):
        return None
    parts = []
    for name, child in kind.fields.items():
        if (kind.name, name) in refused:
            continue
        if any(is_non_null_type(a.type) and a.default_value is Undefined for a in child.args.values()):
            continue
        target = get_named_type(child.type)
        if target.name in path:
            continue
        below = _selection(target, depth - 1, path | {kind.name}, refused)
        if below is not None:
            parts.append(f"{name} {below}")
    return "{ " + " ".join(parts) + " }" if parts else None


def _operation(
    schema: GraphQLSchema, name: str, arguments: dict[str, Any], refused: set[tuple[str, str]]
) -> tuple[str, dict[str, Any]]:
    """A query of one root field: its arguments from `arguments`, everything below it selected."""
    assert schema.query_type is not None
    root = schema.query_type.fields[name]
    wanted = {a: arg for a, arg in root.args.items() if a in arguments and arguments[a] is not None}
    missing = [
        a
        for a, arg in root.args.items()
        if is_non_null_type(arg.type) and a not in wanted and arg.default_value is Undefined
    ]
    assert not missing, f"the walk has no value for {name}({', '.join(missing)}): add one or list it"
    selection = _selection(get_named_type(root.type), DEPTH, frozenset(), refused)
    assert selection is not None
    declared = ", ".join(f"${a}: {arg.type}" for a, arg in wanted.items())
    passed = ", ".join(f"{a}: ${a}" for a in wanted)
    query = f"query{f'({declared})' if declared else ''} {{ {name}{f'({passed})' if passed else ''} {selection} }}"
    return query, {a: arguments[a] for a in wanted}


def _field_at(schema: GraphQLSchema, path: list[Any]) -> tuple[str, str]:
    """The (parent type, field) a response path ends at."""
    assert schema.query_type is not None
    parent: Any = schema.query_type
    names = [p for p in path if isinstance(p, str)]
    for step in names[:-1]:
        parent = get_named_type(parent.fields[step].type)
    return parent.name, names[-1]


def _texts(value: Any) -> list[str]:
    if isinstance(value, dict):
        return [text for item in value.values() for text in _texts(item)]
    if isinstance(value, list):
        return [text for item in value for text in _texts(item)]
    return [str(value)] if value is not None else []


async def _read_everything(api: AsyncTestClient[Any], token: str | None, resident: Resident) -> tuple[str, set[str]]:
    """All the text every walked field answers to `token`, and the root fields that answered data.

    A field the reader is refused (a scope, a role) is left out and the query asked again, so one
    refusal does not hide the fields beside it.
    """
    schema = build_schema()._schema
    assert schema.query_type is not None
    seen: list[str] = []
    answered = set()
    for name in schema.query_type.fields:
        if name in NOT_WALKED:
            continue
        refused: set[tuple[str, str]] = set()
        while True:
            query, variables = _operation(schema, name, resident.arguments, refused)
            if token is None:
                response = await api.post("/graphql", json={"query": query, "variables": variables})
                status, body = response.status_code, response.json()
            else:
                status, body = await as_user(api, token, query, variables)
            assert status == 200, (name, body)
            errors = body.get("errors", [])
            broken = [e for e in errors if e["extensions"]["code"] in ("INTERNAL_ERROR", "GRAPHQL_VALIDATION_FAILED")]
            assert not broken, body
            seen.extend(_texts(body.get("data")))
            deeper = {_field_at(schema, e["path"]) for e in errors if len(e.get("path", [])) > 1}
            if not deeper - refused:
                break
            refused |= deeper
        if (body.get("data") or {}).get(name) is not None:
            answered.add(name)
    return "\n".join(seen), answered


def _leaks(text: str, resident: Resident, visible: set[Personal]) -> list[tuple[Personal, str]]:
    return [
        (kind, value)
        for kind, values in resident.secrets.items()
        if kind not in visible
        for value in values
        if value in text
    ]


@pytest.mark.parametrize(
    "scopes",
    [
        ["openid", "applications:read"],  # the finding: and the assistant's delegated token has these
        ["openid", "applications:read", "applications:write"],
        ["openid", "applications:read", "id_number"],
        ["openid", "applications:read", "phone"],
        ["openid", "applications:read", "certificates:read"],
        ["openid", "profile", "phone", "payments"],
        ["openid", "applications:read", "applications:write", "certificates:read", "payments", "profile"],
    ],
)
async def test_a_mini_program_reads_personal_data_only_with_the_scope_that_covers_it(
    api: AsyncTestClient[Any], db: Sessions, fresh_redis: Any, scopes: list[str]
) -> None:
    resident = await _resident(api, db)
    token, _ = await third_party_token(api, db, fresh_redis, resident.phone, scopes)
    text, answered = await _read_everything(api, token, resident)
    visible = {kind for kind in Personal if kind.value in scopes}
    assert _leaks(text, resident, visible) == []
    if "applications:read" in scopes:
        # the walk did reach the fields that carry the numbers
        assert {"applicationForm", "checkEligibility", "myApplications", "application"} <= answered
    for kind in visible & {Personal.ID_NUMBER, Personal.PHONE, Personal.PROFILE}:
        if "applications:read" in scopes or (kind is Personal.PHONE and "profile" in scopes):
            assert resident.secrets[kind] & {v for v in resident.secrets[kind] if v in text}, kind


async def test_the_assistants_delegated_token_sees_no_numbers(
    api: AsyncTestClient[Any], db: Sessions, fresh_redis: Any
) -> None:
    resident = await _resident(api, db)
    # What the relay mints for a citizen's message: their session, applications:read, an `act` claim
    claims = jwt.decode(resident.token, options={"verify_signature": False})
    tokens = api.app.state.resources.identity.tokens
    delegated = tokens.access_token(
        subject=claims["sub"],
        session_id=claims["sid"],
        client_id=claims["client_id"],
        scopes=["applications:read"],
        actor="assistant",
        seconds=120,
    )
    text, answered = await _read_everything(api, delegated, resident)
    assert "myApplications" in answered and "checkEligibility" in answered
    assert _leaks(text, resident, set()) == []


@pytest.mark.parametrize("reader", ["anonymous", "finance", "admin", "another citizen"])
async def test_people_the_data_is_not_for_see_none_of_it(
    api: AsyncTestClient[Any], db: Sessions, fresh_redis: Any, reader: str
) -> None:
    resident = await _resident(api, db)
    token = {
        "anonymous": None,
        "another citizen": await citizen_token(api, db, "13700137099") if reader == "another citizen" else None,
    }.get(reader) or (await staff_token(api, reader) if reader in ("finance", "admin") else None)
    text, _ = await _read_everything(api, token, resident)
    assert _leaks(text, resident, set()) == []


async def test_the_owners_app_and_the_officer_see_everything_the_walk_reaches(
    api: AsyncTestClient[Any], db: Sessions, fresh_redis: Any
) -> None:
    # The control: the walk does reach every kind of secret, so the tests above can fail.
    resident = await _resident(api, db)
    own, _ = await _read_everything(api, resident.token, resident)
    for kind, values in resident.secrets.items():
        assert any(v in own for v in values), kind
    officer = await staff_token(api, "officer.gz-wjw")
    handled, answered = await _read_everything(api, officer, resident)
    assert "application" in answered
    # the health commission's officer handles the birth registration, not the tenancy registration
    assert all(v in handled for v in resident.secrets[Personal.ID_NUMBER] - set(resident.typed.values()))


async def test_verifying_an_id_card_does_not_give_away_its_number(
    api: AsyncTestClient[Any], db: Sessions, fresh_redis: Any
) -> None:
    # Found by the adversarial re-test: an ID card's number is its holder's ID number, and anyone
    # holding the card's verification code read it whole.
    resident = await _resident(api, db)
    async with db() as session:
        card = (
            await session.execute(
                select(t.certificates.c.code, t.certificates.c.number).where(
                    t.certificates.c.type_code == "ID_CARD",
                    t.certificates.c.number.in_(resident.secrets[Personal.ID_NUMBER]),
                )
            )
        ).first()
    assert card is not None
    query = "query($c: String!) { verifyCertificate(code: $c) { status holderIdNumber number } }"
    seen = (await api.post("/graphql", json={"query": query, "variables": {"c": card.code}})).json()
    found = seen["data"]["verifyCertificate"]
    assert found["status"] == "VALID"
    assert found["number"] == card.number[:6] + "********" + card.number[14:] == found["holderIdNumber"]


async def test_a_draft_correction_of_a_certificate_value_is_the_certificates(
    api: AsyncTestClient[Any], db: Sessions, fresh_redis: Any
) -> None:
    # A value the citizen typed over a certificate's pre-fill, saved in a draft, came back to a token
    # without certificates:read (the submitted form already withheld it).
    resident = await _resident(api, db)
    form = "query($b: String) { applicationForm(bundleCode: $b) { fields { key value source } } }"
    fields = (await run(api, resident.token, form, {"b": "LE-0005"}))["applicationForm"]["fields"]
    from_certificates = [f["key"] for f in fields if (f["source"] or "").startswith("cert:")]
    assert from_certificates, fields
    corrected = {key: f"C{n:08d}" for n, key in enumerate(from_certificates)}
    save = "mutation($i: SaveDraftInput!) { saveDraft(input: $i) { errors { code } } }"
    assert (await run(api, resident.token, save, {"i": {"bundleCode": "LE-0005", "values": corrected}}))["saveDraft"][
        "errors"
    ] == []
    reader, _ = await third_party_token(api, db, fresh_redis, resident.phone, ["openid", "applications:read"])
    _, body = await as_user(api, reader, form, {"b": "LE-0005"})
    seen = {f["key"]: f for f in body["data"]["applicationForm"]["fields"]}
    assert all(seen[key]["source"] == "draft" and seen[key]["value"] is None for key in corrected)
    own = {
        f["key"]: f["value"]
        for f in (await run(api, resident.token, form, {"b": "LE-0005"}))["applicationForm"]["fields"]
    }
    assert all(own[key] == value for key, value in corrected.items())
