"""An OpenAI ``response_format`` encoded for an Anthropic-protocol provider: Anthropic's own
structured outputs where the catalogue says the provider takes them, a forced tool elsewhere."""

from __future__ import annotations

from typing import Any

from mlx_manager.protocols.table import ANTHROPIC, OPENAI, EncodeOptions
from mlx_manager.providers.catalogue import CATALOGUE, BackendType, spec_for

SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {"city": {"type": "string"}},
    "required": ["city"],
    "additionalProperties": False,
}
NATIVE = EncodeOptions(default_max_tokens=64, json_schema_output=True)
COMPATIBLE = EncodeOptions(default_max_tokens=64)


def encoded(response_format: dict[str, Any], options: EncodeOptions) -> dict[str, Any]:
    request = OPENAI.decode_request(
        {
            "model": "m",
            "messages": [{"role": "user", "content": "Where?"}],
            "response_format": response_format,
        }
    )
    return ANTHROPIC.encode_request(request, model="claude-x", options=options)


JSON_SCHEMA = {"type": "json_schema", "json_schema": {"name": "place", "schema": SCHEMA}}


def test_a_provider_that_takes_structured_outputs_gets_the_schema() -> None:
    body = encoded(JSON_SCHEMA, NATIVE)
    assert body["output_config"] == {"format": {"type": "json_schema", "schema": SCHEMA}}
    assert "tools" not in body and "tool_choice" not in body


def test_an_anthropic_compatible_provider_gets_a_forced_tool() -> None:
    body = encoded(JSON_SCHEMA, COMPATIBLE)
    assert "output_config" not in body
    assert [tool["name"] for tool in body["tools"]] == ["place"]
    assert body["tools"][0]["input_schema"] == SCHEMA
    assert body["tool_choice"] == {"type": "tool", "name": "place"}


def test_json_object_names_no_schema_so_stays_a_forced_tool() -> None:
    body = encoded({"type": "json_object"}, NATIVE)
    assert "output_config" not in body
    assert body["tool_choice"] == {"type": "tool", "name": "json_object"}


def test_plain_text_asks_for_no_format() -> None:
    body = encoded({"type": "text"}, NATIVE)
    assert "output_config" not in body and "tools" not in body


def test_the_catalogue_marks_anthropic_alone() -> None:
    assert spec_for(BackendType.ANTHROPIC).json_schema_output
    others = [s.backend_type for s in CATALOGUE if s.json_schema_output]
    assert others == [BackendType.ANTHROPIC]
