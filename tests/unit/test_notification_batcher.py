"""The group commit of notifications: batches, answers only after applying, and failure isolation."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

import pytest

from payments.notifications import NotificationBatcher


class Recorder:
    """An apply function that records its batches and fails any batch holding a poisoned notification."""

    def __init__(self) -> None:
        self.batches: list[list[str]] = []

    async def __call__(self, batch: Sequence[dict[str, str]]) -> list[tuple[bool, str]]:
        names = [params["n"] for params in batch]
        self.batches.append(names)
        await asyncio.sleep(0)  # a database round trip: others arrive meanwhile
        if "poison" in names:
            raise RuntimeError("constraint violated")
        return [(True, f"applied {name}") for name in names]


async def test_what_arrives_together_is_applied_together_and_each_gets_its_own_answer() -> None:
    apply = Recorder()
    batcher = NotificationBatcher(apply, max_batch=3)
    answers = await asyncio.gather(*(batcher.submit({"n": str(i)}) for i in range(7)))
    assert answers == [(True, f"applied {i}") for i in range(7)]
    assert apply.batches == [["0", "1", "2"], ["3", "4", "5"], ["6"]]
    # Alone, a notification waits for nobody
    assert await batcher.submit({"n": "late"}) == (True, "applied late")
    assert apply.batches[-1] == ["late"]


async def test_a_failing_batch_is_retried_one_by_one_and_only_the_culprit_fails() -> None:
    apply = Recorder()
    batcher = NotificationBatcher(apply)
    results = await asyncio.gather(
        *(batcher.submit({"n": name}) for name in ("a", "poison", "b")), return_exceptions=True
    )
    assert results[0] == (True, "applied a") and results[2] == (True, "applied b")
    assert isinstance(results[1], RuntimeError)
    assert apply.batches == [["a", "poison", "b"], ["a"], ["poison"], ["b"]]


async def test_a_request_that_went_away_does_not_stop_the_others() -> None:
    apply = Recorder()
    batcher = NotificationBatcher(apply)
    gone = asyncio.ensure_future(batcher.submit({"n": "gone"}))
    stays = asyncio.ensure_future(batcher.submit({"n": "stays"}))
    await asyncio.sleep(0)
    gone.cancel()
    assert await stays == (True, "applied stays")
    with pytest.raises(asyncio.CancelledError):
        await gone
    assert apply.batches == [["gone", "stays"]]  # it was applied all the same: Alipay's retry finds it done
