"""Serving one request: plan the route, try its targets with failover, say what served.

A target of the caller's own protocol takes the fast path (the body forwarded with ``model``
rewritten, the reply's bytes relayed); any other target goes through the IR: the caller's codec
decodes, the backend serves, and the edge encodes the result. A relayed Responses reply is
handed to ``Inbound.keep`` (a stored response) as it is: whole, or (streamed) by the edge's
relay once its final event has passed. Chat and embeddings share the one
flow (``_serve``); they differ only in what one attempt does.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

import orjson

from mlx_manager.backends.base import Backend
from mlx_manager.backends.http.backend import HttpBackend
from mlx_manager.backends.http.clients import ProviderClients
from mlx_manager.backends.http.passthrough import Reply, forward, open_stream
from mlx_manager.core import ChatResponse
from mlx_manager.errors import GatewayError, ModelNotFound, UpstreamUnavailable
from mlx_manager.gateway.inbound import Inbound
from mlx_manager.gateway.results import Answer, ChatResult, EmbeddingsAnswer, Relayed, Streamed
from mlx_manager.gateway.streams import prefetch
from mlx_manager.observability.usage import read_document_usage
from mlx_manager.protocols.openai.stream import usage_options
from mlx_manager.protocols.table import (
    PROTOCOLS,
    RESPONSES,
    ApiType,
    EncodeOptions,
    ProviderProtocol,
)
from mlx_manager.providers.catalogue import BackendType, spec_for
from mlx_manager.routing.failover import RetryPolicy, Served, serve_with_failover
from mlx_manager.routing.health import RetryBudget, TargetHealth
from mlx_manager.routing.router import ResolvedTarget, RouteCandidate, Router

T = TypeVar("T")


class Gateway:
    def __init__(
        self,
        *,
        router: Router,
        clients: ProviderClients,
        local: Backend | None,
        health: TargetHealth,
        budget: RetryBudget,
        policy: RetryPolicy,
        default_max_tokens: int,
    ) -> None:
        self._router = router
        self._clients = clients
        self._local = local
        self._health = health
        self._budget = budget
        self._policy = policy
        self._default_max_tokens = default_max_tokens
        self._options: dict[BackendType, EncodeOptions] = {}

    async def chat(self, inbound: Inbound) -> Answer:
        """Serve a chat request; the edge has checked its shape and the caller's access."""
        protocol = inbound.protocol
        # A protocol no provider speaks always goes through the IR.
        same = protocol if isinstance(protocol, ProviderProtocol) else None
        whole_response = protocol is RESPONSES
        # An OpenAI stream whose caller did not ask for usage: the fast path asks the upstream
        # for it (so the tokens are counted), and the edge cuts the extra chunk out again.
        asked_usage = (
            usage_options(inbound.body)
            if inbound.stream and protocol.api_type is ApiType.OPENAI
            else None
        )

        async def attempt(target: ResolvedTarget) -> ChatResult:
            provider = target.provider
            if provider is None or same is None or provider.api_type is not same.api_type:
                return await self._translate(inbound, target)
            client = self._clients.get(provider)
            fast_body = _upstream_body(inbound, target.model, asked_usage)
            if inbound.stream:
                relay = await open_stream(
                    client,
                    path=same.chat_path,
                    body=fast_body,
                    headers=inbound.headers,
                    timeouts=target.timeouts,
                    starts=same.starts_stream,
                    model=target.model,
                )
                return Relayed(
                    relay,
                    cut_usage=asked_usage is not None,
                    whole_response=whole_response,
                    keep=inbound.keep,
                )
            reply = await forward(
                client,
                path=same.chat_path,
                body=fast_body,
                headers=inbound.headers,
                timeouts=target.timeouts,
                is_reply=same.is_reply,
                model=target.model,
            )
            read_document_usage(reply.document, inbound.record.tokens)
            if inbound.keep is not None and isinstance(reply.document, dict):
                inbound.keep(reply.document)
            return reply

        return await self._serve(inbound, attempt)

    async def embeddings(self, inbound: Inbound) -> EmbeddingsAnswer:
        """Serve an embeddings request: relayed to targets whose protocol has embeddings."""

        async def attempt(target: ResolvedTarget) -> Reply:
            provider = target.provider
            endpoint = PROTOCOLS[provider.api_type].embeddings if provider is not None else None
            if provider is None or endpoint is None:
                raise ModelNotFound(f"{target.label} does not serve embeddings.")
            reply = await forward(
                self._clients.get(provider),
                path=endpoint.path,
                body=orjson.dumps({**inbound.body, "model": target.model}),
                headers={},
                timeouts=target.timeouts,
                is_reply=endpoint.is_reply,
                model=target.model,
            )
            read_document_usage(reply.document, inbound.record.tokens)
            return reply

        return await self._serve(inbound, attempt)

    async def _serve(
        self, inbound: Inbound, attempt: Callable[[ResolvedTarget], Awaitable[T]]
    ) -> Served[T, ResolvedTarget]:
        plan = self._router.plan_route(inbound.model)
        served = await serve_with_failover(
            plan.targets,
            attempt,
            strategy=plan.strategy,
            health=self._health,
            budget=self._budget,
            policy=self._policy,
            skipped=_skipped_errors(plan.skipped),
        )
        inbound.record.served_by(served.target, served.attempts)
        return served

    async def _translate(self, inbound: Inbound, target: ResolvedTarget) -> ChatResult:
        request = inbound.request()
        backend = self._backend(target)
        if inbound.stream:
            events = await prefetch(backend.stream(request, model=target.model), inbound.record)
            return Streamed(events, request)
        reply: ChatResponse = await backend.complete(request, model=target.model)
        inbound.record.took(reply.usage)
        return reply

    def _backend(self, target: ResolvedTarget) -> Backend:
        provider = target.provider
        if provider is None:
            if self._local is None:
                raise ModelNotFound("The local engine is not available on this server.")
            return self._local
        options = self._options.get(provider.backend_type)
        if options is None:
            spec = spec_for(provider.backend_type)
            options = self._options[provider.backend_type] = EncodeOptions(
                max_tokens_field=spec.max_tokens_field,
                default_max_tokens=self._default_max_tokens,
                json_schema_output=spec.json_schema_output,
            )
        return HttpBackend(
            client=self._clients.get(provider), options=options, timeouts=target.timeouts
        )


def _upstream_body(inbound: Inbound, model: str, usage: dict[str, object] | None) -> bytes:
    """The fast path's body: as received, with only ``model`` (and ``stream_options``, when
    the gateway asks for usage) rewritten where they must be."""
    if inbound.forwarded is not None:
        return orjson.dumps({**inbound.forwarded, "model": model})
    if usage is not None:
        return orjson.dumps({**inbound.body, "model": model, "stream_options": usage})
    if inbound.raw is not None and inbound.body.get("model") == model:
        return inbound.raw
    return orjson.dumps({**inbound.body, "model": model})


def _skipped_errors(skipped: tuple[RouteCandidate, ...]) -> list[GatewayError]:
    """Targets the plan left out, as errors, so a final failure names them too."""
    return [
        UpstreamUnavailable(
            f"{c.provider.name if c.provider else 'provider'} skipped: {c.problem}",
            provider=c.provider.name if c.provider else "",
        )
        for c in skipped
    ]
