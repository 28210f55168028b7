"""Serving one chat request: parse, plan the route, try targets in order, answer.

A target of the caller's own protocol takes the fast path (body forwarded with ``model``
rewritten, bytes relayed); any other target goes through the IR: the caller's codec decodes,
the backend serves, the caller's codec encodes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import orjson
from starlette.responses import Response

from mlx_manager.api.inference.event_stream import EventStream
from mlx_manager.api.inference.streaming import prefetch, relay
from mlx_manager.api.inference.wire_protocols import WireProtocol
from mlx_manager.api.json_reply import JSONReply
from mlx_manager.backends.base import Backend
from mlx_manager.backends.http.backend import HttpBackend
from mlx_manager.backends.http.clients import ProviderClients
from mlx_manager.backends.http.dialects import Dialect
from mlx_manager.backends.http.passthrough import FORWARDED_HEADERS, forward, open_stream
from mlx_manager.core import ChatRequest, accumulate
from mlx_manager.errors import GatewayError, InvalidRequest, ModelNotFound, UpstreamUnavailable
from mlx_manager.observability.record import RequestRecord
from mlx_manager.observability.usage import read_document_usage
from mlx_manager.protocols.openai.stream import usage_options
from mlx_manager.providers.catalogue import ApiType
from mlx_manager.routing.failover import RetryPolicy, serve_with_failover
from mlx_manager.routing.health import RetryBudget, TargetHealth
from mlx_manager.routing.patterns import check_model_name
from mlx_manager.routing.router import ResolvedTarget, RouteCandidate, Router

PROVIDER_HEADER = "x-mlx-manager-provider"
MODEL_HEADER = "x-mlx-manager-model"
ATTEMPTS_HEADER = "x-mlx-manager-attempts"
SHOULD_RETRY_HEADER = "x-should-retry"
SSE = "text/event-stream"


def skipped_errors(skipped: tuple[RouteCandidate, ...]) -> list[GatewayError]:
    """Targets the plan left out, as errors, so a final failure names them too."""
    return [
        UpstreamUnavailable(
            f"{c.provider.name if c.provider else 'provider'} skipped: {c.problem}",
            provider=c.provider.name if c.provider else "",
        )
        for c in skipped
    ]


def parse_body(raw: bytes) -> dict[str, object]:
    try:
        body = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise InvalidRequest(f"The request body is not valid JSON: {exc}.") from None
    if not isinstance(body, dict):
        raise InvalidRequest("The request body must be a JSON object.")
    return body


def requested_model(body: Mapping[str, object]) -> str:
    model = body.get("model")
    if not isinstance(model, str) or not model.strip():
        raise InvalidRequest("'model' is required and must be a non-empty string.", param="model")
    check_model_name(model)
    return model


@dataclass(slots=True)
class _Call:
    """One request's state across attempts: the IR is decoded at most once, when first needed."""

    protocol: WireProtocol
    body: dict[str, object]
    headers: dict[str, str]
    stream: bool
    record: RequestRecord
    raw: bytes | None = None
    ir: ChatRequest | None = None
    # An OpenAI stream whose caller did not ask for usage: the fast path asks the upstream with
    # these ``stream_options``, so the tokens are counted, and cuts the extra chunk out again.
    usage_options: dict[str, object] | None = None

    def request(self) -> ChatRequest:
        if self.ir is None:
            self.ir = self.protocol.decode_request(self.body)
        return self.ir

    def upstream_body(self, model: str) -> bytes:
        """The fast path's body: as received, with only ``model`` (and ``usage_options``)
        rewritten when they must be."""
        if self.usage_options is not None:
            return orjson.dumps({**self.body, "model": model, "stream_options": self.usage_options})
        if self.raw is not None and self.body.get("model") == model:
            return self.raw
        return orjson.dumps({**self.body, "model": model})


