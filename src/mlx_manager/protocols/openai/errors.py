"""Gateway errors in OpenAI's shape: ``{"error": {"message", "type", "param", "code"}}``.

The API layer's OpenAI error responses and the stream's error event both come from here, so the
two cannot drift apart.
"""

from __future__ import annotations

import orjson

from mlx_manager.errors import GatewayError
from mlx_manager.protocols.sse import encode_event

_TYPES = {401: "authentication_error", 403: "permission_error", 429: "rate_limit_error"}


def encode_error(exc: GatewayError) -> dict[str, object]:
    status = exc.status
    kind = _TYPES.get(status, "server_error" if status >= 500 else "invalid_request_error")
    return {"error": {"message": exc.message, "type": kind, "param": exc.param, "code": exc.code}}


def encode_stream_error(exc: GatewayError) -> bytes:
    """The SSE event that ends a stream which failed after its first byte."""
    return encode_event(orjson.dumps(encode_error(exc)))
