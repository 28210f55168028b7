"""Load balancing inside a rule: the order in which a request tries the rule's targets.

Every strategy gives a full order, so failover goes on down it; targets that health says are out
are skipped by the failover loop, whatever the order.

- ``ordered``: as listed (the first is primary, the rest are fallbacks).
- ``weighted``: random, by each target's ``weight`` (Efraimidis–Spirakis sampling).
- ``least_busy``: fewest requests in flight first; ties at random.
- ``latency``: lowest peak-EWMA latency times (requests in flight + 1), as Finagle's peak-EWMA
  balancer; a target never measured goes first, and now and then (``EXPLORE``) a random one
  does, so a target that was slow once is measured again.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from enum import StrEnum
from typing import Protocol, TypeVar

from mlx_manager.routing.health import TargetHealth

EXPLORE = 0.05
_RNG = random.Random()


class Strategy(StrEnum):
    ORDERED = "ordered"
    WEIGHTED = "weighted"
    LEAST_BUSY = "least_busy"
    LATENCY = "latency"


class Balanced(Protocol):
    @property
    def key(self) -> str: ...

    @property
    def weight(self) -> int: ...


T = TypeVar("T", bound=Balanced)


def arrange(
    targets: Sequence[T],
    strategy: Strategy,
    health: TargetHealth,
    rng: random.Random | None = None,
) -> Sequence[T]:
    if strategy is Strategy.ORDERED or len(targets) < 2:
        return targets
    draw = (rng or _RNG).random
    if strategy is Strategy.WEIGHTED:
        return sorted(targets, key=lambda t: draw() ** (1.0 / t.weight), reverse=True)
    if strategy is Strategy.LEAST_BUSY:
        return sorted(targets, key=lambda t: (health.in_flight(t.key), draw()))
    if draw() < EXPLORE:
        first = int(draw() * len(targets))
        return [targets[first], *targets[:first], *targets[first + 1 :]]
    return sorted(targets, key=lambda t: _cost(health, t.key))


def _cost(health: TargetHealth, key: str) -> float:
    return health.latency(key) * (health.in_flight(key) + 1)


def explain_pick(targets: Sequence[T], strategy: Strategy, health: TargetHealth) -> list[str]:
    """A sentence per target on how the strategy weighs it now."""
    if strategy is Strategy.ORDERED:
        return ["primary" if i == 0 else f"fallback {i}" for i in range(len(targets))]
    if strategy is Strategy.WEIGHTED:
        total = sum(t.weight for t in targets)
        return [
            f"weight {t.weight} of {total}: first {t.weight / total:.0%} of the time"
            for t in targets
        ]
    if strategy is Strategy.LEAST_BUSY:
        return [f"{health.in_flight(t.key)} in flight" for t in targets]
    return [
        f"{health.latency(t.key) * 1000:.0f} ms × {health.in_flight(t.key) + 1}"
        if health.latency(t.key)
        else "not measured yet: tried first"
        for t in targets
    ]
