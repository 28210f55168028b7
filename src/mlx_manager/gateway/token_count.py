"""Counting a prompt's tokens (``/v1/messages/count_tokens``), by the route its model takes.

Each kind of target counts its own way: an Anthropic-protocol provider is asked (the body
forwarded as received, with ``model`` rewritten); the local engine renders the prompt with the
model's chat template and counts its tokens; an OpenAI-protocol provider has no counting
endpoint, so the count is tiktoken's estimate. Targets are tried in the route's order, the next
one taken only when a provider fails; health and retry budgets are for chats and are left alone.
"""

from __future__ import annotations

from collections.abc import Callable

import orjson

from mlx_manager.backends.http.clients import ProviderClients
from mlx_manager.backends.http.passthrough import forward
from mlx_manager.backends.http.token_estimate import TokenEstimator
from mlx_manager.backends.mlx import MLXBackend
from mlx_manager.core import ChatRequest
from mlx_manager.errors import (
    GatewayError,
    InvalidUpstreamReply,
    ModelNotFound,
    NoRouteAvailable,
    UpstreamError,
)
from mlx_manager.gateway.inbound import Inbound
from mlx_manager.protocols.anthropic.request import decode_count_request
from mlx_manager.protocols.table import ANTHROPIC, ApiType
from mlx_manager.routing.router import ResolvedTarget, Router

COUNT_PATH = ANTHROPIC.chat_path + "/count_tokens"
# More than any context window; an upstream's larger count is not a count.
_MAX_COUNT = 100_000_000


def _count_of(document: object) -> int | None:
    count = document.get("input_tokens") if isinstance(document, dict) else None
    return count if type(count) is int and 0 <= count <= _MAX_COUNT else None


def is_count_reply(document: object) -> bool:
    return _count_of(document) is not None


class TokenCounter:
    def __init__(
        self,
        *,
        router: Router,
        clients: ProviderClients,
        local: MLXBackend | None,
        estimator: TokenEstimator,
    ) -> None:
        self._router = router
        self._clients = clients
        self._local = local
        self.estimator = estimator

    async def count(self, inbound: Inbound) -> int:
        """The prompt's input tokens; raises ``GatewayError`` subclasses."""
        plan = self._router.plan_route(inbound.model)
        # Decoded once, and only when a target needs the IR.
        decoded: list[ChatRequest] = []

        def request() -> ChatRequest:
            if not decoded:
                decoded.append(decode_count_request(inbound.body))
            return decoded[0]

        failures: list[GatewayError] = []
        for target in plan.targets:
            try:
                return await self._count(inbound, target, request)
            except UpstreamError as exc:
                if not exc.fails_over:
                    raise
                failures.append(exc)
        raise NoRouteAvailable(
            f"No target could count tokens for '{inbound.model}': "
            + "; ".join(e.message for e in failures),
            attempts=failures,
        )

    async def _count(
        self, inbound: Inbound, target: ResolvedTarget, request: Callable[[], ChatRequest]
    ) -> int:
        provider = target.provider
        if provider is None:
            if self._local is None:
                raise ModelNotFound("The local engine is not available on this server.")
            return await self._local.count_tokens(request(), model=target.model)
        if provider.api_type is not ApiType.ANTHROPIC:
            return await self.estimator.count(request(), provider=provider.name)
        reply = await forward(
            self._clients.get(provider),
            path=COUNT_PATH,
            body=orjson.dumps({**inbound.body, "model": target.model}),
            headers=inbound.headers,
            timeouts=target.timeouts,
            is_reply=is_count_reply,
            model=target.model,
        )
        count = _count_of(reply.document)
        if count is None:  # is_count_reply let no such reply through
            raise InvalidUpstreamReply("No token count in the reply.", provider=provider.name)
        return count
