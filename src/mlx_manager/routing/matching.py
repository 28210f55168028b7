"""Matching a model name against the rules: one pure function for the router and the test API."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from mlx_manager.routing.patterns import InvalidPattern, Matcher, compile_matcher
from mlx_manager.routing.rules import Rule

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class CompiledRule:
    rule: Rule
    matches: Matcher


def compile_rules(rules: Iterable[Rule]) -> tuple[CompiledRule, ...]:
    """The enabled rules in priority order (ties by id), each pattern compiled once."""
    compiled: list[CompiledRule] = []
    for rule in sorted(rules, key=lambda r: (r.priority, r.id)):
        if not rule.enabled:
            continue
        try:
            matcher = compile_matcher(rule.pattern, rule.pattern_type)
        except InvalidPattern as exc:
            # Saved before rules ran on RE2 (Python's re took lookaround and backreferences).
            log.warning("Routing rule %d is ignored until its pattern is edited: %s", rule.id, exc)
            continue
        compiled.append(CompiledRule(rule, matcher))
    return tuple(compiled)


def match_rule(table: Sequence[CompiledRule], model: str) -> Rule | None:
    """The first rule of ``table`` whose pattern matches ``model``, or None."""
    for compiled in table:
        if compiled.matches(model):
            return compiled.rule
    return None
