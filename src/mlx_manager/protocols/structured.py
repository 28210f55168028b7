"""Structured output (a JSON schema, or any JSON object) asked for by a client protocol's own
field, OpenAI chat's ``response_format`` or the Responses API's ``text.format``: served through
the IR as a forced tool whose parameters are the schema, since every target can call a tool."""

from __future__ import annotations

from mlx_manager.core import ToolSpec
from mlx_manager.errors import InvalidRequest, Untranslatable

# The forced tool's name for ``json_object``, which names no schema.
JSON_OBJECT_TOOL = "json_object"
_ANY_OBJECT: dict[str, object] = {"type": "object"}


def forced_tool(
    kind: str,
    *,
    param: str,
    schema: dict[str, object] | None,
    schema_param: str,
    name: str | None,
    name_param: str,
    description: str | None,
    has_tools: bool,
) -> ToolSpec | None:
    """The forced tool standing for a format of ``kind`` (None for plain text). ``param`` and
    the other ``*_param`` name the request's fields in errors. Offered together with tools it is
    refused (forcing one tool would keep the model from the others), as is a schema whose root
    is not an object (a tool's input is one)."""
    if kind == "text":
        return None
    if kind not in ("json_schema", "json_object"):
        raise Untranslatable(f"{param}.type", f"'{kind}' is not supported")
    if has_tools:
        raise Untranslatable(param, "structured output together with tools is not available here")
    if kind == "json_object":
        return ToolSpec(JSON_OBJECT_TOOL, "Give the answer as a JSON object.", _ANY_OBJECT)
    if schema is None:
        raise InvalidRequest(f"'{schema_param}' is required.", param=schema_param)
    if schema.get("type") != "object":
        raise Untranslatable(
            schema_param, "only a schema whose root is an object can be served on this route"
        )
    if name is None:
        raise InvalidRequest(f"'{name_param}' is required.", param=name_param)
    return ToolSpec(name, description or "Give the answer in this JSON schema.", schema)
