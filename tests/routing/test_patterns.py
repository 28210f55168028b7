"""Rule patterns on RE2: hostile patterns run in linear time, what RE2 cannot run is refused with
a reason, globs match what ``fnmatch`` matches, and model names are capped."""

from __future__ import annotations

import fnmatch
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mlx_manager.errors import InvalidRequest
from mlx_manager.routing.patterns import (
    MAX_MODEL_NAME,
    InvalidPattern,
    PatternType,
    check_model_name,
    check_pattern,
    compile_matcher,
)

# Each takes Python's backtracking ``re`` seconds to years on the names below.
HOSTILE = [
    ".*a.*a.*a.*a.*z",
    "(a?){25}a{25}",
    "(a+)+",
    "(.*)*",
    "(a|aa)*",
    "(x+x+)+y",
    "(.*a){12}",
    r"(\w+\s?)+!",
    "(a|a?)+b",
]
HOSTILE_NAMES = ["a" * MAX_MODEL_NAME, "a" * (MAX_MODEL_NAME - 1) + "!", "ab" * 128, "x" * 256]

USUAL = [
    ("gpt-4o(-mini)?", ["gpt-4o", "gpt-4o-mini"], ["gpt-4o-mini-2024", "my-gpt-4o"]),
    ("[a-z]+(-[a-z]+)*", ["llama", "llama-instruct"], ["llama-", "Llama"]),
    (r"claude-(3|3\.5)-.*", ["claude-3.5-sonnet"], ["claude-4-opus"]),
    (r"llama-3\.[0-9]+-.*", ["llama-3.1-8b"], ["llama-3-8b"]),
    ("[^/]+/.*", ["groq/llama"], ["groq"]),
    ("(?i)Qwen.*", ["qwen3-8b", "QWEN"], ["my-qwen"]),
    (r"(?P<family>gpt|o[134])(-mini)?", ["o3-mini", "gpt"], ["o2"]),
    # RE2 reads ``$`` as the end of the text: no newline may hide before it.
    ("gpt$", ["gpt"], ["gpt\n"]),
]


@pytest.mark.parametrize("pattern", HOSTILE)
def test_backtracking_patterns_are_accepted_and_run_in_linear_time(pattern: str) -> None:
    check_pattern(pattern, PatternType.REGEX)
    matches = compile_matcher(pattern, PatternType.REGEX)
    started = time.perf_counter()
    for name in HOSTILE_NAMES:
        matches(name)
    assert time.perf_counter() - started < 0.05


def test_hostile_patterns_still_match_what_they_say() -> None:
    assert compile_matcher(".*a.*a.*a.*a.*z", PatternType.REGEX)("a" * 200 + "z")
    assert not compile_matcher(".*a.*a.*a.*a.*z", PatternType.REGEX)("a" * 200)
    nested = compile_matcher("(a?){25}a{25}", PatternType.REGEX)
    assert [n for n in range(60) if nested("a" * n)] == list(range(25, 51))


@pytest.mark.parametrize(("pattern", "matching", "not_matching"), USUAL)
def test_usual_model_name_patterns(
    pattern: str, matching: list[str], not_matching: list[str]
) -> None:
    check_pattern(pattern, PatternType.REGEX)
    matches = compile_matcher(pattern, PatternType.REGEX)
    assert [name for name in matching if not matches(name)] == []
    assert [name for name in not_matching if matches(name)] == []


@pytest.mark.parametrize(
    ("pattern", "feature"),
    [
        (r"(gpt)-\1", "backreferences"),
        ("(?P<x>o1)(?P=x)", "backreferences"),
        (r"(?P<x>o1)\k<x>", "backreferences"),
        ("gpt(?=-4).*", "lookahead"),
        ("(?!o1).*", "lookahead"),
        ("(?<=x)y", "lookbehind"),
        ("(?<!x)y", "lookbehind"),
        ("(?>a+)b", "atomic groups"),
        ("a++", "possessive repeats"),
        ("a*+b", "possessive repeats"),
        ("a{2}+", "possessive repeats"),
        ("(?R)", "recursion"),
        ("gpt(?#a comment)", "comments"),
        ("(a)?(?(1)b|c)", "conditionals"),
        (r"gpt-4o\Z", r"\Z (a rule matches the whole name, so leave it out)"),
    ],
)
def test_what_re2_cannot_run_is_refused_naming_the_feature(pattern: str, feature: str) -> None:
    with pytest.raises(InvalidPattern) as refused:
        check_pattern(pattern, PatternType.REGEX)
    message = str(refused.value)
    assert message.startswith(f"{feature} cannot be used here ("), message
    assert "RE2" in message
    assert "rewrite the pattern without them" in message