class ChatService:
    def __init__(
        self,
        *,
        router: Router,
        clients: ProviderClients,
        dialects: Mapping[ApiType, Dialect],
        local: Backend | None,
        health: TargetHealth,
        budget: RetryBudget,
        policy: RetryPolicy,
    ) -> None:
        self._router = router
        self._clients = clients
        self._dialects = dialects
        self._local = local
        self._health = health
        self._budget = budget
        self._policy = policy

    async def serve(
        self,
        protocol: WireProtocol,
        body: dict[str, object],
        headers: Mapping[str, str],
        *,
        raw: bytes | None = None,
        record: RequestRecord | None = None,
    ) -> Response:
        """Serve a parsed body (``parse_body``); the caller has checked its shape and access.

        ``raw``, the body as received, is forwarded as it is when the target keeps the model
        name; ``record`` learns what served the request and its token counts."""
        plan = self._router.plan_route(requested_model(body))
        stream = body.get("stream") is True
        call = _Call(
            protocol=protocol,
            body=body,
            raw=raw,
            headers={k: headers[k] for k in FORWARDED_HEADERS if k in headers},
            stream=stream,
            record=record or RequestRecord(),
        )
        if stream and protocol.api_type is ApiType.OPENAI:
            call.usage_options = usage_options(body)

        async def attempt(target: ResolvedTarget) -> Response:
            provider = target.provider
            if provider is not None and provider.api_type is protocol.api_type:
                return await self._forward(call, target)
            return await self._translate(call, target)

        served = await serve_with_failover(
            plan.targets,
            attempt,
            strategy=plan.strategy,
            health=self._health,
            budget=self._budget,
            policy=self._policy,
            skipped=skipped_errors(plan.skipped),
        )
        target = served.target
        call.record.served_by(target, served.attempts)
        return name_the_server(served.value, target, served.attempts)

    async def _forward(self, call: _Call, target: ResolvedTarget) -> Response:
        provider = target.provider
        assert provider is not None
        protocol = call.protocol
        client = self._clients.get(provider)
        body = call.upstream_body(target.model)
        if call.stream:
            stream = await open_stream(
                client,
                path=protocol.chat_path,
                body=body,
                headers=call.headers,
                timeouts=target.timeouts,
                starts=protocol.starts_stream,
            )
            return EventStream(
                relay(
                    stream.first,
                    stream.rest,
                    stream_error=protocol.encode_stream_error,
                    record=call.record,
                    cut_usage=call.usage_options is not None,
                ),
                stream_error=protocol.encode_stream_error,
                status_code=stream.status,
                media_type=stream.content_type,
            )
        reply = await forward(
            client,
            path=protocol.chat_path,
            body=body,
            headers=call.headers,
            timeouts=target.timeouts,
            is_reply=protocol.is_reply,
        )
        read_document_usage(reply.document, call.record.tokens)
        return Response(reply.body, status_code=reply.status, media_type=reply.content_type)

    async def _translate(self, call: _Call, target: ResolvedTarget) -> Response:
        request = call.request()
        backend = self._backend(target)
        if call.stream:
            events = await prefetch(backend.stream(request, model=target.model), call.record)
            return EventStream(
                call.protocol.encode_stream(events, request),
                stream_error=call.protocol.encode_stream_error,
                media_type=SSE,
            )
        if isinstance(backend, HttpBackend):
            reply = await backend.complete(request, model=target.model)
        else:
            reply = await accumulate(backend.stream(request, model=target.model))
        call.record.took(reply.usage)
        return JSONReply(call.protocol.encode_response(reply))

    def _backend(self, target: ResolvedTarget) -> Backend | HttpBackend:
        provider = target.provider
        if provider is None:
            if self._local is None:
                raise ModelNotFound("The local engine is not available on this server.")
            return self._local
        return HttpBackend(
            client=self._clients.get(provider),
            dialect=self._dialects[provider.api_type],
            timeouts=target.timeouts,
        )


def name_the_server(response: Response, target: ResolvedTarget, attempts: int) -> Response:
    """Headers saying which provider and model served, after how many attempts."""
    provider = target.provider
    response.headers[PROVIDER_HEADER] = provider.name if provider is not None else "local"
    response.headers[MODEL_HEADER] = target.model
    response.headers[ATTEMPTS_HEADER] = str(attempts)
    return response


def error_response(protocol: WireProtocol, exc: GatewayError) -> JSONReply:
    headers: dict[str, str] = {}
    retry_after = getattr(exc, "retry_after", None)
    if retry_after is not None:
        headers["retry-after"] = str(max(1, round(retry_after)))
    attempts = getattr(exc, "attempts", None)
    if attempts is not None:
        headers[ATTEMPTS_HEADER] = str(len(attempts))
    if exc.should_retry is not None:
        headers[SHOULD_RETRY_HEADER] = "true" if exc.should_retry else "false"
    return JSONReply(protocol.encode_error(exc), status_code=exc.status, headers=headers)
