"""Rules and providers built in memory, for tests of the matcher and the router."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Literal

from mlx_manager.protocols.table import ApiType
from mlx_manager.providers.catalogue import BackendType
from mlx_manager.providers.directory import ProviderDirectory, ResolvedProvider
from mlx_manager.routing.balancing import Strategy
from mlx_manager.routing.patterns import PatternType
from mlx_manager.routing.rules import Rule, RuleTarget

NOW = datetime(2025, 1, 1, tzinfo=UTC)


def rule(
    rule_id: int,
    pattern: str,
    pattern_type: PatternType = PatternType.EXACT,
    *targets: RuleTarget,
    enabled: bool = True,
    priority: int | None = None,
) -> Rule:
    return Rule(
        id=rule_id,
        pattern=pattern,
        pattern_type=pattern_type,
        targets=targets or (RuleTarget("local"),),
        strategy=Strategy.ORDERED,
        enabled=enabled,
        priority=rule_id if priority is None else priority,
        description="",
        created_at=NOW,
        updated_at=NOW,
    )


def to(provider: int | Literal["local"], model: str | None = None) -> RuleTarget:
    return RuleTarget(provider=provider, model=model)


def provider(
    provider_id: int,
    name: str,
    *,
    backend_type: BackendType = BackendType.GROQ,
    has_key: bool = True,
    key_unreadable: bool = False,
) -> ResolvedProvider:
    return ResolvedProvider(
        id=provider_id,
        name=name,
        backend_type=backend_type,
        api_type=ApiType.OPENAI,
        base_url="https://example.invalid",
        has_key=has_key,
        key_unreadable=key_unreadable,
        _api_key="gsk_test_key_1234" if has_key and not key_unreadable else None,
    )


def directory(*providers: ResolvedProvider) -> ProviderDirectory:
    d = ProviderDirectory()
    d.replace_all(providers)
    return d
