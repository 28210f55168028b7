"""``RequestRecord``: what is known about one ``/v1`` request, filled in as it is served.

The ``RequestRecorder`` middleware creates it (time, endpoint, status, first byte, end), the
serving path adds what only it knows (model asked, target, attempts, tokens, error), and the
recorder hands it to metrics and the request log once the response or stream has ended.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from starlette.types import Scope

from mlx_manager.core import ChatRequest, Usage
from mlx_manager.errors import GatewayError, NoRouteAvailable, UpstreamError
from mlx_manager.observability.usage import TokenCounts
from mlx_manager.routing.router import ResolvedTarget
from mlx_manager.routing.rules import LOCAL

# Where the record lives in the ASGI scope's state, for the handlers to find it.
RECORD_KEY = "request_record"


@dataclass(slots=True, eq=False)
class RequestRecord:
    """Made by the recorder; one made without arguments records nothing anywhere."""

    endpoint: str = ""
    protocol: str = ""
    # ``time.perf_counter()`` at the start, and ``time.time()`` for the log row.
    started: float = 0.0
    created_at: float = 0.0
    request_id: str = ""
    api_key_name: str | None = None
    model_requested: str | None = None
    provider: str | None = None
    model: str | None = None
    attempts: int = 0
    stream: bool = False
    status: int = 0
    error: str | None = None
    # Seconds from the start to the first body byte sent, and to the end.
    first_byte: float | None = None
    latency: float = 0.0
    # The whole response went out (the last body message was sent).
    complete: bool = False
    tokens: TokenCounts = field(default_factory=TokenCounts)
    # The prompt in the IR (decoded on call), for a token estimate when no usage comes back.
    request: Callable[[], ChatRequest] | None = None
    # USD, and where its price came from (a ``Priced`` value); set once by ``PriceTable.settle``.
    cost_usd: float | None = None
    priced: str | None = None
    # Raw request and response bytes, kept only when ``request_log_content`` is on.
    prompt: bytearray | None = None
    completion: bytearray | None = None
    # Counts the reply's tokens against a gateway key's tokens-per-minute limit; called by the
    # recorder just before the last byte goes out, so the caller's next request sees the count.
    charge: Callable[[int], Awaitable[None]] | None = None

    @property
    def ttft(self) -> float | None:
        """Time to first token: for streams, when the first byte went to the caller."""
        return self.first_byte if self.stream else None

    def asked(self, model: str | None, *, stream: bool) -> None:
        """What the caller asked for."""
        self.model_requested = model
        self.stream = stream

    def served_by(self, target: ResolvedTarget, attempts: int) -> None:
        self.provider = target.provider.name if target.provider else LOCAL
        self.model = target.model
        self.attempts = attempts

    def took(self, usage: Usage) -> None:
        tokens = self.tokens
        tokens.input_tokens = usage.input_tokens
        tokens.output_tokens = usage.output_tokens
        tokens.cache_read_tokens = usage.cached_tokens
        tokens.cache_write_tokens = usage.cache_creation_tokens
        tokens.reasoning_tokens = usage.reasoning_tokens

    def failed(self, exc: GatewayError) -> None:
        self.error = exc.code
        if isinstance(exc, NoRouteAvailable):
            self.attempts = len(exc.attempts)
        elif isinstance(exc, UpstreamError):
            self.provider = self.provider or exc.provider or None


def record_of(scope: Scope) -> RequestRecord:
    """The recorder's record of this request, or a detached one when there is none."""
    record = scope.get("state", {}).get(RECORD_KEY)
    return record if isinstance(record, RequestRecord) else RequestRecord()
