"""A routing rule and its targets, as values; and their stored form."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Final, Literal

from mlx_manager.routing.balancing import Strategy
from mlx_manager.routing.patterns import PatternType
from mlx_manager.storage.tables import RuleRow, StoredTarget

LOCAL: Final = "local"
# The timeouts a target may set for itself (seconds); unset ones take the server's defaults.
TIMEOUT_FIELDS: Final = ("connect_timeout", "first_byte_timeout", "idle_timeout")


@dataclass(frozen=True, slots=True)
class RuleTarget:
    # A provider id, or "local" for the local MLX engine.
    provider: int | Literal["local"]
    # The model name to send; None sends the requested name unchanged.
    model: str | None = None
    # Its share of traffic under the ``weighted`` strategy (1–1000).
    weight: int = 1
    connect_timeout: float | None = None
    first_byte_timeout: float | None = None
    idle_timeout: float | None = None

    @property
    def provider_id(self) -> int | None:
        return self.provider if isinstance(self.provider, int) else None


@dataclass(frozen=True, slots=True)
class Rule:
    id: int
    pattern: str
    pattern_type: PatternType
    # Never empty. Under ``ordered`` the first is primary and the rest are fallbacks in order.
    targets: tuple[RuleTarget, ...]
    strategy: Strategy
    enabled: bool
    priority: int
    description: str
    created_at: datetime
    updated_at: datetime


def rule_from_row(row: RuleRow) -> Rule:
    return Rule(
        id=row.id,
        pattern=row.pattern,
        pattern_type=PatternType(row.pattern_type),
        targets=tuple(_target_from_json(t) for t in row.targets),
        strategy=Strategy(row.strategy),
        enabled=row.enabled,
        priority=row.priority,
        description=row.description,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def targets_to_json(targets: tuple[RuleTarget, ...]) -> list[StoredTarget]:
    stored: list[StoredTarget] = []
    for t in targets:
        item: StoredTarget = {"provider": t.provider, "model": t.model, "weight": t.weight}
        for name in TIMEOUT_FIELDS:
            if (value := getattr(t, name)) is not None:
                item[name] = value
        stored.append(item)
    return stored


def _target_from_json(stored: StoredTarget) -> RuleTarget:
    provider = stored["provider"]
    model = stored.get("model")
    target_provider: int | Literal["local"]
    if provider == LOCAL:
        target_provider = LOCAL
    elif isinstance(provider, int):
        target_provider = provider
    else:
        raise ValueError(f"A stored rule target names no provider: {stored!r}")
    weight = stored.get("weight")
    return RuleTarget(
        provider=target_provider,
        model=str(model) if model is not None else None,
        weight=weight if isinstance(weight, int) and weight > 0 else 1,
        **{name: _seconds(stored.get(name)) for name in TIMEOUT_FIELDS},
    )


def _seconds(value: object) -> float | None:
    return float(value) if isinstance(value, int | float) and value > 0 else None