def test_a_syntax_error_is_refused_with_the_parser_message() -> None:
    with pytest.raises(InvalidPattern, match=r"not a valid regular expression .*missing \)"):
        check_pattern("gpt-(4", PatternType.REGEX)


def test_huge_counted_repeats_are_refused_quickly() -> None:
    started = time.perf_counter()
    with pytest.raises(InvalidPattern, match="counted repeats go up to"):
        check_pattern("a{1001}", PatternType.REGEX)
    # Within the 500 characters a rule may have; RE2's default budget takes seconds on it.
    with pytest.raises(InvalidPattern, match="too large a program"):
        check_pattern("[^z]{0,1000}" * 40, PatternType.REGEX)
    assert time.perf_counter() - started < 1


@pytest.mark.parametrize("pattern_type", [PatternType.EXACT, PatternType.PREFIX])
def test_exact_and_prefix_patterns_are_not_regexes(pattern_type: PatternType) -> None:
    check_pattern(r"(a)\1[", pattern_type)
    assert compile_matcher(r"(a)\1[", pattern_type)(r"(a)\1[")


@pytest.mark.parametrize(
    ("glob", "matching", "not_matching"),
    [
        ("gpt-4o", ["gpt-4o"], ["gpt-4o-mini", "xgpt-4o"]),
        ("gpt-4o*", ["gpt-4o", "gpt-4o-mini"], ["gpt-4", "my-gpt-4o"]),
        ("groq-team/*", ["groq-team/llama/8b"], ["groq-team"]),
        ("*-mini", ["gpt-4o-mini"], ["gpt-4o-mini-2024"]),
        ("[!a-c]*", ["gpt"], ["claude", ""]),
        ("qwen[0-9].[]x]", ["qwen3.]", "qwen3.x"], ["qwen3.y", "qwen3-x"]),
        ("*a*a*a*a*z", ["a" * 10 + "z"], ["a" * 255 + "y"]),
        ("a[", ["a["], ["a"]),
        ("(a+)+", ["(a+)+"], ["aaaa"]),
    ],
)
def test_globs(glob: str, matching: list[str], not_matching: list[str]) -> None:
    matches = compile_matcher(glob, PatternType.GLOB)
    assert [name for name in matching if not matches(name)] == []
    assert [name for name in not_matching if matches(name)] == []


# Few characters, so that sets, ranges, negations and stars meet often.
GLOB_CHARS = st.sampled_from(list("ab-]![*?^\\z/\n.é"))


@settings(max_examples=2000, deadline=None)
@given(
    glob=st.text(GLOB_CHARS, max_size=10),
    names=st.lists(st.text(st.sampled_from(list("ab-]![^\\z/\n.éc")), max_size=6), max_size=8),
)
def test_a_glob_matches_what_fnmatch_matches(glob: str, names: list[str]) -> None:
    matches = compile_matcher(glob, PatternType.GLOB)
    assert [matches(name) for name in names] == [fnmatch.fnmatchcase(n, glob) for n in names]


def test_model_names_are_capped() -> None:
    check_model_name("m" * MAX_MODEL_NAME)
    with pytest.raises(InvalidRequest) as refused:
        check_model_name("m" * (MAX_MODEL_NAME + 1))
    assert refused.value.param == "model"
    assert refused.value.message == (
        f"'model' is {MAX_MODEL_NAME + 1} characters long; model names are at most"
        f" {MAX_MODEL_NAME} characters."
    )
