"""A life-event bundle's status follows its items'."""

from __future__ import annotations

import pytest

from backend.applications.states import Status, bundle_status


@pytest.mark.parametrize(
    ("items", "expected"),
    [
        ([Status.COMPLETED, Status.COMPLETED], Status.COMPLETED),
        ([Status.COMPLETED, Status.REJECTED], Status.COMPLETED),
        ([Status.REJECTED, Status.REJECTED], Status.REJECTED),
        # an order left unpaid withdraws every item: the bundle reads withdrawn, not completed
        ([Status.WITHDRAWN, Status.WITHDRAWN], Status.WITHDRAWN),
        ([Status.SUBMITTED, Status.SUPPLEMENT_REQUESTED], Status.SUPPLEMENT_REQUESTED),
        ([Status.SUBMITTED, Status.COMPLETED], Status.IN_PROGRESS),
    ],
)
def test_a_bundle_reads_as_its_items(items: list[Status], expected: Status) -> None:
    assert bundle_status([s.value for s in items], [True] * len(items)) is expected
