"""A real-name check that fails says which of its parts failed and what the citizen can do about it:
the ID number is unknown, the name is not the registered one, or the phone signed in with is not the
one on the household record (or there is none), each with its own code, through the real API."""

from __future__ import annotations

from typing import Any

from litestar.testing import AsyncTestClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from backend.db import tables as t
from tests.support import factories
from tests.support.gql import as_user
from tests.support.identity import audit_actions, login

VERIFY = (
    "mutation($n: String!, $i: String!) { verifyRealName(name: $n, idNumber: $i) "
    "{ citizen { identityVerified } errors { code field message } } }"
)
UNKNOWN_NUMBER = "11010519491231002X"  # a well-formed number the population stand-in does not hold


async def refusal(api: AsyncTestClient[Any], token: str, name: str, id_number: str, locale: str) -> dict[str, Any]:
    _, body = await as_user(api, token, VERIFY, {"n": name, "i": id_number}, locale=locale)
    payload = body["data"]["verifyRealName"]
    assert payload["citizen"] is None and len(payload["errors"]) == 1, payload
    error: dict[str, Any] = payload["errors"][0]
    return error


async def test_a_phone_not_on_the_household_record_is_named_as_the_cause(
    api: AsyncTestClient[Any], db: async_sessionmaker[AsyncSession]
) -> None:
    # Given a resident, and a citizen signed in with another resident's phone who types the first
    # resident's correct name and ID number
    person, other = await factories.resident(db), await factories.resident(db, skip=1)
    token = (await login(api, db, other.phone))["accessToken"]
    # Then the refusal does not say the name and number mismatch: it says the phone is the problem, and
    # what to do, in the reader's language
    english = await refusal(api, token, person.name, person.id_number, "en")
    assert english["code"] == "REAL_NAME_PHONE_NOT_ON_RECORD" and english["field"] is None
    assert english["message"].startswith("Your name and ID number match, but this phone number is not the one")
    assert "household registration police station" in english["message"]
    simplified = await refusal(api, token, person.name, person.id_number, "zh-CN")
    assert simplified["message"].startswith("姓名与身份证号码一致，但当前手机号不是您户籍登记的手机号")
    traditional = await refusal(api, token, person.name, person.id_number, "zh-HK")
    assert "戶籍派出所" in traditional["message"]


async def test_each_other_cause_has_its_own_code_and_advice(
    api: AsyncTestClient[Any], db: async_sessionmaker[AsyncSession]
) -> None:
    person = await factories.resident(db)
    token = (await login(api, db, person.phone))["accessToken"]
    # a wrong name: the name is what to correct
    name = await refusal(api, token, "张三丰", person.id_number, "zh-CN")
    assert name == {
        "code": "REAL_NAME_MISMATCH",
        "field": "name",
        "message": "姓名与该身份证号码登记的姓名不一致。请按身份证上的姓名准确填写。",
    }
    # a number the registry does not know: the number is what to check
    number = await refusal(api, token, person.name, UNKNOWN_NUMBER, "en")
    assert number == {
        "code": "REAL_NAME_NO_SUCH_NUMBER",
        "field": "idNumber",
        "message": "The population registry has no resident with this ID number. Check it against your ID card.",
    }
    # a resident whose household record has no phone at all: the record is what to complete
    async with db() as session:
        unreachable = (
            await session.execute(
                select(t.registry_persons.c.name, t.registry_persons.c.id_number)
                .where(t.registry_persons.c.phone.is_(None))
                .order_by(t.registry_persons.c.id_number)
                .limit(1)
            )
        ).one()
    no_phone = await refusal(api, token, unreachable.name, unreachable.id_number, "zh-HK")
    assert no_phone["code"] == "REAL_NAME_NO_PHONE_ON_RECORD"
    assert no_phone["message"].startswith("姓名與身份證號碼一致，但您的戶籍登記中沒有手機號碼")
    # every failure is audited, and the right name and number then verify
    assert (await audit_actions(db)).count("real_name_failed") == 3
    _, right = await as_user(api, token, VERIFY, {"n": person.name, "i": person.id_number})
    assert right["data"]["verifyRealName"] == {"citizen": {"identityVerified": True}, "errors": []}
