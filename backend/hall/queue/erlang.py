"""Erlang C (M/M/c): the chance a newcomer waits, its mean wait, and the counters a target wait needs."""

from __future__ import annotations

import math


def erlang_c(counters: int, load: float) -> float:
    """C(c, A): the probability an arrival waits, with `load` A = lambda / mu Erlangs on c counters.

    C = [A^c/c! * c/(c-A)] / [sum_{k<c} A^k/k! + A^c/c! * c/(c-A)]; 1.0 when the counters cannot keep up.
    """
    if load <= 0:
        return 0.0
    if counters <= load:
        return 1.0
    top = load**counters / math.factorial(counters) * counters / (counters - load)
    below = sum(load**k / math.factorial(k) for k in range(counters))
    return top / (below + top)


def mean_wait(counters: int, arrivals_per_hour: float, served_per_hour: float) -> float:
    """Wq in minutes: C / (c*mu - lambda); infinite when the counters cannot keep up."""
    if arrivals_per_hour <= 0:
        return 0.0
    if counters * served_per_hour <= arrivals_per_hour:
        return math.inf
    chance = erlang_c(counters, arrivals_per_hour / served_per_hour)
    return 60.0 * chance / (counters * served_per_hour - arrivals_per_hour)


def counters_needed(arrivals_per_hour: float, served_per_hour: float, target_minutes: float, *, most: int = 200) -> int:
    """The fewest counters whose mean wait is at most `target_minutes` (0 with nobody arriving)."""
    if arrivals_per_hour <= 0:
        return 0
    for counters in range(1, most + 1):
        if mean_wait(counters, arrivals_per_hour, served_per_hour) <= target_minutes:
            return counters
    return most
