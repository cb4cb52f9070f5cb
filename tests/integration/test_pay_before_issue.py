"""Nothing with an open order issues its outputs: a matter with fees is decided, then waits for its
payment; the payment's credit issues an instantly approved matter's certificate, and an officer may
issue only once it is paid. An order left unpaid too long is closed and its application withdrawn.

Every journey goes through the real server over HTTP and pays through the Alipay sandbox.
"""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from backend.applications.unit import ApplicationDeps
from backend.catalog.snapshot import load_snapshot
from backend.certificates.runtime import build_numbers
from backend.certificates.trustlog import log_key
from backend.db import tables as t
from backend.i18n import catalogs
from backend.identity.secrets import master_secret
from backend.parties import PlatformParties
from backend.payment_events import PlatformPaymentEvents
from payments import tables as pt
from payments.orders import get_order
from payments.runtime import build_payments
from payments.service import PaymentDeps, Payments
from standins.population.registry import StandInRegistry
from standins.sms import OutboxSms
from tests.conftest import TEST_SECRET, make_settings
from tests.support import factories
from tests.support.applications import TO_ENTER, entries_for, upload
from tests.support.identity import staff_token
from tests.support.payments import Sessions, Stack, sms_to

SUBMIT = """mutation($i: SubmitApplicationInput!) { submitApplication(input: $i) {
  application { id reference status timeline { action } issuedCertificates { id status source }
    order { id status total } } errors { code field message } } }"""
APPLICATION = """query($id: ID!) { application(id: $id) { id status timeline { action actorType }
  issuedCertificates { id status source } order { id status total } } }"""
PROCESS = """mutation($i: ProcessApplicationInput!) { processApplication(input: $i) {
  application { id status } errors { code field message } } }"""


async def _licence_renewer(stack: Stack, db: Sessions) -> factories.Citizen:
    """A resident under 70 whose one driving licence is a valid C1 or C2: the renewal's rule holds."""
    for skip in range(60):
        person = await factories.resident(db, holding="DRIVING_LICENSE", skip=skip)
        async with db() as session:
            licences = (
                await session.execute(
                    select(t.certificates.c.data, t.certificates.c.status).where(
                        t.certificates.c.holder_id_number == person.id_number,
                        t.certificates.c.type_code == "DRIVING_LICENSE",
                    )
                )
            ).all()
        age = (date.today() - person.birth_date).days // 366
        fits = [x for x in licences if x.status == "valid" and x.data.get("license_class") in ("C1", "C2")]
        if len(licences) == 1 and fits and fits[0].data.get("status") == "valid" and age < 68:
            async with stack.client() as client:
                return await factories.citizen(client, db, holding="DRIVING_LICENSE", skip=skip)
    raise AssertionError("no resident of the population stand-in can renew a licence instantly")


async def _renewal(stack: Stack, citizen: factories.Citizen) -> dict[str, Any]:
    """The citizen applies to renew their driving licence (GZ-GA-0018: 10.00, decided by rule)."""
    async with stack.client() as client:
        scan = await upload(client, citizen.token)
    values = {"medical_exam_done": True, "receive_method": "mail"}
    submit = {"matterCode": "GZ-GA-0018", "values": values, "materials": {"medical_cert": scan["id"]}}
    payload = (await stack.gql(citizen.token, SUBMIT, {"i": submit}))["submitApplication"]
    assert payload["errors"] == [], payload
    application: dict[str, Any] = payload["application"]
    return application


def _payment_deps_here(stack: Stack, database_url: str) -> PaymentDeps:
    """The payment parts as a job process builds them (the platform's events included), on this loop."""
    settings = make_settings(
        database_url, "", stack.data_dir, alipay_sandbox_port=int(stack.sandbox_url.rsplit(":", 1)[1])
    )
    secret = master_secret(settings)
    applications = ApplicationDeps(
        OutboxSms(), catalogs(settings.locales_dir), StandInRegistry(), log_key(secret), build_numbers(settings)
    )
    events = PlatformPaymentEvents(applications, load_snapshot)
    return build_payments(settings, secret, PlatformParties(), events=events, own_pool=False)


async def _issued_for(session: AsyncSession, application_id: str) -> int:
    query = select(func.count()).select_from(t.certificates).where(t.certificates.c.application_id == application_id)
    return int((await session.execute(query)).scalar_one())


