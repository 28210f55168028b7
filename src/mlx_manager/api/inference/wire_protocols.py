"""The two protocols our callers speak, as one table: codecs and the fast-path upstream path."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass

from mlx_manager.core import ChatRequest, ChatResponse, StreamEvent
from mlx_manager.errors import GatewayError
from mlx_manager.protocols.anthropic import errors as anthropic_errors
from mlx_manager.protocols.anthropic import request as anthropic_request
from mlx_manager.protocols.anthropic import response as anthropic_response
from mlx_manager.protocols.anthropic import stream as anthropic_stream
from mlx_manager.protocols.openai import errors as openai_errors
from mlx_manager.protocols.openai import request as openai_request
from mlx_manager.protocols.openai import response as openai_response
from mlx_manager.protocols.openai import stream as openai_stream
from mlx_manager.protocols.sse import SSEEvent
from mlx_manager.providers.catalogue import ApiType

EncodeStream = Callable[[AsyncIterator[StreamEvent], ChatRequest], AsyncIterator[bytes]]


@dataclass(frozen=True, slots=True)
class WireProtocol:
    api_type: ApiType
    # Where a provider of the same protocol serves chats: the fast path forwards there.
    chat_path: str
    decode_request: Callable[[object], ChatRequest]
    encode_response: Callable[[ChatResponse], dict[str, object]]
    encode_stream: EncodeStream
    encode_error: Callable[[GatewayError], dict[str, object]]
    encode_stream_error: Callable[[GatewayError], bytes]
    # The fast path's check that a relayed success is one: a whole reply's parsed body, and a
    # stream's first events (None: an event that decides nothing, such as a ping).
    is_reply: Callable[[object], bool]
    starts_stream: Callable[[SSEEvent], bool | None]


def _openai_stream(
    events: AsyncIterator[StreamEvent], request: ChatRequest
) -> AsyncIterator[bytes]:
    return openai_stream.encode_stream(events, include_usage=request.include_usage)


def _anthropic_stream(
    events: AsyncIterator[StreamEvent], _request: ChatRequest
) -> AsyncIterator[bytes]:
    return anthropic_stream.encode_stream(events)


OPENAI = WireProtocol(
    api_type=ApiType.OPENAI,
    chat_path="/v1/chat/completions",
    decode_request=openai_request.decode_request,
    encode_response=openai_response.encode_response,
    encode_stream=_openai_stream,
    encode_error=openai_errors.encode_error,
    encode_stream_error=openai_errors.encode_stream_error,
    is_reply=openai_response.is_reply,
    starts_stream=openai_stream.starts_stream,
)

ANTHROPIC = WireProtocol(
    api_type=ApiType.ANTHROPIC,
    chat_path="/v1/messages",
    decode_request=anthropic_request.decode_request,
    encode_response=anthropic_response.encode_response,
    encode_stream=_anthropic_stream,
    encode_error=anthropic_errors.encode_error,
    encode_stream_error=anthropic_errors.encode_stream_error,
    is_reply=anthropic_response.is_reply,
    starts_stream=anthropic_stream.starts_stream,
)
