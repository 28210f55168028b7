"""Structured output from the local engine: a random tiny model writes garbage, so output that
parses and validates against the schema every time shows the grammar holds it there."""

from __future__ import annotations

import json
from typing import Any

import anthropic
import jsonschema
import openai
import pytest

from tests.api.inference.test_local_engine import TINY, ant, engine, oai

__all__ = ["ant", "engine", "oai"]

NESTED: dict[str, Any] = {
    "type": "object",
    "properties": {
        "city": {"type": "string", "maxLength": 12},
        "unit": {"enum": ["celsius", "fahrenheit"]},
        "days": {"type": "array", "items": {"type": "integer"}, "maxItems": 3},
        "where": {
            "type": "object",
            "properties": {"lat": {"type": "number"}, "ok": {"type": "boolean"}},
            "required": ["lat", "ok"],
            "additionalProperties": False,
        },
    },
    "required": ["city", "unit", "days", "where"],
    "additionalProperties": False,
}
FLAT: dict[str, Any] = {
    "type": "object",
    "properties": {"answer": {"type": "string", "maxLength": 8}, "n": {"type": "integer"}},
    "required": ["answer", "n"],
    "additionalProperties": False,
}
SCHEMAS = {"nested": NESTED, "flat": FLAT}
MESSAGES: Any = [{"role": "user", "content": "What is the weather in Paris?"}]


def _format(name: str) -> Any:
    return {"type": "json_schema", "json_schema": {"name": name, "schema": SCHEMAS[name]}}


@pytest.mark.parametrize("name", sorted(SCHEMAS))
@pytest.mark.parametrize("seed", [1, 2])
def test_openai_json_schema_validates(oai: openai.OpenAI, name: str, seed: int) -> None:
    kwargs: Any = {
        "model": TINY,
        "messages": MESSAGES,
        "response_format": _format(name),
        "max_tokens": 400,
        "seed": seed,
    }
    reply = oai.chat.completions.create(**kwargs)
    choice = reply.choices[0]
    assert choice.finish_reason == "stop"
    assert choice.message.content is not None
    jsonschema.validate(json.loads(choice.message.content), SCHEMAS[name])

    text, finish = "", None
    for chunk in oai.chat.completions.create(stream=True, **kwargs):
        for c in chunk.choices:
            text += c.delta.content or ""
            finish = c.finish_reason or finish
    assert finish == "stop"
    jsonschema.validate(json.loads(text), SCHEMAS[name])


def test_openai_json_object_is_an_object(oai: openai.OpenAI) -> None:
    reply = oai.chat.completions.create(
        model=TINY, messages=MESSAGES, response_format={"type": "json_object"}, max_tokens=400
    )
    assert reply.choices[0].finish_reason == "stop"
    assert isinstance(json.loads(reply.choices[0].message.content or ""), dict)


def test_cut_short_json_ends_with_length(oai: openai.OpenAI) -> None:
    reply = oai.chat.completions.create(
        model=TINY, messages=MESSAGES, response_format=_format("nested"), max_tokens=5
    )
    assert reply.choices[0].finish_reason == "length"


def test_responses_text_format_validates(oai: openai.OpenAI) -> None:
    text_format: Any = {"format": {"type": "json_schema", "name": "w", "schema": NESTED}}
    kwargs: Any = {"model": TINY, "input": "Weather?", "text": text_format}
    response = oai.responses.create(max_output_tokens=400, **kwargs)
    assert response.status == "completed"
    jsonschema.validate(json.loads(response.output_text), NESTED)
    events = list(oai.responses.create(stream=True, max_output_tokens=400, **kwargs))
    assert events[-1].type == "response.completed"
    jsonschema.validate(json.loads(events[-1].response.output_text), NESTED)


def test_anthropic_forced_tool_input_validates(ant: anthropic.Anthropic) -> None:
    message = ant.messages.create(
        model=TINY,
        max_tokens=400,
        messages=MESSAGES,
        tools=[{"name": "weather", "description": "", "input_schema": NESTED}],
        tool_choice={"type": "tool", "name": "weather"},
    )
    # The Anthropic API has no seed, so this run is sampled freely: now and then a random model
    # writes digits until max_tokens cuts the call short, which must then say so. The seeded
    # OpenAI tests above are the ones that always reach the end of the schema.
    assert message.stop_reason in ("tool_use", "max_tokens")
    if message.stop_reason == "tool_use":
        (call,) = [b for b in message.content if b.type == "tool_use"]
        assert call.name == "weather"
        jsonschema.validate(call.input, NESTED)


def test_bad_schema_is_a_400_in_each_protocol(oai: openai.OpenAI, ant: anthropic.Anthropic) -> None:
    bad: Any = {"type": "object", "properties": {"x": {"type": "no-such-type"}}}
    with pytest.raises(openai.BadRequestError):
        oai.chat.completions.create(
            model=TINY,
            messages=MESSAGES,
            response_format={"type": "json_schema", "json_schema": {"name": "b", "schema": bad}},
        )
    with pytest.raises(anthropic.BadRequestError):
        ant.messages.create(
            model=TINY,
            max_tokens=50,
            messages=MESSAGES,
            tools=[{"name": "b", "input_schema": bad}],
            tool_choice={"type": "tool", "name": "b"},
        )
