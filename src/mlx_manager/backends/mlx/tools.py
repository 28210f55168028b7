"""Tool calls in a local model's output: markers, parsing, and tool specs for chat templates.

The model family decides the markup. mlx-lm's tokenizer names it (``tool_call_start``,
``tool_call_end``, ``tool_parser``); otherwise the common ``<tool_call>{json}</tool_call>``
form (Qwen, Hermes) is assumed.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from mlx_manager.core import ToolSpec

DEFAULT_TOOL_MARKERS = ("<tool_call>", "</tool_call>")
DEFAULT_THINK_MARKERS = ("<think>", "</think>")

# mlx-lm's parser signature: (text inside the markers, tools as given to the template).
ToolTextParser = Callable[[str, Any], Any]


@dataclass(frozen=True, slots=True)
class ParsedToolCall:
    name: str
    # JSON text of the arguments object.
    arguments: str


def template_tools(tools: list[ToolSpec]) -> list[dict[str, object]]:
    """Tools in the OpenAI function shape that Hugging Face chat templates expect."""
    return [
        {
            "type": "function",
            "function": {
                "name": t.name,
                "description": t.description or "",
                "parameters": t.parameters,
            },
        }
        for t in tools
    ]


def parse_json_tool_call(text: str, tools: object = None) -> object:
    """``{"name": ..., "arguments": {...}}``, one object or a list of them."""
    return json.loads(text.strip())


def _to_call(obj: object) -> ParsedToolCall:
    if not isinstance(obj, dict):
        raise ValueError(f"a tool call must be a JSON object, got {type(obj).__name__}")
    name = obj.get("name")
    if not isinstance(name, str) or not name:
        raise ValueError("a tool call needs a 'name'")
    args = obj.get("arguments", obj.get("parameters", {}))
    if isinstance(args, str):
        # Some models emit the arguments already as JSON text; keep it if it parses.
        json.loads(args)
        return ParsedToolCall(name=name, arguments=args)
    return ParsedToolCall(name=name, arguments=json.dumps(args, ensure_ascii=False))


def parse_tool_calls(
    text: str, *, parser: ToolTextParser | None, tools: list[dict[str, object]]
) -> list[ParsedToolCall]:
    """The calls in the text between the markers; ``ValueError`` when it does not parse."""
    try:
        parsed = (parser or parse_json_tool_call)(text, tools)
    except (ValueError, KeyError, TypeError, AttributeError, IndexError) as exc:
        raise ValueError(f"unparseable tool call: {exc}") from exc
    items = parsed if isinstance(parsed, list) else [parsed]
    return [_to_call(item) for item in items]
