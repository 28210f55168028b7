"""The contract every backend fulfils."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Protocol

from mlx_manager.core import ChatRequest, StreamEvent


@dataclass(frozen=True, slots=True)
class Capabilities:
    streaming: bool = True
    tools: bool = True
    images: bool = True
    reasoning: bool = True
    embeddings: bool = False


class Backend(Protocol):
    """Serves chat requests. ``model`` is the model name as this backend knows it.

    ``stream`` raises ``mlx_manager.errors.GatewayError`` subclasses, both before the first
    event and while iterating.
    """

    @property
    def capabilities(self) -> Capabilities: ...

    def stream(self, request: ChatRequest, *, model: str) -> AsyncIterator[StreamEvent]: ...

    async def aclose(self) -> None: ...