async def test_the_certificate_is_issued_in_the_transaction_that_credits_the_payment(
    stack: Stack, db: Sessions, catalog_database: str, fresh_redis: Any
) -> None:
    citizen = await _licence_renewer(stack, db)
    application = await _renewal(stack, citizen)
    deps = _payment_deps_here(stack, catalog_database)
    async with db() as session:
        order = await get_order(session, application["order"]["id"])
    assert order is not None
    async with db() as session:
        crediting = await session.begin()
        assert await Payments(session, deps).credit(order, "2026120722001400000042", None, "alipay")
        # The credit's own transaction sees the licence issued...
        assert await _issued_for(session, application["id"]) == 1
        await crediting.rollback()
    # ...and rolling the credit back takes the licence with it: one transaction, all or nothing
    async with db() as session:
        assert await _issued_for(session, application["id"]) == 0
        unpaid = await get_order(session, application["order"]["id"])
    assert unpaid is not None and unpaid.status == "open"


async def _act(stack: Stack, officer: str, application_id: str, action: str, locale: str = "en") -> dict[str, Any]:
    step: dict[str, Any] = {"applicationId": application_id, "action": action}
    if action == "ISSUE":  # the officer enters what only the issuing system knows
        to_enter = (await stack.gql(officer, TO_ENTER, {"id": application_id}))["application"]
        step["certificateFields"] = entries_for(to_enter["certificateFieldsToEnter"])
    payload: dict[str, Any] = (await stack.gql(officer, PROCESS, {"i": step}, locale))["processApplication"]
    return payload


async def test_an_instantly_approved_matter_with_fees_is_issued_when_its_payment_is_credited(
    stack: Stack, db: Sessions, fresh_redis: Any
) -> None:
    # Given a citizen who may renew their C1 licence instantly (秒批); the renewal costs 10.00
    citizen = await _licence_renewer(stack, db)
    # When they submit: it is approved at once, but nothing is issued while the fee is unpaid
    application = await _renewal(stack, citizen)
    assert application["status"] == "APPROVED"
    assert [s["action"] for s in application["timeline"]] == ["SUBMIT", "AUTO_APPROVE"]
    assert application["issuedCertificates"] == []
    assert application["order"]["status"] == "open" and application["order"]["total"] == "10.00"
    # and the citizen is asked to pay: how much, how, by when (inbox and SMS)
    due = (datetime.now(UTC) + timedelta(hours=8) + timedelta(days=7)).date().isoformat()
    asked = [n["text"] for n in await stack.inbox(citizen.token) if "to pay" in n["text"]]
    assert asked == [
        f"Application {application['reference']} (Renewal of a Driving Licence on Expiry) has fees of ¥10.00 "
        f"to pay. Pay them in the app under My orders (Alipay or WeChat Pay) by {due}; nothing is issued before "
        "they are paid, and after that day the application is withdrawn."
    ]
    texts = await sms_to(db, citizen.phone)
    assert any("¥10.00" in body and due in body and application["reference"] in body for body in texts)
    # When they pay through Alipay, the notification's credit issues the licence: nothing else runs
    await stack.pay(citizen.token, application["order"]["id"])
    paid = (await stack.gql(citizen.token, APPLICATION, {"id": application["id"]}))["application"]
    assert paid["status"] == "COMPLETED" and paid["order"]["status"] == "paid"
    assert [(s["action"], s["actorType"]) for s in paid["timeline"]][-1] == ("ISSUE", "system")
    assert [(c["status"], c["source"]) for c in paid["issuedCertificates"]] == [("valid", "platform")]


async def test_an_officer_cannot_issue_before_the_fees_are_paid_and_can_after(
    stack: Stack, db: Sessions, fresh_redis: Any
) -> None:
    # Given a new car's registration (470.00 of fees), accepted and approved by the department
    async with stack.client() as client:
        citizen = await factories.citizen(client, db)
        application = await factories.car_registration(client, citizen)
        officer = await staff_token(client, "officer.gz-ga")
    for action in ("ACCEPT", "APPROVE"):
        assert (await _act(stack, officer, application["id"], action))["errors"] == []
    # When the officer issues while the fees are unpaid: refused, in the officer's language
    refused = await _act(stack, officer, application["id"], "ISSUE", locale="zh-CN")
    assert refused["application"] is None
    assert refused["errors"] == [
        {"code": "ORDER_UNPAID", "field": "applicationId", "message": "该申请的费用尚未缴纳：缴费前不予发证。"}
    ]
    unpaid = (await stack.gql(citizen.token, APPLICATION, {"id": application["id"]}))["application"]
    assert unpaid["status"] == "APPROVED" and unpaid["issuedCertificates"] == []
    assert unpaid["order"]["status"] == "open" and unpaid["order"]["total"] == "470.00"
    # When the citizen pays, the officer issues
    await stack.pay(citizen.token, unpaid["order"]["id"])
    issued = await _act(stack, officer, application["id"], "ISSUE")
    assert issued["errors"] == [] and issued["application"]["status"] == "COMPLETED"
    done = (await stack.gql(citizen.token, APPLICATION, {"id": application["id"]}))["application"]
    assert [c["status"] for c in done["issuedCertificates"]] == ["valid"]


