"""The wire protocols, one row each, holding both directions of a protocol.

Client side, for callers who speak it: decode their request, encode our reply, stream and
errors. Provider side, for upstreams that speak it: where chats go, how a key is sent, encode
our request, decode their reply and stream, and the fast path's checks that a relayed success
is one. The row is looked up once per request (by the caller's path, or by a provider's
``api_type``); adding a protocol is a codec package and a row here.

A ``WireProtocol`` is the client side; a ``ProviderProtocol`` adds the provider side, and only
those are in ``PROTOCOLS``, the protocols a provider may speak. All three are provider
protocols: OpenAI's Chat Completions, Anthropic's Messages and OpenAI's Responses API.
"""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterable, AsyncIterator, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Literal, Protocol

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
from mlx_manager.protocols.openai.structured import json_schema_of, unwrap_response, unwrap_stream
from mlx_manager.protocols.responses import errors as responses_errors
from mlx_manager.protocols.responses import provider as responses_provider
from mlx_manager.protocols.responses import response as responses_response
from mlx_manager.protocols.responses import stream as responses_stream
from mlx_manager.protocols.responses.request import decode_request as decode_responses
from mlx_manager.protocols.responses.request import reply_headers as responses_headers
from mlx_manager.protocols.sse import SSEEvent

ANTHROPIC_VERSION = "2023-06-01"


class ApiType(StrEnum):
    """The wire protocol a caller or a provider speaks."""

    OPENAI = "openai"
    ANTHROPIC = "anthropic"
    OPENAI_RESPONSES = "openai_responses"


@dataclass(frozen=True, slots=True)
class EncodeOptions:
    """What a provider's request body depends on besides the request: the provider's field for
    the token cap (catalogue), and the cap sent where the protocol requires one (settings)."""

    max_tokens_field: Literal["max_tokens", "max_completion_tokens"] = "max_completion_tokens"
    default_max_tokens: int = 4096
    # The provider takes a JSON schema as Anthropic's ``output_config.format`` (catalogue).
    json_schema_output: bool = False


class DecodeRequest(Protocol):
    def __call__(self, body: object, /) -> ChatRequest: ...


class EncodeResponse(Protocol):
    def __call__(self, response: ChatResponse, request: ChatRequest, /) -> dict[str, object]: ...


class EncodeStream(Protocol):
    def __call__(
        self, events: AsyncIterator[StreamEvent], request: ChatRequest, /
    ) -> AsyncIterator[bytes]: ...


class EncodeError(Protocol):
    def __call__(self, error: GatewayError, /) -> dict[str, object]: ...


class EncodeStreamError(Protocol):
    def __call__(self, error: GatewayError, /) -> bytes: ...


class ReplyHeaders(Protocol):
    def __call__(self, request: ChatRequest, /) -> dict[str, str]: ...


class AuthHeaders(Protocol):
    def __call__(self, api_key: str | None, /) -> dict[str, str]: ...


class EncodeRequest(Protocol):
    def __call__(
        self, request: ChatRequest, /, *, model: str, options: EncodeOptions
    ) -> dict[str, object]: ...


class DecodeResponse(Protocol):
    def __call__(self, body: object, /, *, provider: str) -> ChatResponse: ...


class DecodeStream(Protocol):
    def __call__(
        self, chunks: AsyncIterable[bytes], /, *, provider: str
    ) -> AsyncIterator[StreamEvent]: ...


class IsReply(Protocol):
    def __call__(self, document: object, /) -> bool: ...


class StartsStream(Protocol):
    def __call__(self, event: SSEEvent, /) -> bool | None: ...


@dataclass(frozen=True, slots=True)
class Embeddings:
    """A protocol's embeddings endpoint: relayed as it is, checked like a chat reply."""

    path: str
    is_reply: IsReply


@dataclass(frozen=True, slots=True, kw_only=True)
class WireProtocol:
    """A protocol as callers speak it to the gateway."""

    # What the request log calls it.
    name: str
    # The provider protocol that is this one (a same-protocol target takes the fast path);
    # None: no provider speaks it.
    api_type: ApiType | None
    # Where chats are served, by us to callers (and, for a provider protocol, by providers to us).
    chat_path: str
    decode_request: DecodeRequest
    encode_response: EncodeResponse
    encode_stream: EncodeStream
    encode_error: EncodeError
    encode_stream_error: EncodeStreamError
    # Headers a translated reply carries, from the decoded request (what it left out).
    reply_headers: ReplyHeaders | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class ProviderProtocol(WireProtocol):
    """A protocol that providers speak too: the client side and the provider side."""

    api_type: ApiType
    auth_headers: AuthHeaders
    encode_request: EncodeRequest
    decode_response: DecodeResponse
    decode_stream: DecodeStream
    # The fast path's check that a relayed success is one: a whole reply's parsed body, and a
    # stream's first events (None: an event that decides nothing, such as a ping).
    is_reply: IsReply
    starts_stream: StartsStream
    embeddings: Embeddings | None = None


