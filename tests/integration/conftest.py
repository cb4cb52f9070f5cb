"""Fixtures the integration tests share."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.payments import Stack, payment_stack
from tests.support.servers import RedisServer


@pytest.fixture
def stack(catalog_database: str, redis_server: RedisServer, fresh_redis: Any, tmp_path: Path) -> Iterator[Stack]:
    """The backend and the Alipay and WeChat Pay sandboxes on this test's own database, with Redis emptied first (an
    earlier test's login-code cooldown for the same resident must not refuse this one's)."""
    with payment_stack(catalog_database, redis_server.url, tmp_path / "payments") as running:
        yield running
