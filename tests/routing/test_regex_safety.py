"""Regexes that could backtrack catastrophically are refused before they are saved."""

from __future__ import annotations

import re
import time

import pytest

from mlx_manager.routing.patterns import InvalidPattern, PatternType, check_pattern
from mlx_manager.routing.regex_safety import (
    AMBIGUOUS_ALTERNATION,
    NESTED_QUANTIFIER,
    backtracking_risk,
)

NESTED = [
    "(a+)+",
    "(.*)*",
    "(a*)*",
    "([a-z]+)*",
    r"(\d+\.?)+",
    "(x+x+)+y",
    "^(a+)+$",
    "((ab)+)+",
    "(a*b?)*",
    "(.*a)+",
    "(.*a){12}",
    "(?>(a+)+)b",
    r"(\w+\s?)+$",
]
AMBIGUOUS = ["(a|aa)*", "(a|a)*", "(?:a|b|ab)*", "(a|a?)+", "(a|b|c|abc)+"]
SAFE = [
    "gpt-4o(-mini)?",
    "[a-z]+(-[a-z]+)*",
    r"(\w+-)*\w+",
    r"([a-z0-9]+[-.])*[a-z0-9]+",
    r"claude-(3|3\.5)-.*",
    "(foo|bar)+",
    "(gpt|gpt-4)+",
    r"llama-3\.[0-9]+-.*",
    ".*",
    ".*a.*a.*",
    "(ab+)+",
    "(a+-)+",
    "(?:a|b)*",
    r"(\w|\d)+",
    "(?:a|aa)*+",
    "(a+)++",
    "(a(?:|b)c)*",
    "[^/]+/.*",
    "(?i)Qwen.*",
    "(gpt|o[134])(-mini)?(-[0-9]{4}-[0-9]{2}-[0-9]{2})?",
]


@pytest.mark.parametrize("pattern", NESTED)
def test_nested_quantifiers_are_refused(pattern: str) -> None:
    assert backtracking_risk(pattern) == NESTED_QUANTIFIER


@pytest.mark.parametrize("pattern", AMBIGUOUS)
def test_overlapping_alternatives_under_a_repeat_are_refused(pattern: str) -> None:
    assert backtracking_risk(pattern) == AMBIGUOUS_ALTERNATION


@pytest.mark.parametrize("pattern", SAFE)
def test_usual_model_name_patterns_pass(pattern: str) -> None:
    assert backtracking_risk(pattern) is None
    check_pattern(pattern, PatternType.REGEX)


@pytest.mark.parametrize("pattern", SAFE)
def test_passing_patterns_stay_fast_on_hostile_names(pattern: str) -> None:
    compiled = re.compile(pattern)
    started = time.perf_counter()
    for name in ("a" * 200 + "!", "ab" * 100 + "!", "a-" * 100 + "!", "x" + "y" * 200):
        compiled.fullmatch(name)
    assert time.perf_counter() - started < 0.5


def test_the_refusal_says_what_to_do() -> None:
    with pytest.raises(InvalidPattern, match=r"exponential time.*rewrite it"):
        check_pattern("(a+)+", PatternType.REGEX)


def test_an_invalid_regex_is_refused_with_the_parser_message() -> None:
    with pytest.raises(InvalidPattern, match="not a valid regular expression: missing \\)"):
        check_pattern("gpt-(4", PatternType.REGEX)


@pytest.mark.parametrize("pattern_type", [PatternType.EXACT, PatternType.PREFIX, PatternType.GLOB])
def test_other_pattern_types_are_not_regexes(pattern_type: PatternType) -> None:
    check_pattern("(a+)+[", pattern_type)
