"""`onewindow finance payments | refunds | export` and `onewindow ledger check` as finance staff use them
in a terminal: tables and files in the terminal's language, errors as one clear line and a non-zero exit."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from backend.cli import main as cli
from backend.settings import get_settings
from payments.finance.days import beijing_today
from tests.support import factories
from tests.support.payments import Stack
from tests.support.views import read_csv, read_xlsx

ENGLISH = {"LANG": "en_US.UTF-8", "COLUMNS": "400"}


async def _paid_in_new_loop(stack: Stack, url: str) -> tuple[factories.Citizen, str]:
    """A citizen who paid an order of 470.00 (police 110.00, tax 360.00): (citizen, out_trade_no)."""
    from backend.db.engine import create_engine, session_factory

    engine = create_engine(url)
    try:
        db = session_factory(engine)
        async with stack.client() as client:
            citizen = await factories.citizen(client, db)
        order = await factories.order(db, citizen.id)
        return citizen, await stack.pay(citizen.token, order.id)
    finally:
        await engine.dispose()


def test_finance_staff_find_export_and_read_the_ledger_from_the_terminal(
    stack: Stack, catalog_database: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("ONEWINDOW_DATABASE_URL", catalog_database)
    monkeypatch.setenv("ONEWINDOW_SECRET_KEY", "test-secret-shared-by-every-instance-0123456789")
    get_settings.cache_clear()
    try:
        citizen, out_trade_no = asyncio.run(_paid_in_new_loop(stack, catalog_database))
        today = beijing_today()
        runner = CliRunner()
        # a payment found by its trade number: a table in the terminal's language, the payer masked
        found = runner.invoke(cli, ["finance", "payments", "--trade-no", out_trade_no], env=ENGLISH)
        assert found.exit_code == 0, found.output
        assert out_trade_no in found.output and "Alipay" in found.output and "470.00" in found.output
        assert "Guangzhou Municipal Public Security Bureau" in found.output and "Paid" in found.output
        assert citizen.name not in found.output and citizen.name[0] + "*" in found.output
        assert "1 / 1" in found.output
        # the day's payments to a file, with a progress bar
        out = tmp_path / "day.csv"
        day = today.isoformat()
        made = runner.invoke(
            cli,
            ["finance", "export", "payments", "--from", day, "--to", day, "--format", "csv_gbk", "--out", str(out)],
            env=ENGLISH,
        )
        assert made.exit_code == 0, made.output
        rows = read_csv(out.read_bytes(), "gbk")
        assert rows[0][:2] == ["Paid at", "Order number"]
        assert [r[rows[0].index("Amount (yuan)")] for r in rows[1:] if r[1] == out_trade_no] == ["470.00"]
        workbook = tmp_path / "day.xlsx"
        chinese = {"LANG": "zh_CN.UTF-8", "COLUMNS": "400"}
        made = runner.invoke(
            cli, ["finance", "export", "payments", "--from", day, "--to", day, "--out", str(workbook)], env=chinese
        )
        assert made.exit_code == 0, made.output
        sheet = read_xlsx(workbook.read_bytes())
        assert sheet.rows[0][:2] == ["支付时间", "订单号"] and any(
            r[1] == out_trade_no and 470.0 in r for r in sheet.rows[1:]
        )
        # a day to come: one clear line in the terminal's language, a non-zero exit, no file
        tomorrow = (today + timedelta(days=1)).isoformat()
        refused = runner.invoke(
            cli,
            ["finance", "export", "refunds", "--from", day, "--to", tomorrow, "--out", str(tmp_path / "no.csv")],
            env=chinese,
        )
        assert refused.exit_code == 1
        assert f"{tomorrow} 尚未到来（北京时间今天是 {day}），没有可显示的数据。" in refused.output
        assert not (tmp_path / "no.csv").exists()
        reversed_days = runner.invoke(
            cli, ["finance", "payments", "--from", day, "--to", (today - timedelta(days=1)).isoformat()], env=ENGLISH
        )
        assert reversed_days.exit_code == 1 and "is before the first day" in reversed_days.output
        unknown = runner.invoke(
            cli,
            [
                "finance",
                "export",
                "payments",
                "--from",
                day,
                "--to",
                day,
                "--department",
                "GZ-NOPE",
                "--out",
                str(tmp_path / "x.csv"),
            ],
            env=ENGLISH,
        )
        assert unknown.exit_code == 1 and "There is no department with the code GZ-NOPE." in unknown.output
        # the ledger's balances, each said in words
        checked = runner.invoke(cli, ["ledger", "check"], env=ENGLISH)
        assert checked.exit_code == 0, checked.output
        assert "Owed to Guangzhou Municipal Public Security Bureau: 110.00" in checked.output
        assert "Held by Alipay for the platform:" in checked.output and "ledger balanced" in checked.output
    finally:
        get_settings.cache_clear()
