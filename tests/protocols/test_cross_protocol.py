"""Any caller protocol to any provider protocol: requests, replies and streams through the IR."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

import orjson
from anthropic.types import RawMessageStreamEvent
from openai.types.chat import ChatCompletionChunk
from pydantic import TypeAdapter

from mlx_manager.core import accumulate
from mlx_manager.protocols import anthropic, openai
from mlx_manager.protocols.sse import SSEParser

OPENAI_REQUEST = {
    "model": "claude-via-openai",
    "messages": [
        {"role": "developer", "content": "Be brief."},
        {
            "role": "user",
            "content": [
                {"type": "text", "text": "What is in these?"},
                {"type": "image_url", "image_url": {"url": "data:image/webp;base64,UklGR"}},
                {
                    "type": "image_url",
                    "image_url": {"url": "https://x.test/b.png", "detail": "high"},
                },
            ],
        },
        {
            "role": "assistant",
            "content": "",
            "reasoning_content": "hidden",
            "thinking_blocks": [{"type": "thinking", "thinking": "hmm", "signature": "S1"}],
            "tool_calls": [
                {
                    "id": "call_1",
                    "type": "function",
                    "function": {"name": "look", "arguments": '{"i": 0}'},
                },
                {
                    "id": "call_2",
                    "type": "function",
                    "function": {"name": "look", "arguments": '{"i": 1}'},
                },
            ],
        },
        {"role": "tool", "tool_call_id": "call_1", "content": "a cat"},
        {"role": "tool", "tool_call_id": "call_2", "content": "a dog"},
        {"role": "user", "content": "And?"},
    ],
    "tools": [{"type": "function", "function": {"name": "look", "parameters": {"type": "object"}}}],
    "tool_choice": {"type": "function", "function": {"name": "look"}},
    "parallel_tool_calls": False,
    "temperature": 0.0,
    "stop": ["###", "END"],
    "max_tokens": 4000,
    "reasoning_effort": "minimal",
    "user": "alice",
}


def test_openai_request_to_anthropic_provider() -> None:
    request = openai.decode_request(OPENAI_REQUEST)
    body = anthropic.encode_request(request, model="claude-sonnet-4-5", default_max_tokens=1024)
    assert body == {
        "model": "claude-sonnet-4-5",
        "max_tokens": 4000,
        "system": "Be brief.",
        "messages": [
            {
                "role": "user",
                "content": [
                    {"type": "text", "text": "What is in these?"},
                    {
                        "type": "image",
                        "source": {"type": "base64", "media_type": "image/webp", "data": "UklGR"},
                    },
                    {"type": "image", "source": {"type": "url", "url": "https://x.test/b.png"}},
                ],
            },
            {
                "role": "assistant",
                "content": [
                    {"type": "thinking", "thinking": "hmm", "signature": "S1"},
                    {"type": "tool_use", "id": "call_1", "name": "look", "input": {"i": 0}},
                    {"type": "tool_use", "id": "call_2", "name": "look", "input": {"i": 1}},
                ],
            },
            {
                "role": "user",
                "content": [
                    {"type": "tool_result", "tool_use_id": "call_1", "content": "a cat"},
                    {"type": "tool_result", "tool_use_id": "call_2", "content": "a dog"},
                    {"type": "text", "text": "And?"},
                ],
            },
        ],
        "tools": [{"name": "look", "input_schema": {"type": "object"}}],
        "tool_choice": {"type": "tool", "name": "look", "disable_parallel_tool_use": True},
        "temperature": 0.0,
        "stop_sequences": ["###", "END"],
        "metadata": {"user_id": "alice"},
        "thinking": {"type": "enabled", "budget_tokens": 1024},
    }


ANTHROPIC_REQUEST = {
    "model": "gpt-via-anthropic",
    "max_tokens": 300,
    "system": [
        {"type": "text", "text": "Sys A", "cache_control": {"type": "ephemeral"}},
        {"type": "text", "text": "Sys B"},
    ],
    "messages": [
        {
            "role": "user",
            "content": [
                {
                    "type": "image",
                    "source": {"type": "base64", "media_type": "image/png", "data": "QUJD"},
                },
                {"type": "text", "text": "Describe"},
            ],
        },
        {
            "role": "assistant",
            "content": [
                {"type": "thinking", "thinking": "t", "signature": "s"},
                {"type": "text", "text": "Calling."},
                {"type": "tool_use", "id": "toolu_1", "name": "zoom", "input": {"level": 2}},
            ],
        },
        {
            "role": "user",
            "content": [
                {
                    "type": "tool_result",
                    "tool_use_id": "toolu_1",
                    "content": [{"type": "text", "text": "zoomed"}],
                },
                {"type": "text", "text": "Go on"},
            ],
        },
    ],
    "tools": [
        {
            "name": "zoom",
            "description": "Zoom in",
            "input_schema": {"type": "object", "properties": {"level": {"type": "integer"}}},
        }
    ],
    "tool_choice": {"type": "auto", "disable_parallel_tool_use": True},
    "stop_sequences": ["STOP"],
    "temperature": 0,
    "top_k": 3,
    "thinking": {"type": "enabled", "budget_tokens": 10000},
    "metadata": {"user_id": "bob"},
    "stream": True,
}


def test_anthropic_request_to_openai_provider() -> None:
    request = anthropic.decode_request(ANTHROPIC_REQUEST)
    body = openai.encode_request(request, model="gpt-4.1")
    assert body == {
        "model": "gpt-4.1",
        "messages": [
            {"role": "system", "content": "Sys A\n\nSys B"},
            {
                "role": "user",
                "content": [
                    {"type": "image_url", "image_url": {"url": "data:image/png;base64,QUJD"}},
                    {"type": "text", "text": "Describe"},
                ],
            },
            {
                "role": "assistant",
                "content": "Calling.",
                "tool_calls": [
                    {
                        "id": "toolu_1",
                        "type": "function",
                        "function": {"name": "zoom", "arguments": '{"level":2}'},
                    }
                ],
            },
            {"role": "tool", "tool_call_id": "toolu_1", "content": "zoomed"},
            {"role": "user", "content": "Go on"},
        ],
        "tools": [
            {
                "type": "function",
                "function": {
                    "name": "zoom",
                    "description": "Zoom in",
                    "parameters": {"type": "object", "properties": {"level": {"type": "integer"}}},
                },
            }
        ],
        "tool_choice": "auto",
        "parallel_tool_calls": False,
        "max_completion_tokens": 300,
        "temperature": 0,
        "top_k": 3,
        "user": "bob",
        "stop": ["STOP"],
        "reasoning_effort": "medium",
        "stream": True,
        "stream_options": {"include_usage": True},
    }


async def test_anthropic_provider_stream_to_openai_caller(
    sse_bytes: Callable[[str], bytes],
    replay: Callable[[bytes, int], AsyncIterator[bytes]],
) -> None:
    events = anthropic.decode_stream(
        replay(sse_bytes("anthropic_thinking_tool_text.sse"), 50), provider="anthropic"
    )
    frames = [f async for f in openai.encode_stream(events, include_usage=True, created=1)]
    chunks = [
        orjson.loads(e.data) for e in SSEParser().feed(b"".join(frames)) if e.data != "[DONE]"
    ]
    for chunk in chunks:
        ChatCompletionChunk.model_validate(chunk)
    assert chunks[0]["id"] == "chatcmpl-01XFDUDYJgAACzvnptvVoYEL"
    assert chunks[-2]["choices"][0]["finish_reason"] == "tool_calls"
    # Anthropic's input_tokens (472) excludes the 2048 cached ones; prompt_tokens includes them.
    assert chunks[-1]["usage"] == {
        "prompt_tokens": 2520,
        "completion_tokens": 89,
        "total_tokens": 2609,
        "prompt_tokens_details": {"cached_tokens": 2048},
    }
    signatures = [
        block["signature"]
        for c in chunks[:-1]
        for block in c["choices"][0]["delta"].get("thinking_blocks", [])
    ]
    assert signatures == ["EqQBCgIYAhIM1gbcDa9GJwZA2b3hGgxBdjrkzLoky3dl1pkiMOYds+5fFfkUR7WdcQ=="]


async def test_openai_provider_stream_to_anthropic_caller(
    sse_bytes: Callable[[str], bytes],
    replay: Callable[[bytes, int], AsyncIterator[bytes]],
) -> None:
    events = openai.decode_stream(
        replay(sse_bytes("openai_parallel_tools_usage.sse"), 200), provider="openai"
    )
    frames = [f async for f in anthropic.encode_stream(events)]
    parsed = [orjson.loads(e.data) for e in SSEParser().feed(b"".join(frames))]
    adapter: TypeAdapter[RawMessageStreamEvent] = TypeAdapter(RawMessageStreamEvent)
    for event in parsed:
        if event["type"] != "ping":
            adapter.validate_python(event)
    assert [e["type"] for e in parsed] == [
        "message_start",
        "ping",
        "content_block_start",
        "content_block_delta",
        "content_block_delta",
        "content_block_stop",
        "content_block_start",
        "content_block_delta",
        "content_block_delta",
        "content_block_stop",
        "message_delta",
        "message_stop",
    ]
    assert parsed[0]["message"]["id"] == "msg_BxQ8f2bX4n1kT7yY9pZr"
    assert parsed[-2]["delta"]["stop_reason"] == "tool_use"
    assert parsed[-2]["usage"] == {
        "input_tokens": 132,
        "output_tokens": 46,
        "cache_creation_input_tokens": 0,
        "cache_read_input_tokens": 1280,
    }


async def test_reply_translates_both_ways(
    sse_bytes: Callable[[str], bytes],
    replay: Callable[[bytes, int], AsyncIterator[bytes]],
) -> None:
    reply = await accumulate(
        anthropic.decode_stream(
            replay(sse_bytes("anthropic_thinking_tool_text.sse"), 4096), provider="a"
        )
    )
    as_openai = openai.encode_response(reply, created=1)
    back = openai.decode_response(as_openai, provider="gw")
    assert back.content == reply.content
    assert back.usage == reply.usage
    as_anthropic = anthropic.encode_response(back)
    assert (
        anthropic.decode_response(as_anthropic, provider="gw").content[2].arguments
        == '{"city":"Paris"}'
    )  # type: ignore[union-attr]
