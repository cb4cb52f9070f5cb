"""Factories: the citizens, staff, applications, orders and payments a test needs, made the way the
platform makes them (through the real API, or the domain's own functions where no API exists).

Every test runs on a copy of the demo database of its own, so a factory may take the first resident
that fits: nobody else's test has touched them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import exists, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from backend.db import tables as t
from backend.db.engine import unit_of_work
from payments import tables as pt
from payments.orders import LineSpec, Order, get_order, open_order
from payments.service import PaymentDeps, Payments
from standins.population.generate import DEMO_PHONE
from tests.support.applications import fill_required, upload
from tests.support.gql import Client, run
from tests.support.identity import citizen_token, staff_token

Sessions = async_sessionmaker[AsyncSession]

VERIFY = "mutation($n: String!, $i: String!) { verifyRealName(name: $n, idNumber: $i) { errors { code } } }"
FORM = """query($m: String) { applicationForm(matterCode: $m) {
  fields { key type value required options { value } } } }"""
SUBMIT = """mutation($i: SubmitApplicationInput!) { submitApplication(input: $i) {
  application { id reference status feesDue } errors { code field message } } }"""
# Two departments' fees, as a vehicle registration collects them (公安 plate fee, 税务 vehicle tax).
TWO_DEPARTMENTS = (
    LineSpec(
        department_code="GZ-GA",
        fiscal_code="110001",
        item_code="GA-PLATE",
        amount_fen=11000,
        name={"zh-Hans": "号牌工本费", "zh-Hant": "號牌工本費", "en": "Plate fee"},
    ),
    LineSpec(
        department_code="GZ-SWJ",
        fiscal_code="120001",
        item_code="SWJ-TAX",
        amount_fen=36000,
        name={"zh-Hans": "车船税", "zh-Hant": "車船稅", "en": "Vehicle tax"},
    ),
)


@dataclass(frozen=True)
class Citizen:
    """A resident of the population stand-in who signed in (and verified their real name)."""

    token: str
    id: str
    phone: str
    name: str
    id_number: str


async def resident(db: Sessions, *, holding: str | None = None, skip: int = 0) -> Any:
    """A registry person with a phone who has not signed up yet (never the demo citizen), optionally
    holding a certificate of type `holding`; `skip` picks a later one when a test needs several."""
    person = t.registry_persons
    query = select(person).where(
        person.c.phone.is_not(None),
        person.c.phone != DEMO_PHONE,
        ~exists().where(t.citizens.c.phone == person.c.phone),
    )
    if holding is not None:
        query = query.where(
            exists().where(
                t.certificates.c.holder_id_number == person.c.id_number, t.certificates.c.type_code == holding
            )
        )
    async with db() as session:
        found = (await session.execute(query.order_by(person.c.id_number).offset(skip).limit(1))).first()
    assert found is not None, f"the population stand-in has no such resident (holding={holding}, skip={skip})"
    return found


async def citizen(
    client: Client, db: Sessions, *, holding: str | None = None, verified: bool = True, skip: int = 0
) -> Citizen:
    """A new citizen: a resident signs in with a code from the SMS stand-in and, unless `verified` is
    False, verifies their real name against the population registry."""
    person = await resident(db, holding=holding, skip=skip)
    token = await citizen_token(client, db, person.phone)
    if verified:
        answer = await run(client, token, VERIFY, {"n": person.name, "i": person.id_number})
        assert answer["verifyRealName"]["errors"] == [], answer
    async with db() as session:
        citizen_id = (
            await session.execute(select(t.citizens.c.id).where(t.citizens.c.phone == person.phone))
        ).scalar_one()
    return Citizen(token=token, id=citizen_id, phone=person.phone, name=person.name, id_number=person.id_number)


async def staff(client: Client, username: str) -> str:
    """An access token of a demo staff member (officer.gz-ga, finance, admin...)."""
    return await staff_token(client, username)


async def application(
    client: Client,
    token: str,
    matter_code: str,
    values: dict[str, Any] | None = None,
    materials: dict[str, str] | None = None,
) -> dict[str, Any]:
    """An application submitted through the one form: what the form pre-fills, `values`, and a
    plausible value for every other required field (with `materials`: material key -> upload id)."""
    form = (await run(client, token, FORM, {"m": matter_code}))["applicationForm"]
    filled = fill_required(
        form, {f["key"]: f["value"] for f in form["fields"] if f["value"] is not None} | (values or {})
    )
    submit = {"matterCode": matter_code, "values": filled} | ({"materials": materials} if materials else {})
    payload = (await run(client, token, SUBMIT, {"i": submit}))["submitApplication"]
    assert payload["errors"] == [], payload
    submitted: dict[str, Any] = payload["application"]
    return submitted


async def car_registration(client: Client, citizen: Citizen) -> dict[str, Any]:
    """A new car's registration (GZ-GA-0021: 470.00 of fees to two departments, decided by an officer),
    every scan it asks for uploaded."""
    scans = {
        key: (await upload(client, citizen.token))["id"] for key in ("purchase_invoice", "factory_cert", "insurance")
    }
    return await application(client, citizen.token, "GZ-GA-0021", materials=scans)


async def order(
    db: Sessions,
    citizen_id: str,
    lines: tuple[LineSpec, ...] = TWO_DEPARTMENTS,
    *,
    application_id: str | None = None,
    subject: str = "机动车注册登记",
) -> Order:
    """A payment order for `lines`, opened the way an application's fees open one."""
    async with db() as session, unit_of_work(session):
        return await open_order(
            session, citizen_id=citizen_id, application_id=application_id, subject=subject, lines=lines
        )


async def payment(db: Sessions, deps: PaymentDeps, unpaid: Order, trade_no: str = "2026120722001400000001") -> Order:
    """The order paid: credited as the channel's notification credits it (ledger, receipts)."""
    async with db() as session, unit_of_work(session):
        assert await Payments(session, deps).credit(unpaid, trade_no, None, "alipay")
    async with db() as session:
        paid = await get_order(session, unpaid.id)
    assert paid is not None
    return paid


async def pay_fees(client: Client, db: Sessions, application_id: str) -> Order:
    """The application's order paid, as the channel's notification credits it (the app's payment parts)."""
    async with db() as session:
        order_id = (
            await session.execute(
                select(pt.payment_orders.c.id).where(pt.payment_orders.c.application_id == application_id)
            )
        ).scalar_one()
        unpaid = await get_order(session, order_id)
    assert unpaid is not None
    return await payment(db, client.app.state.resources.payments, unpaid)  # type: ignore[union-attr]
