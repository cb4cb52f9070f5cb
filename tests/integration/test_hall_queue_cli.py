"""`onewindow hall today --hall HALL-GZ`: the day's queues as a table, with labels, in the terminal's language."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from backend.catalog.snapshot import load_snapshot
from backend.cli import main as cli
from backend.db.engine import create_engine, session_factory, unit_of_work
from backend.hall.queue import manager, tickets
from backend.hall.queue.models import Priority
from backend.settings import get_settings
from tests.conftest import TEST_SECRET
from tests.support.queue import TUESDAY_10AM, Clock


async def _two_waiting(database_url: str) -> None:
    engine = create_engine(database_url)
    async with session_factory(engine)() as session, unit_of_work(session):
        snapshot = await load_snapshot(session)
        for minutes in (0, 4):
            await tickets.issue_ticket(
                session,
                snapshot,
                hall_code="HALL-GZ",
                matter_code="GZ-GA-0019",
                priority=Priority.NONE,
                id_number=None,
                locale="zh-Hans",
                now=TUESDAY_10AM + timedelta(minutes=minutes),
            )
    await engine.dispose()


def test_hall_today_prints_the_queues_with_labels(
    catalog_database: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ONEWINDOW_DATABASE_URL", catalog_database)
    monkeypatch.setenv("ONEWINDOW_SECRET_KEY", TEST_SECRET)
    monkeypatch.setenv("ONEWINDOW_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("LC_ALL", "zh_CN.UTF-8")
    get_settings.cache_clear()
    clock = Clock(monkeypatch)
    asyncio.run(_two_waiting(catalog_database))

    async def no_shows(session: Any, hall_code: str, day: Any) -> int:
        return 1

    monkeypatch.setattr(manager.stats, "no_shows", no_shows)
    clock.tick(10)
    result = CliRunner().invoke(cli, ["hall", "today", "--hall", "HALL-GZ"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert "广州市政务服务中心 今日：1 个预约未到" in result.output
    assert any("队列" in x and "平均等候（分钟）" in x for x in lines)
    police = next(x for x in lines if " B " in x or "B 公安" in x)
    assert [cell.strip() for cell in police.strip("│┃ ").split("│")][1:] == ["2", "0", "0", "0", "-", "10.0", "0"]
    unknown = CliRunner().invoke(cli, ["hall", "today", "--hall", "HALL-NOWHERE"])
    assert unknown.exit_code == 1 and "没有服务大厅 HALL-NOWHERE。" in unknown.output
    get_settings.cache_clear()
