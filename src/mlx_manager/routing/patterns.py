"""How a rule's pattern is read: exact name, prefix, glob or (fully matched) regex.

Globs and regexes run on RE2 (``google-re2``), whose matching time grows linearly with the model
name's length whatever the pattern, so no rule can stall the event loop on a crafted name; and
names are capped at ``MAX_MODEL_NAME`` before any rule sees them. What RE2 cannot run
(backreferences, lookaround, atomic groups, possessive repeats) is refused when a rule is saved.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from typing import Protocol

import re2  # type: ignore[import-untyped]  # ships no type hints

from mlx_manager.errors import InvalidRequest

Matcher = Callable[[str], bool]

# Longer than any real model id (Hugging Face caps repo ids at 96 characters per part).
MAX_MODEL_NAME = 256
# RE2 refuses a pattern whose compiled program would need more; this keeps compiling a rule
# to a few milliseconds (huge counted repeats take seconds at RE2's default of 8 MiB).
_MAX_PROGRAM_BYTES = 1 << 20
# Answers kept per pattern: with names capped, under 100 KiB even when every name is new.
_REMEMBERED = 256
_RE2_SYNTAX = "github.com/google/re2/wiki/Syntax"
# RE2's complaint about a feature it does not have, and the feature's name.
_UNSUPPORTED = {
    "invalid perl operator: (?=": "lookahead",
    "invalid perl operator: (?!": "lookahead",
    "invalid perl operator: (?<=": "lookbehind",
    "invalid perl operator: (?<!": "lookbehind",
    "invalid perl operator: (?>": "atomic groups",
    "invalid perl operator: (?(": "conditionals",
    "invalid perl operator: (?R": "recursion",
    "invalid perl operator: (?#": "comments",
    **{f"invalid escape sequence: \\{c}": "backreferences" for c in "123456789kg"},
    "invalid escape sequence: \\Z": "\\Z (a rule matches the whole name, so leave it out)",
}


class PatternType(StrEnum):
    EXACT = "exact"
    PREFIX = "prefix"
    # fnmatch syntax, case-sensitive; ``*`` also matches ``/``.
    GLOB = "glob"
    # RE2 syntax; must match the whole model name, not just a part of it.
    REGEX = "regex"


class InvalidPattern(ValueError):
    pass


class _Regex(Protocol):
    """The part of a compiled ``re2`` pattern that matching uses."""

    def fullmatch(self, text: str) -> object: ...


def check_model_name(model: str) -> None:
    """Refuse a model name no backend could know, before any rule or key pattern reads it."""
    if len(model) > MAX_MODEL_NAME:
        raise InvalidRequest(
            f"'model' is {len(model)} characters long; model names are at most "
            f"{MAX_MODEL_NAME} characters.",
            param="model",
        )


def check_pattern(pattern: str, pattern_type: PatternType) -> None:
    """Refuse a glob or regex that RE2 cannot run, with a message saying why."""
    compile_matcher(pattern, pattern_type)


def compile_matcher(pattern: str, pattern_type: PatternType) -> Matcher:
    """A predicate on model names; compiled once, called on every request."""
    match pattern_type:
        case PatternType.EXACT:
            return lambda model: model == pattern
        case PatternType.PREFIX:
            return lambda model: model.startswith(pattern)
        case PatternType.GLOB:
            # The usual globs, a name or ``prefix*``, need no regex at all.
            stem = pattern.removesuffix("*")
            if not any(c in stem for c in "*?["):
                if stem == pattern:
                    return lambda model: model == pattern
                return lambda model: model.startswith(stem)
            return _remembering(_compile(glob_to_re2(pattern), what="glob"))
        case PatternType.REGEX:
            return _remembering(_compile(pattern, what="regex"))


def _remembering(regex: _Regex) -> Matcher:
    """``regex`` as a full-match predicate that remembers recent answers: traffic repeats a few
    names, and a dict lookup costs a tenth of a call into RE2 (about 3 µs through the binding)."""
    answers: dict[str, bool] = {}

    def matches(model: str) -> bool:
        answer = answers.get(model)
        if answer is None:
            if len(answers) >= _REMEMBERED:
                answers.clear()
            answer = answers[model] = regex.fullmatch(model) is not None
        return answer

    return matches


def glob_to_re2(pattern: str) -> str:
    """The RE2 form of an fnmatch glob, matching the same names as ``fnmatch.fnmatchcase``."""
    out: list[str] = []
    i, n = 0, len(pattern)
    while i < n:
        c = pattern[i]
        i += 1
        if c == "*":
            if not out or out[-1] != ".*":
                out.append(".*")
        elif c == "?":
            out.append(".")
        elif c == "[":
            # As fnmatch: a ``]`` right after ``[`` or ``[!`` belongs to the set.
            j = i + 1 if pattern[i : i + 1] == "!" else i
            if pattern[j : j + 1] == "]":
                j += 1
            j = pattern.find("]", j)
            if j < 0:
                out.append(re2.escape(c))
            else:
                out.append(_glob_set(pattern[i:j]))
                i = j + 1
        else:
            out.append(re2.escape(c))
    return "(?s:" + "".join(out) + ")"


def _glob_set(body: str) -> str:
    """``[...]`` of a glob (``body`` is what lies between the brackets) as an RE2 class."""
    # fnmatch's reading: a hyphen is a range only past the first character (and ``!``) and not
    # right after another range; empty ranges (``z-a``) drop out with their ends.
    chunks: list[str] = []
    start, k = 0, 2 if body.startswith("!") else 1
    while (k := body.find("-", k)) >= 0:
        chunks.append(body[start:k])
        start, k = k + 1, k + 3
    if rest := body[start:]:
        chunks.append(rest)
    else:
        chunks[-1] += "-"
    for k in range(len(chunks) - 1, 0, -1):
        if chunks[k - 1][-1] > chunks[k][0]:
            chunks[k - 1] = chunks[k - 1][:-1] + chunks[k][1:]
            del chunks[k]
    # Then read as ``re`` reads the class fnmatch writes: a range hyphen (None) makes a range of
    # the characters on either side, unless it ends the set.
    tokens: list[str | None] = []
    for number, chunk in enumerate(chunks):
        if number:
            tokens.append(None)
        tokens.extend(chunk)
    # Whatever starts the set once empty ranges are gone, as in fnmatch.
    negate = tokens[:1] == ["!"]
    if negate:
        del tokens[0]
    ranges: list[tuple[str, str]] = []
    i = 0
    while i < len(tokens):
        low = tokens[i] or "-"
        if i + 2 < len(tokens) and tokens[i + 1] is None:
            ranges.append((low, tokens[i + 2] or "-"))
            i += 3
        else:
            ranges.append((low, low))
            i += 1
    if not ranges:
        # ``[z-a]`` matches nothing, ``[!z-a]`` any one character.
        return "." if negate else r"[^\x00-\x{10FFFF}]"
    items = "".join(
        f"\\x{{{ord(low):x}}}" + (f"-\\x{{{ord(high):x}}}" if high != low else "")
        for low, high in ranges
    )
    return f"[{'^' if negate else ''}{items}]"


def _compile(source: str, *, what: str) -> _Regex:
    options = re2.Options()
    options.max_mem = _MAX_PROGRAM_BYTES
    # Rules only ask whether a name matches: no groups to record.
    options.never_capture = True
    # The parser's complaint is raised as an exception; RE2 need not also print it.
    options.log_errors = False
    try:
        compiled: _Regex = re2.compile(source, options)
    except re2.error as exc:
        raise InvalidPattern(_explain(exc.args, source=source, what=what)) from None
    except UnicodeEncodeError:
        # A lone surrogate (from a YAML escape, say): no model name can hold one either.
        raise InvalidPattern("holds a character that is not valid Unicode text") from None
    return compiled


def _explain(args: tuple[object, ...], *, source: str, what: str) -> str:
    first = args[0] if args else ""
    detail = first.decode("utf-8", "replace") if isinstance(first, bytes) else str(first)
    feature = _UNSUPPORTED.get(detail)
    if detail.startswith("bad repetition operator: ") and detail.endswith("+"):
        feature = "possessive repeats"
    elif detail == "invalid perl operator: (?P":
        # RE2 stops at ``(?P``; the pattern tells a named backreference from a bad group name.
        feature = (
            "backreferences" if "(?P=" in source else "recursion" if "(?P>" in source else None
        )
    if feature is not None:
        return (
            f"{feature} cannot be used here ({detail}): rule patterns run on RE2, which"
            " matches in time linear in the name's length and so has no backtracking"
            f" features; rewrite the pattern without them (syntax: {_RE2_SYNTAX})"
        )
    if detail.startswith("pattern too large"):
        return (
            "this pattern compiles to too large a program for a routing rule; use smaller"
            " counted repeats ({n,m}) or several rules"
        )
    if detail.startswith("invalid repetition size"):
        return f"{detail}: counted repeats go up to {{1000}} (syntax: {_RE2_SYNTAX})"
    if what == "glob":
        return f"not a glob this server can match: {detail}"
    return f"not a valid regular expression (RE2 syntax, {_RE2_SYNTAX}): {detail}"
