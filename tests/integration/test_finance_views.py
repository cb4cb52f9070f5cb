"""Finance staff find payments and refunds, read the ledger's balances in words and export to Excel
(issue 18, items 1, 2 and 6), through the live backend and the Alipay sandbox."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import insert

from backend.identity.staff import set_disabled
from payments import tables as pt
from payments.finance.days import beijing_today
from tests.support import factories
from tests.support.identity import staff_token
from tests.support.payments import Sessions, Stack
from tests.support.views import download, excel_moment, read_csv, read_xlsx

PAYMENT_FIELDS = """orderId outTradeNo channel channelName channelTradeNo total refunded status statusLabel
  departments { code name amount refunded } payer reference paidAt receipts { billCode billNumber red } cursor"""
PAYMENTS = f"""query($f: FinancePaymentFilter, $first: Int!, $after: String) {{
  financePayments(filter: $f, first: $first, after: $after) {{ totalCount
    pageInfo {{ hasNextPage endCursor }} items {{ {PAYMENT_FIELDS} }} }} }}"""
REFUNDS = """query($f: FinanceRefundFilter) { financeRefunds(filter: $f) { totalCount items { outRequestNo outTradeNo
  departmentCode departmentName amount reason status statusLabel payer reference requestedAt refundedAt
  reversal { billCode billNumber red } } } }"""
BALANCES = "{ ledgerBalances { account kind kindLabel balance amount side sideLabel meaning usual } }"
EXPORT = """mutation($i: ExportFinanceInput!) { exportFinance(input: $i) { export { url expiresAt }
  errors { code field message } } }"""
PROCESS = """mutation($i: ProcessApplicationInput!) { processApplication(input: $i) { errors { code } } }"""
APPLICATION = "query($id: ID!) { application(id: $id) { reference order { id } } }"
REFUND = """mutation($i: RefundInput!) { refund(input: $i) { refund { amount } errors { code message } } }"""


async def _paid_car_registration(stack: Stack, db: Sessions) -> tuple[factories.Citizen, str, str]:
    """A citizen's car registration accepted and paid (110.00 to the police, 360.00 of vehicle tax):
    (citizen, application reference, order id)."""
    async with stack.client() as client:
        citizen = await factories.citizen(client, db)
        application = await factories.car_registration(client, citizen)
        officer = await staff_token(client, "officer.gz-ga")
    step = {"applicationId": application["id"], "action": "ACCEPT"}
    assert (await stack.gql(officer, PROCESS, {"i": step}))["processApplication"]["errors"] == []
    found = (await stack.gql(citizen.token, APPLICATION, {"id": application["id"]}))["application"]
    await stack.pay(citizen.token, found["order"]["id"])
    return citizen, found["reference"], found["order"]["id"]


async def _payments(stack: Stack, token: str, wanted: dict[str, Any], locale: str = "zh-CN") -> dict[str, Any]:
    page: dict[str, Any] = (await stack.gql(token, PAYMENTS, {"f": wanted, "first": 20}, locale))["financePayments"]
    return page


async def test_finance_finds_a_payment_by_any_number_the_citizen_quotes_refunds_it_and_exports_the_day(
    stack: Stack, db: Sessions, fresh_redis: Any
) -> None:
    # Given two citizens who paid today: a car registration (police and tax), and a tax alone
    citizen, reference, order_id = await _paid_car_registration(stack, db)
    async with stack.client() as client:
        other = await factories.citizen(client, db, skip=3)
        finance = await staff_token(client, "finance")
    tax_only = await factories.order(db, other.id, (factories.TWO_DEPARTMENTS[1],))
    other_trade = await stack.pay(other.token, tax_only.id)
    today = beijing_today().isoformat()
    found = await _payments(stack, finance, {"orderId": order_id})
    ours = found["items"][0]["outTradeNo"]
    channel_trade = (await stack.trade(ours))["trade_no"]

    # When finance look it up by our trade number, the channel's, or the application's reference
    for wanted in ({"tradeNo": ours}, {"tradeNo": channel_trade}, {"reference": reference}):
        page = await _payments(stack, finance, wanted)
        # Then they find that one payment, in their language, with the payer masked and Beijing times
        assert page["totalCount"] == 1, wanted
        payment = page["items"][0]
        assert payment["orderId"] == order_id and payment["outTradeNo"] == ours
        assert payment["channelTradeNo"] == channel_trade and payment["channelName"] == "支付宝"
        assert payment["total"] == "470.00" and payment["refunded"] == "0.00"
        assert payment["status"] == "paid" and payment["statusLabel"] == "已缴费"
        assert payment["reference"] == reference
        assert {d["code"]: (d["name"], d["amount"]) for d in payment["departments"]} == {
            "GZ-GA": ("广州市公安局", "110.00"),
            "GZ-SWJ": ("国家税务总局广州市税务局", "360.00"),
        }
        assert re.fullmatch(r".\*+", payment["payer"]) and payment["payer"][0] == citizen.name[0]
        assert payment["paidAt"].startswith(today) and payment["paidAt"].endswith("+08:00")
        assert len(payment["receipts"]) == 2 and not any(r["red"] for r in payment["receipts"])

    # A second payment of the same order (through the other channel, say): its trade number finds the order too
    async with db() as session, session.begin():
        await session.execute(
            insert(pt.duplicate_payments).values(
                id=str(uuid.uuid4()),
                order_id=order_id,
                channel="wechatpay",
                channel_trade_no="4200002026120612345678",
                amount_fen=47000,
                out_request_no="DUP" + ours,
                status="refunding",
                created_at=datetime.now(UTC),
            )
        )
    second_payment = await _payments(stack, finance, {"tradeNo": "4200002026120612345678"})
    assert [p["orderId"] for p in second_payment["items"]] == [order_id]

    # By department and day: the police's payments of today hold the registration, not the tax alone
    police_today = await _payments(stack, finance, {"departmentCode": "GZ-GA", "dayFrom": today, "dayTo": today})
    trades = [p["outTradeNo"] for p in police_today["items"]]
    assert ours in trades and other_trade not in trades
    taxed = await _payments(stack, finance, {"departmentCode": "GZ-SWJ", "dayFrom": today, "dayTo": today})
    assert {ours, other_trade} <= {p["outTradeNo"] for p in taxed["items"]}
    # an amount range and a page of one: newest first, the next page follows the cursor
    first = (await stack.gql(finance, PAYMENTS, {"f": {"maxAmount": "470.00"}, "first": 1}))["financePayments"]
    assert first["items"][0]["outTradeNo"] == other_trade and first["pageInfo"]["hasNextPage"]
    after = first["pageInfo"]["endCursor"]
    second = await stack.gql(finance, PAYMENTS, {"f": {"maxAmount": "470.00"}, "first": 1, "after": after})
    assert second["financePayments"]["items"][0]["outTradeNo"] == ours
    assert (await _payments(stack, finance, {"minAmount": "470.01"}))["totalCount"] == 0

    # When finance give back 60.00 of the tax
    refund = {
        "orderId": order_id,
        "departmentCode": "GZ-SWJ",
        "amount": "60.00",
        "reason": "车船税按月计算多收，致电 13800138000",
        "idempotencyKey": str(uuid.uuid4()),
    }
    assert (await stack.gql(finance, REFUND, {"i": refund}))["refund"]["errors"] == []
    # Then the refund is listed, found by the trade number, in words, with its red-letter receipt
    refunds = (await stack.gql(finance, REFUNDS, {"f": {"tradeNo": channel_trade}}, "en"))["financeRefunds"]
    assert refunds["totalCount"] == 1
    listed = refunds["items"][0]
    assert listed["outTradeNo"] == ours and listed["amount"] == "60.00" and listed["departmentCode"] == "GZ-SWJ"
    assert listed["departmentName"] == "Guangzhou Municipal Tax Service, State Taxation Administration"
    assert listed["status"] == "done" and listed["statusLabel"] == "Refunded"
    assert listed["reason"] == "车船税按月计算多收，致电 138****8000"  # a phone in an officer's words is masked
    assert listed["reversal"]["red"] and listed["reference"] == reference
    assert listed["requestedAt"].startswith(today) and listed["refundedAt"].endswith("+08:00")
    partly = await _payments(stack, finance, {"tradeNo": ours, "status": "PARTLY_REFUNDED"})
    assert partly["items"][0]["statusLabel"] == "已部分退款" and partly["items"][0]["refunded"] == "60.00"

    # Nothing finance read names the payer in full, or gives their phone or ID number
    seen = str([await _payments(stack, finance, {"tradeNo": ours}), refunds, partly])
    assert citizen.name not in seen and citizen.phone[-8:] not in seen and citizen.id_number not in seen

    # And the day's payments export as xlsx, and as CSV in UTF-8 and in GBK
    day = {"kind": "PAYMENTS", "dayFrom": today, "dayTo": today}
    for file_format, encoding in (("XLSX", None), ("CSV", "utf-8-sig"), ("CSV_GBK", "gbk")):
        made = (await stack.gql(finance, EXPORT, {"i": day | {"format": file_format}}, "zh-CN"))["exportFinance"]
        assert made["errors"] == [], made
        response = await download(made["export"]["url"])
        assert response.status_code == 200, response.text
        disposition = response.headers["content-disposition"]
        if encoding is None:
            assert response.headers["content-type"].startswith("application/vnd.openxmlformats")
            assert disposition == f'attachment; filename="payments-{today}.xlsx"'
            sheet = read_xlsx(response.content)
            header, rows = sheet.rows[0], sheet.rows[1:]
            assert sheet.frozen
        else:
            assert response.headers["content-type"].startswith("text/csv")
            assert f"payments-{today}" in disposition
            table = read_csv(response.content, encoding)
            header, rows = table[0], table[1:]
        assert header[:3] == ["支付时间", "订单号", "支付渠道"] and "金额（元）" in header
        amount, refunded, paid_at = header.index("金额（元）"), header.index("已退款（元）"), header.index("支付时间")
        mine = next(r for r in rows if r[1] == ours)
        theirs = next(r for r in rows if r[1] == other_trade)
        if encoding is None:
            assert (mine[amount], mine[refunded], theirs[amount]) == (470.0, 60.0, 360.0)
            assert excel_moment(mine[paid_at]).startswith(today)
        else:
            assert (mine[amount], mine[refunded], theirs[amount]) == ("470.00", "60.00", "360.00")
            assert mine[paid_at].startswith(today)
        assert mine[header.index("支付渠道")] == "支付宝" and mine[header.index("状态")] == "已部分退款"
        assert mine[header.index("办件编号")] == reference
        assert mine[header.index("部门")] == "广州市公安局; 国家税务总局广州市税务局"
        assert re.fullmatch(r".\*+", mine[header.index("交款人")])
    # The refunds of the day, as CSV
    made = await stack.gql(finance, EXPORT, {"i": day | {"kind": "REFUNDS", "format": "CSV"}}, "en")
    refund_rows = read_csv((await download(made["exportFinance"]["export"]["url"])).content, "utf-8-sig")
    assert refund_rows[0][:3] == ["Requested at", "Refunded at (channel)", "Refund number"]
    row = next(r for r in refund_rows[1:] if r[3] == ours)
    assert row[refund_rows[0].index("Amount (yuan)")] == "60.00" and row[refund_rows[0].index("Status")] == "Refunded"


async def test_every_balance_says_what_it_is_and_whose_in_the_readers_language(
    stack: Stack, db: Sessions, fresh_redis: Any
) -> None:
    # Given a paid car registration (110.00 owed to the police, 360.00 to the tax service)
    await _paid_car_registration(stack, db)
    async with stack.client() as client:
        finance = await staff_token(client, "finance")
    # When finance read the ledger's balances
    lines = {x["account"]: x for x in (await stack.gql(finance, BALANCES, {}, "zh-CN"))["ledgerBalances"]}
    # Then each says in words what it is, the department by name, the amount positive, the sign explained
    police = lines["dept:GZ-GA"]
    assert police["balance"].startswith("-") and police["amount"] == police["balance"][1:]
    assert police["meaning"] == f"应付广州市公安局：{police['amount']}"
    assert police["side"] == "credit" and police["sideLabel"] == "贷方余额：平台应付的资金"
    assert police["kindLabel"] == "负债" and police["usual"]
    held = lines["channel:alipay"]
    assert held["meaning"] == f"支付宝为平台代收未结：{held['amount']}" and held["side"] == "debit"
    assert "fees:alipay" not in lines  # fees are posted from the channel's bill, by reconciliation
    english = {x["account"]: x for x in (await stack.gql(finance, BALANCES, {}, "en"))["ledgerBalances"]}
    assert english["dept:GZ-GA"]["meaning"] == f"Owed to Guangzhou Municipal Public Security Bureau: {police['amount']}"
    traditional = {x["account"]: x for x in (await stack.gql(finance, BALANCES, {}, "zh-TW"))["ledgerBalances"]}
    assert traditional["dept:GZ-GA"]["meaning"] == f"應付廣州市公安局：{police['amount']}"
    # the payment was split at once: clearing holds nothing, and says so
    assert lines["clearing"]["balance"] == "0.00" and lines["clearing"]["meaning"] == "没有待分配给部门的款项"


FINANCE_ONLY = [
    ("{ financePayments { totalCount } }", "financePayments"),
    ("{ financeRefunds { totalCount } }", "financeRefunds"),
    ("{ ledgerBalances { account } }", "ledgerBalances"),
]


async def test_citizens_and_officers_are_refused_the_finance_views_and_exports(
    stack: Stack, db: Sessions, fresh_redis: Any
) -> None:
    async with stack.client() as client:
        citizen = await factories.citizen(client, db)
        officer = await staff_token(client, "officer.gz-ga")
        finance = await staff_token(client, "finance")
        admin = await staff_token(client, "admin")
    today = beijing_today().isoformat()
    day = {"kind": "PAYMENTS", "dayFrom": today, "dayTo": today}
    for token in (citizen.token, officer):
        for query, name in FINANCE_ONLY:
            async with stack.client() as client:
                answer = (
                    await client.post("/graphql", json={"query": query}, headers={"authorization": f"Bearer {token}"})
                ).json()
            assert answer["data"] is None or answer["data"].get(name) is None, answer
            assert answer["errors"][0]["extensions"]["code"] == "FORBIDDEN", answer
        async with stack.client() as client:
            refused = await client.post(
                "/graphql",
                json={"query": EXPORT, "variables": {"i": day}},
                headers={"authorization": f"Bearer {token}"},
            )
        assert refused.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    for token in (finance, admin):
        assert (await stack.gql(token, "{ financePayments { totalCount } }", {}))["financePayments"]["totalCount"] >= 0


async def test_a_finance_person_reads_why_an_export_cannot_be_made_in_their_language(
    stack: Stack, db: Sessions, fresh_redis: Any
) -> None:
    async with stack.client() as client:
        finance = await staff_token(client, "finance")
    today = beijing_today()
    cases = [
        (
            {"dayFrom": str(today), "dayTo": str(today - timedelta(days=1))},
            "FINANCE_DAYS_REVERSED",
            "dayTo",
            {
                "zh-CN": f"结束日期（{today - timedelta(days=1)}）早于开始日期（{today}）：请对调或重新选择日期。",
                "en": f"The last day ({today - timedelta(days=1)}) is before the first day ({today}): swap them or "
                "pick the days again.",
            },
        ),
        (
            {"dayFrom": str(today - timedelta(days=92)), "dayTo": str(today)},
            "FINANCE_DAYS_TOO_MANY",
            "dayTo",
            {"zh-TW": "一次匯出最多 92 天，所選日期共 93 天。請分段匯出。"},
        ),
        (
            {"dayFrom": str(today), "dayTo": str(today + timedelta(days=1))},
            "FINANCE_DAY_IN_FUTURE",
            "dayTo",
            {"zh-CN": f"{today + timedelta(days=1)} 尚未到来（北京时间今天是 {today}），没有可显示的数据。"},
        ),
        (
            {"dayFrom": str(today), "dayTo": str(today), "departmentCode": "GZ-NOPE"},
            "FINANCE_UNKNOWN_DEPARTMENT",
            "departmentCode",
            {"en": "There is no department with the code GZ-NOPE.", "zh-CN": "没有编码为 GZ-NOPE 的部门。"},
        ),
    ]
    for given, code, field, messages in cases:
        for locale, message in messages.items():
            answer = await stack.gql(finance, EXPORT, {"i": {"kind": "PAYMENTS"} | given}, locale)
            assert answer["exportFinance"] == {
                "export": None,
                "errors": [{"code": code, "field": field, "message": message}],
            }, (given, locale)
    # a search for a day to come is refused the same way, not answered "nothing found"
    async with stack.client() as client:
        answer = (
            await client.post(
                "/graphql",
                json={"query": PAYMENTS, "variables": {"f": {"dayFrom": str(today + timedelta(days=1))}, "first": 5}},
                headers={"authorization": f"Bearer {finance}", "accept-language": "en"},
            )
        ).json()
    assert answer["errors"][0]["extensions"]["code"] == "FINANCE_DAY_IN_FUTURE"
    # and a department that does not exist is said to be one, not answered "no payments"
    async with stack.client() as client:
        answer = (
            await client.post(
                "/graphql",
                json={"query": PAYMENTS, "variables": {"f": {"departmentCode": "GZ-NOPE"}, "first": 5}},
                headers={"authorization": f"Bearer {finance}", "accept-language": "zh-CN"},
            )
        ).json()
    assert answer["errors"][0]["extensions"]["code"] == "FINANCE_UNKNOWN_DEPARTMENT"
    assert answer["errors"][0]["message"] == "没有编码为 GZ-NOPE 的部门。"


async def test_a_changed_or_expired_download_link_opens_nothing(stack: Stack, db: Sessions, fresh_redis: Any) -> None:
    async with stack.client() as client:
        finance = await staff_token(client, "finance")
    today = beijing_today().isoformat()
    made = await stack.gql(finance, EXPORT, {"i": {"kind": "PAYMENTS", "dayFrom": today, "dayTo": today}})
    url = made["exportFinance"]["export"]["url"]
    assert (await download(url)).status_code == 200
    for changed in (url.replace("format=xlsx", "format=csv"), url.replace("/payments?", "/refunds?"), url[:-2] + "00"):
        refused = await download(changed)
        assert refused.status_code == 403
        assert refused.json()["errors"][0]["extensions"]["code"] == "EXPORT_LINK_INVALID"
    # the link is its staff member's: once their account is disabled, it opens nothing either
    async with db() as session, session.begin():
        await set_disabled(session, "finance", True)
    refused = await download(url)
    assert refused.status_code == 403
    assert refused.json()["errors"][0]["extensions"]["code"] == "EXPORT_LINK_INVALID"
