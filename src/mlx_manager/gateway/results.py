"""What the gateway hands back for the edge to encode: what served, and one of these.

- ``Reply`` (the fast path's whole upstream reply, bytes as received) and ``Relayed`` (its
  stream) are already in the caller's protocol;
- ``ChatResponse`` and ``Streamed`` are IR, for the caller's codec to encode.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass

from mlx_manager.backends.http.passthrough import Relay, Reply
from mlx_manager.core import ChatRequest, ChatResponse, StreamEvent
from mlx_manager.routing.failover import Served
from mlx_manager.routing.router import ResolvedTarget


@dataclass(frozen=True, slots=True)
class Relayed:
    relay: Relay
    # The gateway asked the upstream for usage the caller did not ask for: the usage-only chunk
    # is to be cut out on the way.
    cut_usage: bool = False
    # The stream ends with an event that carries the whole response (the Responses API's): it
    # is read for the usage, and handed to ``keep`` (which stores it) when there is one.
    whole_response: bool = False
    keep: Callable[[dict[str, object]], None] | None = None


@dataclass(frozen=True, slots=True)
class Streamed:
    events: AsyncIterator[StreamEvent]
    # The decoded request, which the caller's stream encoder reads (OpenAI's include_usage).
    request: ChatRequest


ChatResult = Reply | Relayed | ChatResponse | Streamed
Answer = Served[ChatResult, ResolvedTarget]
EmbeddingsAnswer = Served[Reply, ResolvedTarget]
