"""Routing rules: create, change, reorder, delete, test — keeping the router's table in step.

Rules that name a deleted provider are kept, never cascade-deleted: they are the user's
configuration. Such a target shows as unusable (with the reason) and the live router skips it.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from mlx_manager.errors import ModelNotFound, NotFound
from mlx_manager.providers.validation import FieldError, InvalidFields
from mlx_manager.routing.router import Router
from mlx_manager.routing.rules import Rule, RuleTarget, rule_from_row, targets_to_json
from mlx_manager.routing.schemas import (
    RouteTestResult,
    RouteTestTarget,
    RuleCreate,
    RulePublic,
    RuleUpdate,
    TargetPublic,
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
        on_change: Callable[[], None] | None = None,
    ) -> None:
        self._sessions = sessions
        self.router = router
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
            enabled=rule.enabled,
            priority=rule.priority,
            description=rule.description,
            created_at=rule.created_at,
            updated_at=rule.updated_at,
        )

    def list_all(self) -> list[RulePublic]:
        return [self.public(rule) for rule in self.router.rules]

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
        """What the live router would do with ``model`` now, unusable targets included."""
        try:
            explanation = self.router.explain(model)
        except ModelNotFound as exc:
            return RouteTestResult(
                model=model, source=None, rule=None, targets=[], error=exc.message
            )
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
                )
                for c in explanation.candidates
            ],
            error=None,
        )

    def _target_public(self, target: RuleTarget) -> TargetPublic:
        bound = self.router.bind(target)
        return TargetPublic(
            provider=target.provider,
            model=target.model,
            provider_name=bound.provider.name if bound.provider else None,
            usable=bound.problem is None,
            problem=bound.problem,
        )

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
