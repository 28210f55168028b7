"""The contract every backend fulfils."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Protocol

from mlx_manager.core import ChatRequest, ChatResponse, StreamEvent


@dataclass(frozen=True, slots=True)
class Capabilities:
    streaming: bool = True
    tools: bool = True
    images: bool = True
    reasoning: bool = True
    embeddings: bool = False


class Backend(Protocol):
    """Serves chat requests. ``model`` is the model name as this backend knows it.

    ``complete`` answers a whole reply, ``stream`` its events; both raise
    ``mlx_manager.errors.GatewayError`` subclasses (``stream`` before the first event and while
    iterating).
    """

    @property
    def capabilities(self) -> Capabilities: ...

    async def complete(self, request: ChatRequest, *, model: str) -> ChatResponse: ...

    def stream(self, request: ChatRequest, *, model: str) -> AsyncIterator[StreamEvent]: ...

    async def aclose(self) -> None: ...
