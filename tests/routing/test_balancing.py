"""Load-balancing strategies: the order each gives a rule's targets."""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass

from mlx_manager.routing.balancing import Strategy, arrange, explain_pick
from mlx_manager.routing.health import Outcome, TargetHealth


@dataclass(frozen=True)
class T:
    key: str
    weight: int = 1


A, B, C = T("a", 3), T("b", 1), T("c", 1)


def test_ordered_keeps_the_listed_order() -> None:
    assert list(arrange([A, B, C], Strategy.ORDERED, TargetHealth())) == [A, B, C]


def test_weighted_puts_targets_first_in_proportion_to_their_weight() -> None:
    rng = random.Random(7)
    firsts = Counter(
        arrange([A, B], Strategy.WEIGHTED, TargetHealth(), rng)[0] for _ in range(4000)
    )
    assert 0.72 < firsts[A] / 4000 < 0.78  # 3 of 4
    # The full order lists every target once, so failover goes on down it.
    assert sorted(t.key for t in arrange([A, B, C], Strategy.WEIGHTED, TargetHealth(), rng)) == [
        "a",
        "b",
        "c",
    ]


def test_least_busy_prefers_fewest_in_flight() -> None:
    health = TargetHealth()
    health.started("a")
    health.started("a")
    health.started("c")
    assert list(arrange([A, B, C], Strategy.LEAST_BUSY, health)) == [B, C, A]


def test_latency_prefers_the_fast_target_and_measures_unknown_ones_first() -> None:
    now = [0.0]
    health = TargetHealth(clock=lambda: now[0])
    for key, took in (("a", 0.4), ("b", 0.05)):
        started = health.started(key)
        now[0] += took
        health.finished(key, started, Outcome.SUCCESS, None)
    rng = random.Random(1)
    firsts = Counter(arrange([A, B, C], Strategy.LATENCY, health, rng)[0].key for _ in range(1000))
    assert firsts["c"] > 900  # never measured: tried first
    firsts = Counter(arrange([A, B], Strategy.LATENCY, health, rng)[0].key for _ in range(1000))
    assert firsts["b"] > 950
    assert firsts["a"] > 0  # a little exploration re-measures the slow one


def test_explanations_say_how_each_target_is_weighed() -> None:
    health = TargetHealth()
    assert explain_pick([A, B], Strategy.ORDERED, health) == ["primary", "fallback 1"]
    assert explain_pick([A, B], Strategy.WEIGHTED, health)[0].startswith("weight 3 of 4")
    assert explain_pick([A], Strategy.LEAST_BUSY, health) == ["0 in flight"]
    assert explain_pick([A], Strategy.LATENCY, health) == ["not measured yet: tried first"]
