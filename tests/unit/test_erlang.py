"""Erlang C against published values (M/M/c tables) and the staffing hint's smallest counter count."""

from __future__ import annotations

import math

import pytest

from backend.hall.queue.erlang import counters_needed, erlang_c, mean_wait


@pytest.mark.parametrize(
    ("counters", "load", "chance"),
    [
        (3, 2.0, 4 / 9),  # A = 2 Erlangs on 3 counters: 0.444
        (2, 1.0, 1 / 3),  # M/M/2 at 50 % utilisation
        (6, 5.0, 0.5875),  # the call-centre textbook case: 5 Erlangs, 6 agents
        (1, 0.5, 0.5),  # M/M/1: the chance to wait is the utilisation
    ],
)
def test_erlang_c_matches_published_values(counters: int, load: float, chance: float) -> None:
    assert erlang_c(counters, load) == pytest.approx(chance, abs=1e-4)


def test_the_mean_wait_is_c_over_c_mu_minus_lambda_in_minutes() -> None:
    # 2 arrivals an hour, each served in an hour, 3 counters: 0.444 / (3 - 2) hours = 26.7 minutes
    assert mean_wait(3, 2.0, 1.0) == pytest.approx(60 * 4 / 9)
    assert mean_wait(2, 2.0, 1.0) == math.inf  # the counters cannot keep up
    assert mean_wait(1, 0.0, 4.0) == 0.0


def test_counters_needed_is_the_fewest_that_meet_the_target() -> None:
    # 20 arrivals an hour, 15 minutes each (5 Erlangs): 6 counters wait 8.8 min, 7 wait 2.4 min
    assert counters_needed(20, 4, 10) == 6
    assert counters_needed(20, 4, 5) == 7
    assert counters_needed(20, 4, 1) == 8
    assert counters_needed(0, 4, 5) == 0
    assert erlang_c(5, 5.0) == 1.0  # at or over capacity everyone waits
