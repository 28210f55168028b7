"""The OpenAI Chat Completions protocol, both directions.

Server side (callers speaking OpenAI): ``decode_request``, ``encode_response``,
``encode_stream``, ``encode_error`` / ``encode_stream_error``.
Client side (OpenAI-protocol providers): ``encode_request``, ``decode_response``,
``decode_stream`` (or ``OpenAIStreamDecoder`` fed parsed chunks).

Not here: HTTP, retries, same-protocol passthrough.
"""

from mlx_manager.protocols.openai.errors import encode_error, encode_stream_error
from mlx_manager.protocols.openai.request import decode_request, encode_request
from mlx_manager.protocols.openai.response import decode_response, encode_response
from mlx_manager.protocols.openai.stream import OpenAIStreamDecoder, decode_stream, encode_stream

__all__ = [
    "OpenAIStreamDecoder",
    "decode_request",
    "decode_response",
    "decode_stream",
    "encode_error",
    "encode_request",
    "encode_response",
    "encode_stream",
    "encode_stream_error",
]
