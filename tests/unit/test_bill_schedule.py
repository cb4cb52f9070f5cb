"""When the daily job checks a bill: the day before, once the channel has it ready, once."""

from __future__ import annotations

from datetime import UTC, date, datetime

from payments.reconciliation.days import bill_day_due


def test_the_day_before_is_checked_once_the_bill_is_ready() -> None:
    # 09:30 Beijing (01:30 UTC): Alipay has not published yesterday's bill yet
    assert bill_day_due(datetime(2026, 11, 22, 1, 30, tzinfo=UTC), date(2026, 11, 20)) is None
    # 10:30 Beijing: yesterday's bill is due
    assert bill_day_due(datetime(2026, 11, 22, 2, 30, tzinfo=UTC), date(2026, 11, 20)) == date(2026, 11, 21)
    # ... unless it was checked already
    assert bill_day_due(datetime(2026, 11, 22, 2, 30, tzinfo=UTC), date(2026, 11, 21)) is None
    # A first run checks the day before too
    assert bill_day_due(datetime(2026, 11, 22, 2, 30, tzinfo=UTC), None) == date(2026, 11, 21)


def test_the_beijing_day_not_the_utc_day_decides() -> None:
    # 23:30 UTC on the 21st is 07:30 Beijing on the 22nd: too early for the 21st's bill
    assert bill_day_due(datetime(2026, 11, 21, 23, 30, tzinfo=UTC), date(2026, 11, 19)) is None
    # 16:30 UTC on the 22nd is 00:30 Beijing on the 23rd: the 22nd's bill is not ready before 10:00
    assert bill_day_due(datetime(2026, 11, 22, 16, 30, tzinfo=UTC), date(2026, 11, 21)) is None
