"""Output parsing on text: a random model never emits these markers itself."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest

from mlx_manager.backends.mlx.parser import Delta, OutputParser
from mlx_manager.backends.mlx.stops import StopMatch, StopMatcher
from mlx_manager.core import TextDelta, ThinkingDelta, ToolCallDelta, ToolCallStart

THINK = ("<think>", "</think>")
TOOL = ("<tool_call>", "</tool_call>")


def parse(chunks: list[str], **options: bool) -> list[Delta]:
    parser = OutputParser(
        think=THINK, tool=TOOL, start_in_thinking=options.get("start_in_thinking", False)
    )
    events = [e for chunk in chunks for e in parser.feed(chunk)]
    return events + parser.finish()


def merged(events: list[Delta]) -> list[tuple[str, str]]:
    """Consecutive deltas of one kind joined, tool calls as (name, arguments)."""
    out: list[tuple[str, str]] = []
    for e in events:
        if isinstance(e, TextDelta | ThinkingDelta):
            if out and out[-1][0] == e.type:
                out[-1] = (e.type, out[-1][1] + e.text)
            else:
                out.append((e.type, e.text))
        elif isinstance(e, ToolCallStart):
            out.append(("tool", e.name))
        elif isinstance(e, ToolCallDelta):
            out.append(("args", e.arguments))
    return out


def char_chunks(text: str) -> list[str]:
    return list(text)


@pytest.mark.parametrize("split", [lambda t: [t], char_chunks])
def test_thinking_then_text(split: Callable[[str], list[str]]) -> None:
    text = "<think>\nLet me see.\n</think>\n\nThe answer is 4."
    assert merged(parse(split(text))) == [
        ("thinking_delta", "Let me see.\n"),
        ("text_delta", "The answer is 4."),
    ]


def test_template_opened_thinking() -> None:
    events = parse(["Hmm.</think>Done"], start_in_thinking=True)
    assert merged(events) == [("thinking_delta", "Hmm."), ("text_delta", "Done")]


@pytest.mark.parametrize("split", [lambda t: [t], char_chunks])
def test_tool_calls_become_events(split: Callable[[str], list[str]]) -> None:
    call = {"name": "get_weather", "arguments": {"city": "Paris"}}
    text = f"Checking.<tool_call>\n{json.dumps(call)}\n</tool_call>\n<tool_call>"
    text += json.dumps({"name": "get_time", "arguments": {}}) + "</tool_call>"
    events = parse(split(text))

    starts = [e for e in events if isinstance(e, ToolCallStart)]
    assert [(s.index, s.name) for s in starts] == [(0, "get_weather"), (1, "get_time")]
    assert starts[0].id != starts[1].id
    assert merged(events) == [
        ("text_delta", "Checking."),
        ("tool", "get_weather"),
        ("args", '{"city": "Paris"}'),
        ("tool", "get_time"),
        ("args", "{}"),
    ]


def test_tool_call_inside_thinking_and_unclosed_at_the_end() -> None:
    text = '<think>I will call it<tool_call>{"name": "f", "arguments": {"x": 1}}'
    assert merged(parse([text])) == [
        ("thinking_delta", "I will call it"),
        ("tool", "f"),
        ("args", '{"x": 1}'),
    ]


def test_unparseable_tool_call_is_kept_as_text() -> None:
    text = "<tool_call>not json</tool_call> after"
    assert merged(parse([text])) == [("text_delta", "<tool_call>not json</tool_call>after")]


def test_mlx_lm_tool_parser_is_used() -> None:
    seen: list[str] = []

    def parser(text: str, tools: object) -> object:
        seen.append(text)
        return [{"name": "a", "arguments": {}}, {"name": "b", "arguments": '{"k": 2}'}]

    p = OutputParser(think=None, tool=("[CALLS]", ""), tool_parser=parser, tools=[])
    events = p.feed("x[CALLS]a();b(k=2)") + p.finish()

    assert seen == ["a();b(k=2)"]
    assert merged(events) == [
        ("text_delta", "x"),
        ("tool", "a"),
        ("args", "{}"),
        ("tool", "b"),
        ("args", '{"k": 2}'),
    ]
    assert p.tool_calls == 2


def test_without_tools_tags_are_text() -> None:
    p = OutputParser(think=THINK, tool=None)
    assert merged(p.feed("<tool_call>{}</tool_call>") + p.finish()) == [
        ("text_delta", "<tool_call>{}</tool_call>")
    ]


def test_partial_marker_is_held_until_known() -> None:
    p = OutputParser(think=THINK, tool=TOOL)
    assert p.feed("a <thi") == [TextDelta(text="a ")]
    assert p.feed("ng>") == [TextDelta(text="<thing>")]


def test_stop_matcher_holds_back_and_cuts() -> None:
    m = StopMatcher(["END", "xyz"])
    assert m.feed("hello E") == "hello "
    assert m.feed("N") == ""
    assert m.feed("D more") == StopMatch(text="", stop="END")


def test_stop_matcher_releases_false_alarms_and_flushes() -> None:
    m = StopMatcher(["END"])
    assert m.feed("EN") == ""
    assert m.feed("d") == "ENd"
    assert m.feed("E") == ""
    assert m.flush() == "E"
    assert StopMatcher([]).feed("anything") == "anything"


def test_stop_matcher_picks_the_earliest() -> None:
    m = StopMatcher(["bb", "a"])
    assert m.feed("xbbya") == StopMatch(text="x", stop="bb")
