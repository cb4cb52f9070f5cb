"""`onewindow finance close-day / verify-day / clearing / totals` as finance staff run them: refusals are
one line in the terminal's language and exit 1; the exported record is checked against the database."""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from backend.cli import main as cli
from backend.db.engine import create_engine, session_factory
from backend.settings import get_settings
from payments.closing.period import beijing_today
from tests.conftest import TEST_SECRET
from tests.support.closing import runs_of_every_channel


async def _reconciled(database_url: str) -> None:
    engine = create_engine(database_url)
    try:
        await runs_of_every_channel(session_factory(engine), ["alipay", "wechatpay"], beijing_today())
    finally:
        await engine.dispose()


def test_the_closing_commands(catalog_database: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ONEWINDOW_DATABASE_URL", catalog_database)
    monkeypatch.setenv("ONEWINDOW_SECRET_KEY", TEST_SECRET)
    monkeypatch.setenv("ONEWINDOW_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("LC_ALL", "zh_CN.UTF-8")
    get_settings.cache_clear()
    today = beijing_today()
    try:
        # A future day, and a day whose bills were never reconciled: a clear line and exit 1
        future = CliRunner().invoke(cli, ["finance", "close-day", "--day", (today + timedelta(days=1)).isoformat()])
        assert future.exit_code == 1 and "尚未到来" in future.output, future.output
        unreconciled = CliRunner().invoke(cli, ["finance", "close-day", "--day", today.isoformat()])
        assert unreconciled.exit_code == 1 and "尚未对账（支付宝" in unreconciled.output, unreconciled.output
        not_closed = CliRunner().invoke(cli, ["finance", "clearing", "--day", today.isoformat()])
        assert not_closed.exit_code == 1 and "尚未关账" in not_closed.output
        asyncio.run(_reconciled(catalog_database))
        # Closed, with its signed record written to a file
        record = tmp_path / "closed-day.json"
        closed = CliRunner().invoke(cli, ["finance", "close-day", "--day", today.isoformat(), "--out", str(record)])
        assert closed.exit_code == 0, closed.output
        exported = json.loads(record.read_text(encoding="utf-8"))
        assert exported["record"]["day"] == today.isoformat() and exported["record_sha256"] in closed.output
        again = CliRunner().invoke(cli, ["finance", "close-day", "--day", today.isoformat()])
        assert again.exit_code == 1 and "已关账" in again.output
        # The day and the file check out; an altered file does not
        verified = CliRunner().invoke(
            cli, ["finance", "verify-day", "--day", today.isoformat(), "--record", str(record)]
        )
        assert verified.exit_code == 0 and verified.output.strip().endswith("valid"), verified.output
        exported["record"]["ledger_cut"] += 1
        record.write_text(json.dumps(exported), encoding="utf-8")
        altered = CliRunner().invoke(
            cli, ["finance", "verify-day", "--day", today.isoformat(), "--record", str(record)]
        )
        assert altered.exit_code == 1 and "NOT VALID" in altered.output
        cleared = CliRunner().invoke(cli, ["finance", "clearing", "--day", today.isoformat()])
        assert cleared.exit_code == 0 and "0 instructions" in cleared.output, cleared.output
        totals = CliRunner().invoke(cli, ["finance", "totals", "--day", today.isoformat()])
        assert totals.exit_code == 0, totals.output
    finally:
        get_settings.cache_clear()
