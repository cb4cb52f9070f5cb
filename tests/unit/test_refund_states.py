"""An application's refunds as its applicant reads them: how much, whether it is back, since when."""

from __future__ import annotations

from datetime import UTC, datetime

from payments.orders import OrderStatus
from payments.refund_states import OrderRefunds, RefundPart

ASKED = datetime(2026, 12, 1, 9, tzinfo=UTC)
BOOKED = datetime(2026, 12, 1, 10, tzinfo=UTC)


def _part(department: str, fen: int, *, back: bool) -> RefundPart:
    return RefundPart(
        department_code=department, amount_fen=fen, requested_at=ASKED, refunded_at=BOOKED if back else None
    )


def test_a_refund_the_channel_has_not_confirmed_is_in_progress_with_no_date_of_return() -> None:
    refunds = OrderRefunds(
        order_status=OrderStatus.PAID, parts=[_part("GZ-GA", 11000, back=True), _part("GZ-SWJ", 36000, back=False)]
    )
    state = refunds.state()
    assert state is not None
    assert (state.amount_fen, state.refunded_fen, state.in_progress) == (47000, 11000, True)
    assert (state.label, state.requested_at, state.refunded_at) == ("Refund in progress", ASKED, None)


def test_all_of_it_back_reads_refunded_and_part_of_it_partly_refunded() -> None:
    whole = OrderRefunds(order_status=OrderStatus.REFUNDED, parts=[_part("GZ-GA", 11000, back=True)])
    part = OrderRefunds(order_status=OrderStatus.PAID, parts=[_part("GZ-GA", 5000, back=True)])
    all_back, some_back = whole.state(), part.state()
    assert all_back is not None and (all_back.label, all_back.refunded_at) == ("Refunded", BOOKED)
    assert some_back is not None and some_back.label == "Partly refunded"


def test_an_officer_reads_their_departments_share_only() -> None:
    refunds = OrderRefunds(
        order_status=OrderStatus.REFUNDED, parts=[_part("GZ-GA", 11000, back=True), _part("GZ-SWJ", 36000, back=True)]
    )
    mine = refunds.state(frozenset({"GZ-GA"}))
    assert mine is not None and (mine.amount_fen, mine.label) == (11000, "Refunded")
    assert refunds.state(frozenset({"GZ-JT"})) is None
