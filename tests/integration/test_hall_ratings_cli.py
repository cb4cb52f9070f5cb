"""`onewindow hall ratings` prints a department's published 好差评 figures with labels in the terminal's
language; asking for no scope is one clear line and exit 1."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from backend.cli import main as cli
from backend.db import tables as t
from backend.db.engine import create_engine, session_factory, unit_of_work
from backend.settings import get_settings
from tests.conftest import TEST_SECRET

DEPARTMENT = "RATED-DEPT"


async def _rated(database_url: str, levels: list[tuple[str, bool]]) -> None:
    engine = create_engine(database_url)
    now = datetime.now(UTC) - timedelta(hours=1)
    try:
        async with session_factory(engine)() as session, unit_of_work(session):
            for n, (level, defaulted) in enumerate(levels):
                await session.execute(
                    t.rateables.insert().values(
                        id=str(uuid.uuid4()),
                        kind="hall_visit",
                        subject_id=f"ticket-{n}",
                        citizen_id="c",
                        department_code=DEPARTMENT,
                        matter_code="M",
                        finished_at=now,
                        due_at=now,
                        level=level,
                        rated_at=now,
                        defaulted=defaulted,
                        excluded=False,
                    )
                )
    finally:
        await engine.dispose()


def test_the_figures_command(catalog_database: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ONEWINDOW_DATABASE_URL", catalog_database)
    monkeypatch.setenv("ONEWINDOW_SECRET_KEY", TEST_SECRET)
    monkeypatch.setenv("ONEWINDOW_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("LC_ALL", "zh_CN.UTF-8")
    get_settings.cache_clear()
    try:
        asyncio.run(_rated(catalog_database, [("very_satisfied", False), ("basic", True), ("satisfied", False)]))
        shown = CliRunner().invoke(cli, ["hall", "ratings", "--department", DEPARTMENT])
        assert shown.exit_code == 0, shown.output
        lines = shown.output.splitlines()
        assert lines[:4] == [
            "评价数: 3",
            "满意率（基本满意及以上）: 100.0%",
            "其中逾期未评、默认基本满意: 1",
            "  非常满意: 1",
        ]
        assert "  非常不满意: 0" in lines and "差评数: 0" in lines and "按时整改: 0/0 (暂无)" in lines
        refused = CliRunner().invoke(cli, ["hall", "ratings"])
        assert refused.exit_code == 1 and "请只指定一个大厅、部门或事项" in refused.output, refused.output
    finally:
        get_settings.cache_clear()
