"""What ``/v1`` sends back: the gateway's answer encoded in the caller's protocol, with headers
saying what served it, and errors in the protocol's own shape."""

from __future__ import annotations

from starlette.responses import Response

from mlx_manager.api.inference.event_stream import EventStream
from mlx_manager.api.inference.streaming import relay
from mlx_manager.api.json_reply import JSONReply
from mlx_manager.backends.http.passthrough import Reply
from mlx_manager.core import ChatResponse
from mlx_manager.errors import GatewayError
from mlx_manager.gateway.inbound import Inbound
from mlx_manager.gateway.results import Answer, EmbeddingsAnswer, Relayed
from mlx_manager.observability.pricing import PriceTable
from mlx_manager.protocols.table import WireProtocol
from mlx_manager.routing.router import ResolvedTarget

PROVIDER_HEADER = "x-mlx-manager-provider"
MODEL_HEADER = "x-mlx-manager-model"
ATTEMPTS_HEADER = "x-mlx-manager-attempts"
# What a non-streamed reply cost in USD; left out when the model is unpriced. A stream's cost is
# known only once its last byte went out, after the headers: the request log and /metrics have it.
COST_HEADER = "x-mlx-manager-cost-usd"
SHOULD_RETRY_HEADER = "x-should-retry"
# The betas a translated route could not honour: it sends the provider none of the caller's
# headers, so ``anthropic-beta`` stops at the gateway.
DROPPED_BETAS_HEADER = "x-mlx-manager-dropped-betas"
SSE = "text/event-stream"


def encode_answer(
    inbound: Inbound, answer: Answer | EmbeddingsAnswer, *, prices: PriceTable
) -> Response:
    protocol = inbound.protocol
    result = answer.value
    response: Response
    if isinstance(result, Reply):
        response = Response(result.body, status_code=result.status, media_type=result.content_type)
        _unmetered(inbound, result.body)
        _tell_the_cost(response, inbound, prices)
    elif isinstance(result, Relayed):
        # A stream with no usage in it is estimated from the prompt and the relayed bytes.
        inbound.record.request = inbound.request
        stream = result.relay
        response = EventStream(
            relay(
                stream.first,
                stream.rest,
                stream_error=protocol.encode_stream_error,
                record=inbound.record,
                cut_usage=result.cut_usage,
                whole_response=result.whole_response,
                keep=result.keep,
            ),
            stream_error=protocol.encode_stream_error,
            status_code=stream.status,
            media_type=stream.content_type,
        )
    else:
        # Only a translated reply was decoded, so only it can say what the decoding left out.
        request = inbound.request()
        if isinstance(result, ChatResponse):
            response = JSONReply(protocol.encode_response(result, request))
            _tell_the_cost(response, inbound, prices)
        else:
            response = EventStream(
                protocol.encode_stream(result.events, result.request),
                stream_error=protocol.encode_stream_error,
                media_type=SSE,
            )
        if protocol.reply_headers is not None:
            response.headers.update(protocol.reply_headers(request))
        betas = dropped_betas(inbound)
        if betas:
            response.headers[DROPPED_BETAS_HEADER] = ", ".join(betas)
    return name_the_server(response, answer.target, answer.attempts)


def dropped_betas(inbound: Inbound) -> list[str]:
    """The ``anthropic-beta`` names the caller sent, as the header lists them."""
    sent = inbound.headers.get("anthropic-beta", "")
    return [name for name in (part.strip() for part in sent.split(",")) if name]


def _unmetered(inbound: Inbound, body: bytes) -> None:
    """A reply without usage: keep what the estimate needs (the fast path parsed it already)."""
    tokens = inbound.record.tokens
    if tokens.input_tokens is None and tokens.output_tokens is None:
        tokens.unmetered = [body]
        inbound.record.request = inbound.request


def _tell_the_cost(response: Response, inbound: Inbound, prices: PriceTable) -> None:
    # The served target and the tokens are noted by now; the price is a dict lookup.
    cost = prices.settle(inbound.record)
    if cost is not None:
        response.headers[COST_HEADER] = f"{cost:.10f}".rstrip("0").rstrip(".") or "0"


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
