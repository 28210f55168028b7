"""A routing rule and its targets, as values; and their stored form."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Final, Literal

from mlx_manager.routing.patterns import PatternType
from mlx_manager.storage.tables import RuleRow, StoredTarget

LOCAL: Final = "local"


@dataclass(frozen=True, slots=True)
class RuleTarget:
    # A provider id, or "local" for the local MLX engine.
    provider: int | Literal["local"]
    # The model name to send; None sends the requested name unchanged.
    model: str | None = None

    @property
    def provider_id(self) -> int | None:
        return self.provider if isinstance(self.provider, int) else None


@dataclass(frozen=True, slots=True)
class Rule:
    id: int
    pattern: str
    pattern_type: PatternType
    # The first is the primary target, the rest are fallbacks in order; never empty.
    targets: tuple[RuleTarget, ...]
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
        enabled=row.enabled,
        priority=row.priority,
        description=row.description,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def targets_to_json(targets: tuple[RuleTarget, ...]) -> list[StoredTarget]:
    return [{"provider": t.provider, "model": t.model} for t in targets]


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
    return RuleTarget(provider=target_provider, model=str(model) if model is not None else None)
