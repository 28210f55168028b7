"""``POST /v1/embeddings``: forwarded to OpenAI-protocol providers, following the route."""

from __future__ import annotations

import orjson
from fastapi import APIRouter, Request
from starlette.responses import Response

from mlx_manager.api.deps import StateDep
from mlx_manager.api.inference.access import OpenAICaller, note_caller
from mlx_manager.api.inference.chat_service import (
    error_response,
    name_the_server,
    parse_body,
    requested_model,
    skipped_errors,
)
from mlx_manager.api.inference.wire_protocols import OPENAI
from mlx_manager.api.limits import check_json_depth
from mlx_manager.backends.http.passthrough import forward
from mlx_manager.errors import GatewayError, ModelNotFound
from mlx_manager.observability.record import record_of
from mlx_manager.observability.usage import read_document_usage
from mlx_manager.protocols.openai.response import is_embeddings_reply
from mlx_manager.providers.catalogue import ApiType
from mlx_manager.routing.failover import serve_with_failover
from mlx_manager.routing.router import ResolvedTarget

router = APIRouter(prefix="/v1", tags=["inference"])


@router.post("/embeddings", summary="OpenAI embeddings")
async def embeddings(request: Request, state: StateDep, caller: OpenAICaller) -> Response:
    record = record_of(request.scope)
    note_caller(record, caller, state.keys)
    try:
        body = parse_body(await request.body())
        check_json_depth(body, max_depth=state.settings.max_json_depth)
        record.asked(body)
        model = requested_model(body)
        caller.check_model(model)
        plan = state.router.plan_route(model)

        async def attempt(target: ResolvedTarget) -> Response:
            provider = target.provider
            if provider is None or provider.api_type is not ApiType.OPENAI:
                raise ModelNotFound(f"{target.label} does not serve embeddings.")
            reply = await forward(
                state.clients.get(provider),
                path="/v1/embeddings",
                body=orjson.dumps({**body, "model": target.model}),
                headers={},
                timeouts=target.timeouts,
                is_reply=is_embeddings_reply,
            )
            read_document_usage(reply.document, record.tokens)
            return Response(reply.body, status_code=reply.status, media_type=reply.content_type)

        served = await serve_with_failover(
            plan.targets,
            attempt,
            strategy=plan.strategy,
            health=state.health,
            budget=state.retry_budget,
            policy=state.retry_policy,
            skipped=skipped_errors(plan.skipped),
        )
    except GatewayError as exc:
        record.failed(exc)
        return error_response(OPENAI, exc)
    target = served.target
    record.served_by(target, served.attempts)
    return name_the_server(served.value, target, served.attempts)
