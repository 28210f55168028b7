"""Token counts for models on OpenAI-protocol providers, estimated with tiktoken's ``o200k_base``.

OpenAI's chat protocol has no counting endpoint, so ``/v1/messages/count_tokens`` for such a
model is an estimate: each message's text, tool calls and tool results, and the tool
definitions, in ``o200k_base`` (the encoding of GPT-4o and later), plus what chat formats add
around each message (3 tokens, and 3 to open the reply, as OpenAI's cookbook counts them). Other
models' tokenizers differ, by some percent either way.

tiktoken fetches the encoding file on first use and keeps it in ``TIKTOKEN_CACHE_DIR`` (else a
temporary folder); a server that cannot reach the internet needs the file put there beforehand.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from functools import partial

import orjson
import tiktoken

from mlx_manager.core import ChatRequest, ImagePart, TextPart, ToolCallPart, ToolResultPart
from mlx_manager.errors import UpstreamUnavailable

ENCODING = "o200k_base"
_PER_MESSAGE = 3
_REPLY_PRIMER = 3
# OpenAI's charge for a low-detail image; the size of a high-detail one is not known here.
_PER_IMAGE = 85


class TokenEstimator:
    """Counts with an encoding loaded once, on first use (``load`` may download it)."""

    def __init__(self, load: Callable[[], tiktoken.Encoding] | None = None) -> None:
        self._load = load if load is not None else partial(tiktoken.get_encoding, ENCODING)
        self._encoding: tiktoken.Encoding | None = None
        self._lock = asyncio.Lock()

    async def count(self, request: ChatRequest, *, provider: str) -> int:
        encoding = await self._ready(provider)
        return await asyncio.to_thread(_count, encoding, request)

    async def count_texts(self, texts: list[str], *, provider: str) -> int:
        """Plain text, such as a reply's (whose provider sent no usage)."""
        encoding = await self._ready(provider)
        batches = await asyncio.to_thread(encoding.encode_ordinary_batch, texts)
        return sum(len(ids) for ids in batches)

    async def _ready(self, provider: str) -> tiktoken.Encoding:
        if self._encoding is not None:
            return self._encoding
        async with self._lock:
            if self._encoding is None:
                try:
                    self._encoding = await asyncio.to_thread(self._load)
                except (OSError, ValueError) as exc:
                    # requests' errors are OSErrors; a damaged file is a ValueError.
                    raise UpstreamUnavailable(
                        f"Tokens for '{provider}' are estimated with tiktoken's '{ENCODING}',"
                        f" which could not be loaded ({type(exc).__name__}). Let the server"
                        " reach the internet once, or put the encoding file in the folder"
                        " named by TIKTOKEN_CACHE_DIR.",
                        provider=provider,
                    ) from None
            return self._encoding


def _count(encoding: tiktoken.Encoding, request: ChatRequest) -> int:
    texts = list(_texts(request))
    tokens = sum(len(ids) for ids in encoding.encode_ordinary_batch(texts))
    parts = [part for message in request.messages for part in message.content]
    results = [c for part in parts if isinstance(part, ToolResultPart) for c in part.content]
    images = sum(isinstance(part, ImagePart) for part in [*parts, *results])
    messages = len(request.messages) + (1 if request.system else 0)
    return tokens + images * _PER_IMAGE + messages * _PER_MESSAGE + _REPLY_PRIMER


def _texts(request: ChatRequest) -> Iterator[str]:
    yield from (part.text for part in request.system)
    for message in request.messages:
        for part in message.content:
            if isinstance(part, TextPart):
                yield part.text
            elif isinstance(part, ToolCallPart):
                yield part.name
                yield part.arguments
            elif isinstance(part, ToolResultPart):
                yield from (c.text for c in part.content if isinstance(c, TextPart))
    for tool in request.tools:
        yield tool.name
        if tool.description is not None:
            yield tool.description
        yield orjson.dumps(tool.parameters).decode()
