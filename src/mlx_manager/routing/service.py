"""Routing rules: create, change, reorder, delete, test — keeping the router's table in step.

Rules that name a deleted provider are kept, never cascade-deleted: they are the user's
configuration. Such a target shows as unusable (with the reason) and the live router skips it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from mlx_manager.errors import ModelNotFound, NotFound
from mlx_manager.providers.validation import FieldError, InvalidFields
from mlx_manager.routing.balancing import Strategy, arrange, explain_pick
from mlx_manager.routing.health import HealthState, TargetHealth, TargetView
from mlx_manager.routing.router import RouteCandidate, Router, target_key
from mlx_manager.routing.rules import Rule, RuleTarget, rule_from_row, targets_to_json
from mlx_manager.routing.schemas import (
    HealthList,
    HealthPublic,
    RouteTestResult,
    RouteTestTarget,
    RuleCreate,
    RuleList,
    RulePublic,
    RuleUpdate,
    TargetPublic,
    TimeoutDefaults,
)
from mlx_manager.routing.validation import check_rule
from mlx_manager.storage import rule_repository as repo
from mlx_manager.storage.tables import RuleRow


class RuleService:
    def __init__(
        self,
        *,
        sessions: async_sessionmaker[AsyncSession],
        router: Router,
        health: TargetHealth,
        on_change: Callable[[], None] | None = None,
    ) -> None:
        self._sessions = sessions
        self.router = router
        self.health = health
        # Called after each committed change, so other replicas reload (``cluster``).
        self._on_change = on_change

    async def load(self) -> None:
        """Fill the router from storage; run at start-up and after every change."""
        async with self._sessions() as session:
            await self._reload(session)

    def public(self, rule: Rule) -> RulePublic:
        return RulePublic(
            id=rule.id,
            pattern=rule.pattern,
            pattern_type=rule.pattern_type,
            targets=[self._target_public(t) for t in rule.targets],
            strategy=rule.strategy,
            enabled=rule.enabled,
            priority=rule.priority,
            description=rule.description,
            created_at=rule.created_at,
            updated_at=rule.updated_at,
        )

    def list_all(self) -> list[RulePublic]:
        return [self.public(rule) for rule in self.router.rules]

    def listing(self, rules: list[RulePublic] | None = None) -> RuleList:
        timeouts = self.router.timeouts
        return RuleList(
            rules=self.list_all() if rules is None else rules,
            timeout_defaults=TimeoutDefaults(
                connect_timeout=timeouts.connect,
                first_byte_timeout=timeouts.first_byte,
                idle_timeout=timeouts.idle,
            ),
        )

    def get(self, rule_id: int) -> RulePublic:
        return self.public(self._rule(rule_id))

    async def create(self, body: RuleCreate) -> RulePublic:
        checked = check_rule(
            pattern=body.pattern,
            pattern_type=body.pattern_type,
            targets=body.targets,
            provider_known=self._provider_exists,
        )
        assert checked.targets is not None
        async with self._sessions() as session:
            row = RuleRow(
                pattern=checked.pattern,
                pattern_type=body.pattern_type.value,
                targets=targets_to_json(checked.targets),
                strategy=body.strategy.value,
                enabled=body.enabled,
                priority=await repo.next_priority(session),
                description=body.description.strip(),
            )
            return await self._save(session, row)

    async def update(self, rule_id: int, body: RuleUpdate) -> RulePublic:
        async with self._sessions() as session:
            row = await self._row(session, rule_id)
            current = rule_from_row(row)
            # A target already on the rule may stay even if its provider was deleted since.
            kept = {t.provider_id for t in current.targets}
            pattern_type = body.pattern_type or current.pattern_type
            checked = check_rule(
                pattern=body.pattern if body.pattern is not None else current.pattern,
                pattern_type=pattern_type,
                targets=body.targets,
                provider_known=lambda pid: pid in kept or self._provider_exists(pid),
            )
            row.pattern = checked.pattern
            row.pattern_type = pattern_type.value
            if checked.targets is not None:
                row.targets = targets_to_json(checked.targets)
            if body.strategy is not None:
                row.strategy = body.strategy.value
            if body.enabled is not None:
                row.enabled = body.enabled
            if body.description is not None:
                row.description = body.description.strip()
            return await self._save(session, row)

    async def delete(self, rule_id: int) -> None:
        async with self._sessions() as session:
            await repo.delete(session, await self._row(session, rule_id))
            await self._reload(session)
        self._changed()

    async def reorder(self, ids: list[int]) -> list[RulePublic]:
        async with self._sessions() as session:
            existing = {row.id for row in await repo.list_all(session)}
            if len(ids) != len(set(ids)) or set(ids) != existing:
                missing = sorted(existing - set(ids))
                unknown = sorted(set(ids) - existing)
                raise InvalidFields([FieldError("ids", _order_problem(missing, unknown))])
            await repo.set_order(session, ids)
            await self._reload(session)
        self._changed()
        return self.list_all()

    def test(self, model: str) -> RouteTestResult:
        """What the live router would do with ``model`` now: every target, usable or not, with
        its health, and the one a request sent now would try first, and why."""
        try:
            explanation = self.router.explain(model)
        except ModelNotFound as exc:
            return RouteTestResult(
                model=model,
                source=None,
                rule=None,
                targets=[],
                strategy=None,
                reason=None,
                error=exc.message,
            )
        candidates = explanation.candidates
        strategy = explanation.strategy
        usable = [c for c in candidates if c.usable]
        weighing = dict(
            zip(map(id, usable), explain_pick(usable, strategy, self.health), strict=True)
        )
        picked, reason = self._first_choice(usable, strategy)
        return RouteTestResult(
            model=model,
            source=explanation.source,
            rule=self.public(explanation.rule) if explanation.rule else None,
            targets=[
                RouteTestTarget(
                    kind=c.kind,
                    provider_id=c.provider_id,
                    provider_name=c.provider.name if c.provider else None,
                    model=c.model,
                    usable=c.usable,
                    problem=c.problem,
                    health=_health_public(self.health.view(c.key)),
                    weighing=weighing.get(id(c)),
                    picked=c is picked,
                )
                for c in candidates
            ],
            strategy=strategy,
            reason=reason,
            error=None,
        )

    def _first_choice(
        self, usable: list[RouteCandidate], strategy: Strategy
    ) -> tuple[RouteCandidate | None, str | None]:
        if not usable:
            return None, "no target can be used: see each target's problem"
        health = self.health
        # Asked without taking a probe slot: a route test must not change what it reports.
        for candidate in arrange(usable, strategy, health):
            if health.state(candidate.key) is HealthState.HEALTHY:
                how = "first" if strategy is Strategy.ORDERED else f"first by {strategy.value}"
                return candidate, f"{how} among the healthy targets"
            if health.state(candidate.key) is HealthState.PROBING:
                return candidate, "its cool-down is over: a probe request would go to it"
        soonest = min(usable, key=lambda c: health.available_in(c.key))
        wait = health.available_in(soonest.key)
        return soonest, (
            f"every target is backing off; the one back soonest ({wait:.0f} s) is tried anyway"
        )

    def _target_public(self, target: RuleTarget) -> TargetPublic:
        bound = self.router.bind(target)
        health = None
        if target.model is not None:
            health = _health_public(self.health.view(target_key(target.provider_id, target.model)))
        return TargetPublic(
            provider=target.provider,
            model=target.model,
            weight=target.weight,
            connect_timeout=target.connect_timeout,
            first_byte_timeout=target.first_byte_timeout,
            idle_timeout=target.idle_timeout,
            provider_name=bound.provider.name if bound.provider else None,
            usable=bound.problem is None,
            problem=bound.problem,
            health=health,
        )

    def target_health(self) -> HealthList:
        """Every target that served or failed recently (this replica's view)."""
        return HealthList(targets=[_health_public(view) for view in self.health.views()])

    def _provider_exists(self, provider_id: int) -> bool:
        return self.router.directory.get(provider_id) is not None

    def _rule(self, rule_id: int) -> Rule:
        for rule in self.router.rules:
            if rule.id == rule_id:
                return rule
        raise NotFound(f"No routing rule with id {rule_id}.")

    async def _row(self, session: AsyncSession, rule_id: int) -> RuleRow:
        row = await repo.get(session, rule_id)
        if row is None:
            raise NotFound(f"No routing rule with id {rule_id}.")
        return row

    async def _save(self, session: AsyncSession, row: RuleRow) -> RulePublic:
        saved = rule_from_row(await repo.save(session, row))
        await self._reload(session)
        self._changed()
        return self.public(saved)

    def _changed(self) -> None:
        if self._on_change is not None:
            self._on_change()

    async def _reload(self, session: AsyncSession) -> None:
        self.router.replace_rules(rule_from_row(row) for row in await repo.list_all(session))


def _order_problem(missing: list[int], unknown: list[int]) -> str:
    if unknown:
        return f"no rule has id {', '.join(map(str, unknown))}; send every rule id exactly once"
    if missing:
        return f"rule {', '.join(map(str, missing))} is missing; send every rule id exactly once"
    return "an id is repeated; send every rule id exactly once"


def _health_public(view: TargetView) -> HealthPublic:
    where, _, model = view.key.partition("/")
    provider: int | Literal["local"] = "local"
    if where.startswith("provider:"):
        provider = int(where.removeprefix("provider:"))
    return HealthPublic(
        key=view.key,
        provider=provider,
        model=model,
        state=view.state,
        requests=view.requests,
        failures=view.failures,
        error_rate=round(view.error_rate, 4),
        latency_ms=round(view.latency * 1000, 1) if view.latency is not None else None,
        in_flight=view.in_flight,
        retry_in=round(view.retry_in, 1),
    )
