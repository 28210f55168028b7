r"""Spotting regexes that can backtrack catastrophically, before they are saved.

Python's ``re`` has no timeout and a rule runs on every request, so a pattern like ``(a+)+`` could
stall the server on a crafted model name. This is a heuristic on the parse tree that ``re.compile``
itself builds (``re._parser``), looking for the two shapes behind exponential backtracking. Both
need a loop (a repeat whose maximum is above one) around them:

1. Nested quantifier: a variable-length repeat inside the loop whose characters can also come
   right after it (later in the iteration, or at the start of the next one), so either may take
   them: ``(a+)+``, ``(.*)*``, ``(.*a)+``, ``(\d+\.?)+``. ``(-[a-z]+)*`` passes: every iteration
   starts with ``-``, which ``[a-z]+`` cannot take.
2. Ambiguous alternation: two alternatives that can start with the same character, two that can
   both match nothing, or one that can match nothing while another can start with what follows
   it: ``(a|b|ab)*``, ``(a|a)*``, and ``(a|aa)*`` (which the parser turns into ``a(?:|a)``).

Character sets are approximated over case-folded ASCII plus one stand-in for every other
character, so the check errs towards refusing; a refused but harmless pattern can be written
another way. Possessive repeats (``*+``) never backtrack into themselves and pass. Polynomial
cases such as ``.*a.*a.*`` pass too: model names are short.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    # typeshed describes the parser under its old public names; the module is the same.
    import sre_constants as _c
    import sre_parse as _parser
else:
    import re._constants as _c
    import re._parser as _parser

CharSet = frozenset[int]
# re's parse tree is untyped tuples: (opcode, argument), the argument's shape set by the opcode.
Item = tuple[Any, Any]

_OTHER = 0x110000  # stands for every non-ASCII character
_ASCII = range(128)
_ALL: CharSet = frozenset([*_ASCII, _OTHER])
_NONE: CharSet = frozenset()

NESTED_QUANTIFIER = "a repeat nested in a repeat can split the same text in many ways"
AMBIGUOUS_ALTERNATION = "alternatives under a repeat can match the same text"


def _fold(code: int) -> int:
    if code >= 128:
        return _OTHER
    return ord(chr(code).lower())


def _ascii_where(test: str) -> CharSet:
    predicate = getattr(str, test)
    return frozenset(_fold(c) for c in _ASCII if predicate(chr(c)))


_CLASSES: dict[object, CharSet] = {
    _c.CATEGORY_DIGIT: _ascii_where("isdigit") | {_OTHER},
    _c.CATEGORY_SPACE: _ascii_where("isspace") | {_OTHER},
    _c.CATEGORY_WORD: _ascii_where("isalnum") | {_fold(ord("_")), _OTHER},
    _c.CATEGORY_LINEBREAK: frozenset({10}),
}
_CATEGORIES: dict[object, CharSet] = {
    **_CLASSES,
    _c.CATEGORY_NOT_DIGIT: (_ALL - _CLASSES[_c.CATEGORY_DIGIT]) | {_OTHER},
    _c.CATEGORY_NOT_SPACE: (_ALL - _CLASSES[_c.CATEGORY_SPACE]) | {_OTHER},
    _c.CATEGORY_NOT_WORD: (_ALL - _CLASSES[_c.CATEGORY_WORD]) | {_OTHER},
    _c.CATEGORY_NOT_LINEBREAK: _ALL - {10},
}
_REPEATS = (_c.MAX_REPEAT, _c.MIN_REPEAT)


def backtracking_risk(pattern: str) -> str | None:
    """Why ``pattern`` could backtrack exponentially, or None. It must already compile."""
    return _walk(_parser.parse(pattern).data, loop=None, tail=_NONE, tail_ends_loop=True)


def _in_set(items: Sequence[Item]) -> CharSet:
    chars: set[int] = set()
    negate = False
    for op, av in items:
        if op is _c.NEGATE:
            negate = True
        elif op is _c.LITERAL:
            chars.add(_fold(av))
        elif op is _c.RANGE:
            low, high = av
            chars.update(_fold(c) for c in range(low, min(high, 127) + 1))
            if high >= 128:
                chars.add(_OTHER)
        elif op is _c.CATEGORY:
            chars |= _CATEGORIES.get(av, _ALL)
        else:
            return _ALL
    return (_ALL - chars) | {_OTHER} if negate else frozenset(chars)


def _info(item: Item) -> tuple[CharSet, bool]:
    """The characters ``item`` can start with, and whether it can match nothing."""
    op, av = item
    if op is _c.LITERAL:
        return frozenset({_fold(av)}), False
    if op is _c.NOT_LITERAL or op is _c.ANY:
        return _ALL, False
    if op is _c.IN:
        return _in_set(av), False
    if op is _c.AT or op is _c.ASSERT or op is _c.ASSERT_NOT:
        return _NONE, True
    if op is _c.SUBPATTERN:
        return _seq_info(av[3])
    if op is _c.ATOMIC_GROUP:
        return _seq_info(av)
    if op in _REPEATS or op is _c.POSSESSIVE_REPEAT:
        low, _high, body = av
        first, nullable = _seq_info(body)
        return first, nullable or low == 0
    if op is _c.BRANCH:
        infos = [_seq_info(alt) for alt in av[1]]
        return frozenset().union(*(f for f, _ in infos)), any(n for _, n in infos)
    if op is _c.GROUPREF_EXISTS:
        _group, yes, no = av
        yes_first, yes_nullable = _seq_info(yes)
        no_first, no_nullable = _seq_info(no) if no is not None else (_NONE, True)
        return yes_first | no_first, yes_nullable or no_nullable
    # Back-references and anything else: assume the worst.
    return _ALL, True


def _seq_info(seq: Sequence[Item]) -> tuple[CharSet, bool]:
    first: set[int] = set()
    for item in seq:
        item_first, nullable = _info(item)
        first |= item_first
        if not nullable:
            return frozenset(first), False
    return frozenset(first), True


def _walk(
    seq: Sequence[Item], *, loop: CharSet | None, tail: CharSet, tail_ends_loop: bool
) -> str | None:
    """Find a risky shape in ``seq``.

    ``loop``: the characters that can start an iteration of the innermost enclosing loop (None
    outside loops). ``tail``: what can follow ``seq`` inside that iteration; ``tail_ends_loop``:
    whether the iteration can end right after ``seq``.
    """
    items = list(seq)
    for i, (op, av) in enumerate(items):
        rest_first, rest_nullable = _seq_info(items[i + 1 :])
        after = rest_first | (tail if rest_nullable else _NONE)
        ends_loop = rest_nullable and tail_ends_loop
        follow = after | (loop if loop is not None and ends_loop else _NONE)
        found: str | None = None
        if op in _REPEATS:
            low, high, body = av
            body_first, _ = _seq_info(body)
            is_loop = high > 1
            if loop is not None and is_loop and low != high and body_first & follow:
                return NESTED_QUANTIFIER
            if is_loop:
                found = _walk(body, loop=body_first, tail=_NONE, tail_ends_loop=True)
            else:
                found = _walk(body, loop=loop, tail=after, tail_ends_loop=ends_loop)
        elif op is _c.BRANCH:
            if loop is not None and _ambiguous(av[1], follow):
                return AMBIGUOUS_ALTERNATION
            found = _first_risk(av[1], loop=loop, tail=after, tail_ends_loop=ends_loop)
        elif op is _c.SUBPATTERN:
            found = _walk(av[3], loop=loop, tail=after, tail_ends_loop=ends_loop)
        elif op is _c.GROUPREF_EXISTS:
            branches = [b for b in av[1:] if b is not None]
            found = _first_risk(branches, loop=loop, tail=after, tail_ends_loop=ends_loop)
        elif op is _c.POSSESSIVE_REPEAT:
            # Never backtracks into itself, so it is no loop for the checks; look inside only.
            found = _walk(av[2], loop=None, tail=_NONE, tail_ends_loop=True)
        elif op is _c.ATOMIC_GROUP:
            found = _walk(av, loop=None, tail=_NONE, tail_ends_loop=True)
        elif op is _c.ASSERT or op is _c.ASSERT_NOT:
            found = _walk(av[1], loop=None, tail=_NONE, tail_ends_loop=True)
        if found is not None:
            return found
    return None


def _first_risk(
    seqs: Sequence[Sequence[Item]], *, loop: CharSet | None, tail: CharSet, tail_ends_loop: bool
) -> str | None:
    for seq in seqs:
        found = _walk(seq, loop=loop, tail=tail, tail_ends_loop=tail_ends_loop)
        if found is not None:
            return found
    return None


def _ambiguous(alternatives: Sequence[Sequence[Item]], follow: CharSet) -> bool:
    infos = [_seq_info(alt) for alt in alternatives]
    if sum(1 for _, nullable in infos if nullable) > 1:
        return True
    for i, (first, nullable) in enumerate(infos):
        for j, (other_first, _) in enumerate(infos):
            if i == j:
                continue
            if i < j and first & other_first:
                return True
            if nullable and other_first & follow:
                return True
    return False
