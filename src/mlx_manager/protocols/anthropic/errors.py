"""Gateway errors in Anthropic's shape: ``{"type": "error", "error": {"type", "message"}}``.

The API layer's Anthropic error responses and the stream's ``error`` event both come from here.
Anthropic's error types are fixed, so the type follows the HTTP status.
"""

from __future__ import annotations

import orjson

from mlx_manager.errors import GatewayError
from mlx_manager.protocols.sse import encode_event

_TYPES = {
    400: "invalid_request_error",
    401: "authentication_error",
    403: "permission_error",
    404: "not_found_error",
    413: "request_too_large",
    429: "rate_limit_error",
    503: "overloaded_error",
    529: "overloaded_error",
}


def encode_error(exc: GatewayError) -> dict[str, object]:
    status = exc.status
    kind = _TYPES.get(status, "api_error" if status >= 500 else "invalid_request_error")
    return {"type": "error", "error": {"type": kind, "message": exc.message}}


def encode_stream_error(exc: GatewayError) -> bytes:
    """The ``event: error`` that ends a stream which failed after its first byte."""
    return encode_event(orjson.dumps(encode_error(exc)), event="error")
