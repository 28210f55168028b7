"""OpenAI's Responses API (``POST /v1/responses``), both directions.

Server side, for callers: ``decode_request`` (a Responses body as a ``ChatRequest``),
``encode_response`` (a reply as a ``response`` object), ``encode_stream`` (IR events as the
Responses event stream), ``encode_error`` / ``encode_stream_error``. Client side, for
providers that speak it (``provider.py``): a ``ChatRequest`` as a Responses body, and a
provider's replies and streams as IR. A Responses caller's request to such a provider is
relayed, not translated (the same-protocol fast path).

Not here: conversation state (``store``, ``previous_response_id``), which needs the database
and is the HTTP edge's (``api/inference/stored_responses``); the codec only carries the stored
id and the hook that takes the finished response (``ResponsesChat.response_id`` and ``keep``).
"""

from mlx_manager.protocols.responses.errors import encode_error, encode_stream_error
from mlx_manager.protocols.responses.request import ResponsesChat, decode_request, reply_headers
from mlx_manager.protocols.responses.response import encode_response
from mlx_manager.protocols.responses.stream import encode_stream

__all__ = [
    "ResponsesChat",
    "decode_request",
    "encode_error",
    "encode_response",
    "encode_stream",
    "encode_stream_error",
    "reply_headers",
]
