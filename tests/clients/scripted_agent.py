"""A scripted agent model behind the fake upstream, for the real coding clients.

Offered a shell tool (or the Agents SDK test's function tool) and no tool result yet, it calls
that tool with arguments built from the tool's own JSON schema; once a tool result is back it
answers ``FINAL_WORD`` followed by that result. Asked anything without tools (titles, topic
checks, quota probes) it answers a short text. Replies are rendered in each protocol's real wire
shape by ``tests.fakes.llm``.

The command prints ``MARK`` only when a shell runs it (``$((6*7))`` is arithmetic, not text), so
a client that merely echoed the call back could not pass.
"""

from __future__ import annotations

import json
from typing import Any

from tests.fakes.llm import Answer, render_anthropic, render_openai
from tests.fakes.upstream import FakeUpstream, Received, Reply

COMMAND = "echo mlxm-$((6*7))"
MARK = "mlxm-42"
FINAL_WORD = "ROUND-TRIP-DONE"
# Tools a client runs a shell command with, by the names each client gives them; then the
# Agents SDK test's own function tool.
SHELL_TOOLS = ("Bash", "bash", "shell", "shell_command", "exec_command", "local_shell")
FUNCTION_TOOL = "secret_number"


def _arguments(name: str, schema: dict[str, Any]) -> dict[str, Any]:
    """Arguments that satisfy the tool's schema, whichever client offered it."""
    if name == FUNCTION_TOOL:
        return {"seed": 7}
    properties: dict[str, Any] = schema.get("properties", {})
    args: dict[str, Any] = {}
    for key in ("command", "cmd"):
        if key in properties:
            # Codex's older ``shell`` tool takes an argv list; the others a command line.
            argv = properties[key].get("type") == "array"
            args[key] = ["bash", "-lc", COMMAND] if argv else COMMAND
            break
    if "description" in schema.get("required", []):
        args["description"] = "Print a marker"
    return args


def _pick(tools: dict[str, dict[str, Any]]) -> tuple[str, str] | None:
    for name in (*SHELL_TOOLS, FUNCTION_TOOL):
        if name in tools:
            return name, json.dumps(_arguments(name, tools[name]))
    return None


def _answer(tools: dict[str, dict[str, Any]], tool_result: str | None) -> Answer:
    if tool_result is not None:
        text = f"{FINAL_WORD} {tool_result.strip()}"
        return Answer(text, [], "end_turn", None, 10, len(text.split()))
    call = _pick(tools)
    if call is None:
        return Answer("A short answer", [], "end_turn", None, 10, 3)
    return Answer("", [("call_1", *call)], "tool_use", None, 10, 7)


def _text(content: Any) -> str:
    if isinstance(content, str):
        return content
    return "".join(
        part.get("text", "") if part.get("type") == "text" else _text(part.get("content", ""))
        for part in content or []
    )


def openai_turn(body: dict[str, Any]) -> Reply:
    tools = {
        t["function"]["name"]: t["function"].get("parameters") or {}
        for t in body.get("tools", [])
        if t.get("type") == "function"
    }
    last = body["messages"][-1]
    result = _text(last["content"]) if last["role"] == "tool" else None
    return render_openai(body, _answer(tools, result))


def anthropic_turn(body: dict[str, Any]) -> Reply:
    tools = {t["name"]: t.get("input_schema") or {} for t in body.get("tools", []) if "name" in t}
    last = body["messages"][-1]
    blocks = last["content"] if isinstance(last["content"], list) else []
    results = [_text(b.get("content", "")) for b in blocks if b.get("type") == "tool_result"]
    return render_anthropic(body, _answer(tools, " + ".join(results) if results else None))


def serve_scripted_agent(upstream: FakeUpstream) -> None:
    upstream.reply("/v1/chat/completions", Reply(compute=openai_turn))
    upstream.reply("/v1/messages", Reply(compute=anthropic_turn))
    upstream.reply("/v1/messages/count_tokens", Reply(json={"input_tokens": 42}))
    upstream.reply(
        "/v1/models", Reply(json={"object": "list", "data": [{"id": "agent-1", "object": "model"}]})
    )


def tool_results(received: list[Received]) -> list[str]:
    """The tool results the upstream was sent, in either protocol, oldest first."""
    out: list[str] = []
    for request in received:
        if request.path not in ("/v1/chat/completions", "/v1/messages") or not request.body:
            continue
        for message in request.json().get("messages", []):
            if message.get("role") == "tool":
                out.append(_text(message["content"]))
            elif isinstance(message.get("content"), list):
                out += [
                    _text(b.get("content", ""))
                    for b in message["content"]
                    if b.get("type") == "tool_result"
                ]
    return out
