"""The Anthropic Messages protocol (``/v1/messages``), both directions.

Server side (callers speaking Anthropic): ``decode_request``, ``encode_response``,
``encode_stream``, ``encode_error`` / ``encode_stream_error``.
Client side (Anthropic-protocol providers): ``encode_request``, ``decode_response``,
``decode_stream`` (or ``AnthropicStreamDecoder`` fed parsed events).

Not here: HTTP, headers (``anthropic-version``, beta flags), same-protocol passthrough.
"""

from mlx_manager.protocols.anthropic.errors import encode_error, encode_stream_error
from mlx_manager.protocols.anthropic.request import decode_request, encode_request
from mlx_manager.protocols.anthropic.response import decode_response, encode_response
from mlx_manager.protocols.anthropic.stream import (
    AnthropicStreamDecoder,
    decode_stream,
    encode_stream,
)

__all__ = [
    "AnthropicStreamDecoder",
    "decode_request",
    "decode_response",
    "decode_stream",
    "encode_error",
    "encode_request",
    "encode_response",
    "encode_stream",
    "encode_stream_error",
]
