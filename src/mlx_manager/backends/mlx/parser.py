"""Turning a local model's decoded text into IR deltas: text, thinking and tool calls.

The text is split on markers (``<think>``/``</think>``, the tool-call tags): reasoning becomes
``ThinkingDelta``, a tool-call section is buffered until it closes and then becomes
``ToolCallStart`` + ``ToolCallDelta``. Text that might begin a marker is held back until the
next chunk tells. A tool section that does not parse is passed on as text, never dropped.
"""

from __future__ import annotations

import uuid
from typing import Literal

from mlx_manager.backends.mlx.tools import ToolTextParser, parse_tool_calls
from mlx_manager.core import TextDelta, ThinkingDelta, ToolCallDelta, ToolCallStart

Delta = TextDelta | ThinkingDelta | ToolCallStart | ToolCallDelta
State = Literal["text", "thinking", "tool"]


def new_tool_call_id() -> str:
    return f"call_{uuid.uuid4().hex[:24]}"


class OutputParser:
    def __init__(
        self,
        *,
        think: tuple[str, str] | None,
        tool: tuple[str, str] | None,
        tool_parser: ToolTextParser | None = None,
        tools: list[dict[str, object]] | None = None,
        start_in_thinking: bool = False,
    ) -> None:
        self._tool = tool
        self._tool_parser = tool_parser
        self._tools = tools or []
        edges: dict[State, list[tuple[str, State]]] = {"text": [], "thinking": [], "tool": []}
        if think:
            edges["text"].append((think[0], "thinking"))
            edges["thinking"].append((think[1], "text"))
        if tool:
            edges["text"].append((tool[0], "tool"))
            edges["thinking"].append((tool[0], "tool"))
            if tool[1]:
                edges["tool"].append((tool[1], "text"))
        self._edges = edges
        self._state: State = "thinking" if start_in_thinking and think else "text"
        self._buf = ""
        self._tool_text = ""
        # Whitespace right after a marker is layout, not content.
        self._lstrip = start_in_thinking
        self.tool_calls = 0

    @property
    def state(self) -> State:
        return self._state

    def feed(self, text: str) -> list[Delta]:
        out: list[Delta] = []
        self._buf += text
        while True:
            hit = self._first_marker()
            if hit is None:
                keep = self._partial_suffix()
                self._emit(self._buf[: len(self._buf) - keep], out)
                self._buf = self._buf[len(self._buf) - keep :]
                return out
            at, marker, target = hit
            self._emit(self._buf[:at], out)
            self._buf = self._buf[at + len(marker) :]
            self._switch(target, out)

    def finish(self) -> list[Delta]:
        """Flush what is held back; an unclosed tool section is parsed if it can be."""
        out: list[Delta] = []
        self._emit(self._buf, out)
        self._buf = ""
        if self._state == "tool":
            self._close_tool(out, closed=False)
            self._state = "text"
        return out

    def _first_marker(self) -> tuple[int, str, State] | None:
        best: tuple[int, str, State] | None = None
        for marker, target in self._edges[self._state]:
            at = self._buf.find(marker)
            if at >= 0 and (best is None or at < best[0]):
                best = (at, marker, target)
        return best

    def _partial_suffix(self) -> int:
        best = 0
        for marker, _ in self._edges[self._state]:
            for n in range(min(len(marker) - 1, len(self._buf)), best, -1):
                if self._buf.endswith(marker[:n]):
                    best = n
                    break
        return best

    def _emit(self, text: str, out: list[Delta]) -> None:
        if self._state == "tool":
            self._tool_text += text
            return
        if self._lstrip:
            text = text.lstrip()
            self._lstrip = not text
        if not text:
            return
        if self._state == "thinking":
            out.append(ThinkingDelta(text=text))
        else:
            out.append(TextDelta(text=text))

    def _switch(self, target: State, out: list[Delta]) -> None:
        if self._state == "tool":
            self._close_tool(out, closed=True)
        self._state = target
        self._lstrip = True

    def _close_tool(self, out: list[Delta], *, closed: bool) -> None:
        text, self._tool_text = self._tool_text, ""
        try:
            calls = parse_tool_calls(text, parser=self._tool_parser, tools=self._tools)
        except ValueError:
            assert self._tool is not None
            raw = self._tool[0] + text + (self._tool[1] if closed else "")
            out.append(TextDelta(text=raw))
            return
        for call in calls:
            index = self.tool_calls
            self.tool_calls += 1
            out.append(ToolCallStart(index=index, id=new_tool_call_id(), name=call.name))
            out.append(ToolCallDelta(index=index, arguments=call.arguments))
