"""How a rule's pattern is read: exact name, prefix, glob or (fully matched) regex."""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Callable
from enum import StrEnum

from mlx_manager.routing.regex_safety import backtracking_risk

Matcher = Callable[[str], bool]


class PatternType(StrEnum):
    EXACT = "exact"
    PREFIX = "prefix"
    # fnmatch syntax, case-sensitive; ``*`` also matches ``/``.
    GLOB = "glob"
    # Must match the whole model name (``re.fullmatch``), not just a part of it.
    REGEX = "regex"


class InvalidPattern(ValueError):
    pass


def check_pattern(pattern: str, pattern_type: PatternType) -> None:
    """Refuse a regex that does not compile or could backtrack catastrophically."""
    if pattern_type is not PatternType.REGEX:
        return
    try:
        re.compile(pattern)
    except re.error as exc:
        raise InvalidPattern(f"not a valid regular expression: {exc}") from None
    risk = backtracking_risk(pattern)
    if risk is not None:
        raise InvalidPattern(
            f"this regular expression could take exponential time on some model names ({risk});"
            " rewrite it without nesting repeats or overlapping alternatives, or use a glob"
        )


def compile_matcher(pattern: str, pattern_type: PatternType) -> Matcher:
    """A predicate on model names; compiled once, called on every request."""
    match pattern_type:
        case PatternType.EXACT:
            return lambda model: model == pattern
        case PatternType.PREFIX:
            return lambda model: model.startswith(pattern)
        case PatternType.GLOB:
            glob = re.compile(fnmatch.translate(pattern))
            return lambda model: glob.match(model) is not None
        case PatternType.REGEX:
            regex = re.compile(pattern)
            return lambda model: regex.fullmatch(model) is not None