async def _submitted(stack: Stack, url: str) -> tuple[factories.Citizen, dict[str, Any]]:
    from backend.db.engine import create_engine, session_factory

    engine = create_engine(url)
    try:
        async with stack.client() as client:
            citizen = await factories.citizen(client, session_factory(engine))
            return citizen, await factories.car_registration(client, citizen)
    finally:
        await engine.dispose()


async def _backdate_order(url: str, application_id: str, days: int) -> None:
    from backend.db.engine import create_engine, session_factory

    engine = create_engine(url)
    try:
        async with session_factory(engine)() as session, session.begin():
            await session.execute(
                update(pt.payment_orders)
                .where(pt.payment_orders.c.application_id == application_id)
                .values(created_at=datetime.now(UTC) - timedelta(days=days))
            )
    finally:
        await engine.dispose()


async def _sms_in_new_loop(url: str, phone: str) -> list[str]:
    from backend.db.engine import create_engine, session_factory

    engine = create_engine(url)
    try:
        return await sms_to(session_factory(engine), phone)
    finally:
        await engine.dispose()


def test_an_order_left_unpaid_too_long_is_closed_and_its_application_withdrawn(
    stack: Stack, catalog_database: str, fresh_redis: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from click.testing import CliRunner

    from backend.cli import main as cli
    from backend.settings import get_settings

    # Given two applications with fees: one unpaid for 4 days, one for 6
    stale_citizen, stale = asyncio.run(_submitted(stack, catalog_database))
    fresh_citizen, fresh = asyncio.run(_submitted(stack, catalog_database))
    asyncio.run(_backdate_order(catalog_database, stale["id"], days=6))
    asyncio.run(_backdate_order(catalog_database, fresh["id"], days=4))
    # When the expiring job runs with 5 days to pay (ONEWINDOW_ORDER_UNPAID_DAYS)
    monkeypatch.setenv("ONEWINDOW_DATABASE_URL", catalog_database)
    monkeypatch.setenv("ONEWINDOW_SECRET_KEY", TEST_SECRET)
    monkeypatch.setenv("ONEWINDOW_ALIPAY_SANDBOX_PORT", stack.sandbox_url.rsplit(":", 1)[1])
    monkeypatch.setenv("ONEWINDOW_DATA_DIR", str(stack.data_dir))  # the sandbox's keys
    monkeypatch.setenv("ONEWINDOW_ORDER_UNPAID_DAYS", "5")
    get_settings.cache_clear()
    try:
        ran = CliRunner().invoke(cli, ["payments", "expire-unpaid"])
    finally:
        get_settings.cache_clear()
    assert ran.exit_code == 0, ran.output
    assert json.loads(ran.output.strip().splitlines()[-1]) == {"expired": 1}
    # Then the older order is closed and its application withdrawn, and the citizen told (inbox, SMS)
    withdrawn = asyncio.run(stack.gql(stale_citizen.token, APPLICATION, {"id": stale["id"]}))["application"]
    assert withdrawn["status"] == "WITHDRAWN" and withdrawn["order"]["status"] == "closed"
    assert withdrawn["timeline"][-1] == {"action": "WITHDRAW", "actorType": "system"}
    notices = [n["text"] for n in asyncio.run(stack.inbox(stale_citizen.token, "zh-CN"))]
    assert (
        f"申请 {stale['reference']}（机动车注册登记）已撤回：费用 ¥470.00 未在 5 天内缴纳。准备好缴费后可重新申请。"
        in notices
    )
    texts = asyncio.run(_sms_in_new_loop(catalog_database, stale_citizen.phone))
    assert texts[-1] == f"【一网通办】申请 {stale['reference']}（机动车注册登记）因未按期缴费已撤回。"
    # and the younger one is still waiting for its payment
    waiting = asyncio.run(stack.gql(fresh_citizen.token, APPLICATION, {"id": fresh["id"]}))["application"]
    assert waiting["status"] == "SUBMITTED" and waiting["order"]["status"] == "open"
