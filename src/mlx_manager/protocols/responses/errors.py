"""Gateway errors as the Responses API reports them: OpenAI's ``{"error": {...}}`` body for an
HTTP error, and an ``error`` event for a stream that fails after its first byte (a failure the
encoder sees itself becomes ``response.failed``, see ``stream.py``)."""

from __future__ import annotations

import orjson

from mlx_manager.errors import GatewayError
from mlx_manager.protocols.openai.errors import encode_error
from mlx_manager.protocols.sse import encode_event

__all__ = ["encode_error", "encode_stream_error", "error_event"]


def error_event(exc: GatewayError, *, sequence_number: int) -> bytes:
    body = {
        "type": "error",
        "code": exc.code,
        "message": exc.message,
        "param": exc.param,
        "sequence_number": sequence_number,
    }
    return encode_event(orjson.dumps(body), event="error")


def encode_stream_error(exc: GatewayError) -> bytes:
    """The event that ends a stream cut short from outside the encoder (the server stopping),
    where the count of events sent is not known: numbered 0."""
    return error_event(exc, sequence_number=0)
