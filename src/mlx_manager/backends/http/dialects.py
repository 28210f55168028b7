"""What differs between OpenAI- and Anthropic-protocol providers, as one table of data."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass

from mlx_manager.core import ChatRequest, ChatResponse, StreamEvent
from mlx_manager.protocols.anthropic import request as anthropic_request
from mlx_manager.protocols.anthropic import response as anthropic_response
from mlx_manager.protocols.anthropic import stream as anthropic_stream
from mlx_manager.protocols.openai import request as openai_request
from mlx_manager.protocols.openai import response as openai_response
from mlx_manager.protocols.openai import stream as openai_stream
from mlx_manager.providers.catalogue import ApiType, ProviderSpec

Encode = Callable[[ChatRequest, str, ProviderSpec], dict[str, object]]
DecodeResponse = Callable[..., ChatResponse]
DecodeStream = Callable[..., AsyncIterator[StreamEvent]]


@dataclass(frozen=True, slots=True)
class Dialect:
    chat_path: str
    encode: Encode
    decode_response: DecodeResponse
    decode_stream: DecodeStream


def dialects(*, default_max_tokens: int) -> dict[ApiType, Dialect]:
    """One row per protocol; ``default_max_tokens`` fills Anthropic's required field."""

    def encode_openai(request: ChatRequest, model: str, spec: ProviderSpec) -> dict[str, object]:
        return openai_request.encode_request(
            request, model=model, max_tokens_field=spec.max_tokens_field
        )

    def encode_anthropic(
        request: ChatRequest, model: str, _spec: ProviderSpec
    ) -> dict[str, object]:
        return anthropic_request.encode_request(
            request, model=model, default_max_tokens=default_max_tokens
        )

    return {
        ApiType.OPENAI: Dialect(
            chat_path="/v1/chat/completions",
            encode=encode_openai,
            decode_response=openai_response.decode_response,
            decode_stream=openai_stream.decode_stream,
        ),
        ApiType.ANTHROPIC: Dialect(
            chat_path="/v1/messages",
            encode=encode_anthropic,
            decode_response=anthropic_response.decode_response,
            decode_stream=anthropic_stream.decode_stream,
        ),
    }