def _openai_stream(
    events: AsyncIterator[StreamEvent], request: ChatRequest, /
) -> AsyncIterator[bytes]:
    return openai_stream.encode_stream(
        unwrap_stream(events, request), include_usage=request.include_usage
    )


def _openai_reply(response: ChatResponse, request: ChatRequest, /) -> dict[str, object]:
    return openai_response.encode_response(unwrap_response(response, request))


def _anthropic_reply(response: ChatResponse, _request: ChatRequest, /) -> dict[str, object]:
    return anthropic_response.encode_response(response)


def _anthropic_stream(
    events: AsyncIterator[StreamEvent], _request: ChatRequest, /
) -> AsyncIterator[bytes]:
    return anthropic_stream.encode_stream(events)


def _bearer(api_key: str | None, /) -> dict[str, str]:
    return {"Authorization": f"Bearer {api_key}"} if api_key else {}


def _anthropic_key(api_key: str | None, /) -> dict[str, str]:
    headers = {"anthropic-version": ANTHROPIC_VERSION}
    if api_key:
        headers["x-api-key"] = api_key
    return headers


def _encode_openai(
    request: ChatRequest, /, *, model: str, options: EncodeOptions
) -> dict[str, object]:
    return openai_request.encode_request(
        request, model=model, max_tokens_field=options.max_tokens_field
    )


def _encode_anthropic(
    request: ChatRequest, /, *, model: str, options: EncodeOptions
) -> dict[str, object]:
    schema = json_schema_of(request) if options.json_schema_output else None
    if schema is not None:
        # The forced tool stood for the schema; this provider takes the schema itself, and
        # answers it as text, which is what the caller's reply says.
        request = dataclasses.replace(request, tools=[], tool_choice=None)
    return anthropic_request.encode_request(
        request, model=model, default_max_tokens=options.default_max_tokens, output_schema=schema
    )


def _encode_responses(
    request: ChatRequest, /, *, model: str, options: EncodeOptions
) -> dict[str, object]:
    # The Responses API needs no cap where the caller set none: options do not apply.
    return responses_provider.encode_request(request, model=model)


OPENAI = ProviderProtocol(
    name="openai",
    api_type=ApiType.OPENAI,
    chat_path="/v1/chat/completions",
    decode_request=openai_request.decode_request,
    encode_response=_openai_reply,
    encode_stream=_openai_stream,
    encode_error=openai_errors.encode_error,
    encode_stream_error=openai_errors.encode_stream_error,
    auth_headers=_bearer,
    encode_request=_encode_openai,
    decode_response=openai_response.decode_response,
    decode_stream=openai_stream.decode_stream,
    is_reply=openai_response.is_reply,
    starts_stream=openai_stream.starts_stream,
    embeddings=Embeddings(path="/v1/embeddings", is_reply=openai_response.is_embeddings_reply),
)

ANTHROPIC = ProviderProtocol(
    name="anthropic",
    api_type=ApiType.ANTHROPIC,
    chat_path="/v1/messages",
    decode_request=anthropic_request.decode_request,
    encode_response=_anthropic_reply,
    encode_stream=_anthropic_stream,
    encode_error=anthropic_errors.encode_error,
    encode_stream_error=anthropic_errors.encode_stream_error,
    reply_headers=anthropic_request.reply_headers,
    auth_headers=_anthropic_key,
    encode_request=_encode_anthropic,
    decode_response=anthropic_response.decode_response,
    decode_stream=anthropic_stream.decode_stream,
    is_reply=anthropic_response.is_reply,
    starts_stream=anthropic_stream.starts_stream,
)

RESPONSES = ProviderProtocol(
    name="openai_responses",
    api_type=ApiType.OPENAI_RESPONSES,
    chat_path="/v1/responses",
    decode_request=decode_responses,
    encode_response=responses_response.encode_response,
    encode_stream=responses_stream.encode_stream,
    encode_error=responses_errors.encode_error,
    encode_stream_error=responses_errors.encode_stream_error,
    reply_headers=responses_headers,
    auth_headers=_bearer,
    encode_request=_encode_responses,
    decode_response=responses_provider.decode_response,
    decode_stream=responses_provider.decode_stream,
    is_reply=responses_provider.is_reply,
    starts_stream=responses_provider.starts_stream,
)

PROTOCOLS: Mapping[ApiType, ProviderProtocol] = {
    p.api_type: p for p in (OPENAI, ANTHROPIC, RESPONSES)
}
# Every protocol callers speak, by the path of its chat endpoint.
CLIENT_PROTOCOLS: Mapping[str, WireProtocol] = {
    p.chat_path: p for p in (OPENAI, ANTHROPIC, RESPONSES)
}


def protocol_of_path(path: str) -> WireProtocol:
    """The protocol whose callers use ``path`` (a ``/v1`` path): the one place a path says it.
    Anthropic's paths are ``/v1/messages`` and below, the Responses API's ``/v1/responses`` and
    below; every other ``/v1`` path is OpenAI's."""
    if path.startswith(ANTHROPIC.chat_path):
        return ANTHROPIC
    return RESPONSES if path.startswith(RESPONSES.chat_path) else OPENAI
