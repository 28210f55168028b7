"""Matching model names against rules: each pattern type, enabled flag, priority order."""

from __future__ import annotations

import pytest

from mlx_manager.routing.matching import compile_rules, match_rule
from mlx_manager.routing.patterns import PatternType
from tests.routing.factories import rule


@pytest.mark.parametrize(
    ("pattern_type", "pattern", "matching", "not_matching"),
    [
        (PatternType.EXACT, "gpt-4o", ["gpt-4o"], ["gpt-4o-mini", "GPT-4o", "xgpt-4o", ""]),
        (
            PatternType.PREFIX,
            "claude-",
            ["claude-", "claude-3-5-sonnet"],
            ["Claude-3", "my-claude-"],
        ),
        (
            PatternType.GLOB,
            "llama-*-[0-9]b",
            ["llama-3.1-8b", "llama-x/y-7b"],
            ["llama-3.1-8B", "llama-3.1-8b-instruct", "codellama-3-7b"],
        ),
        (PatternType.GLOB, "qwen?", ["qwen3"], ["qwen", "qwen30"]),
        (PatternType.GLOB, "gpt-4o*", ["gpt-4o", "gpt-4o-mini"], ["gpt-4", "GPT-4o"]),
        (PatternType.GLOB, "gpt-4o", ["gpt-4o"], ["gpt-4o-mini", "xgpt-4o"]),
        # A regex must match the whole name, not a part of it.
        (
            PatternType.REGEX,
            r"gpt-4o(-mini)?",
            ["gpt-4o", "gpt-4o-mini"],
            ["gpt-4o-mini-2024", "my-gpt-4o"],
        ),
        (PatternType.REGEX, r"o[134](-mini)?", ["o1", "o3-mini"], ["o2", "pro1", "o1-preview"]),
    ],
)
def test_each_pattern_type(
    pattern_type: PatternType, pattern: str, matching: list[str], not_matching: list[str]
) -> None:
    table = compile_rules([rule(1, pattern, pattern_type)])
    for name in matching:
        assert match_rule(table, name) is not None, name
    for name in not_matching:
        assert match_rule(table, name) is None, name


def test_first_rule_in_priority_order_wins_whatever_the_id() -> None:
    rules = [
        rule(1, "gpt-", PatternType.PREFIX, priority=5),
        rule(2, "gpt-4*", PatternType.GLOB, priority=1),
        rule(3, "gpt-4o", PatternType.EXACT, priority=3),
    ]
    table = compile_rules(rules)
    assert [c.rule.id for c in table] == [2, 3, 1]
    found = match_rule(table, "gpt-4o")
    assert found is not None
    assert found.id == 2
    found = match_rule(table, "gpt-3.5")
    assert found is not None
    assert found.id == 1


def test_equal_priorities_fall_back_to_id_order() -> None:
    table = compile_rules(
        [
            rule(9, "a", PatternType.PREFIX, priority=0),
            rule(4, "ab", PatternType.PREFIX, priority=0),
        ]
    )
    found = match_rule(table, "abc")
    assert found is not None
    assert found.id == 4


def test_disabled_rules_are_skipped() -> None:
    rules = [
        rule(1, "gpt-4o", enabled=False),
        rule(2, "gpt-*", PatternType.GLOB),
    ]
    table = compile_rules(rules)
    assert [c.rule.id for c in table] == [2]
    found = match_rule(table, "gpt-4o")
    assert found is not None
    assert found.id == 2
    assert match_rule(compile_rules([rules[0]]), "gpt-4o") is None


def test_a_stored_pattern_that_no_longer_compiles_is_ignored_not_fatal(
    caplog: pytest.LogCaptureFixture,
) -> None:
    # Saved when rules ran on Python's re, which took lookahead; RE2 does not.
    table = compile_rules(
        [
            rule(1, "gpt-(4", PatternType.REGEX),
            rule(2, "gpt(?!-3).*", PatternType.REGEX),
            rule(3, "gpt-", PatternType.PREFIX),
        ]
    )
    assert [c.rule.id for c in table] == [3]
    assert "Routing rule 1 is ignored until its pattern is edited" in caplog.text
    assert "Routing rule 2 is ignored until its pattern is edited: lookahead" in caplog.text
