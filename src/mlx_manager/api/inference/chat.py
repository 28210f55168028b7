"""``POST /v1/chat/completions`` (OpenAI) and ``POST /v1/messages`` (Anthropic)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from mlx_manager.api.deps import StateDep
from mlx_manager.api.inference.access import (
    AnthropicCaller,
    Caller,
    CallRefused,
    OpenAICaller,
    admit,
    note_caller,
)
from mlx_manager.api.inference.chat_service import error_response, parse_body, requested_model
from mlx_manager.api.inference.wire_protocols import ANTHROPIC, OPENAI, WireProtocol
from mlx_manager.api.limits import check_chat_shape
from mlx_manager.errors import GatewayError
from mlx_manager.observability.record import record_of
from mlx_manager.state import AppState

router = APIRouter(prefix="/v1", tags=["inference"])


async def _serve(
    protocol: WireProtocol, request: Request, state: AppState, caller: Caller
) -> Response:
    record = record_of(request.scope)
    note_caller(record, caller, state.keys)
    try:
        raw = await request.body()
        body = parse_body(raw)
        record.asked(body)
        settings = state.settings
        check_chat_shape(
            body,
            max_messages=settings.max_messages,
            max_tools=settings.max_tools,
            max_depth=settings.max_json_depth,
        )
        caller.check_model(requested_model(body))
        response = await state.chat.serve(protocol, body, request.headers, raw=raw, record=record)
    except GatewayError as exc:
        record.failed(exc)
        return error_response(protocol, exc)
    return response


@router.post("/chat/completions", summary="OpenAI chat completions")
async def chat_completions(request: Request, state: StateDep, caller: OpenAICaller) -> Response:
    return await _serve(OPENAI, request, state, caller)


@router.post("/messages", summary="Anthropic messages")
async def messages(request: Request, state: StateDep, caller: AnthropicCaller) -> Response:
    return await _serve(ANTHROPIC, request, state, caller)


CHAT_PATHS = {"/v1/chat/completions": OPENAI, "/v1/messages": ANTHROPIC}


async def chat_endpoint(scope: Scope, receive: Receive, send: Send) -> None:
    """The two chat endpoints as a bare ASGI app, for ``GatewayApp``'s chat lane: the same
    ``_serve`` as the routes above, without FastAPI's routing and dependency injection."""
    protocol = CHAT_PATHS[scope["path"]]
    request = Request(scope, receive)
    state: AppState = scope["app"].state.mm
    response: Response
    try:
        caller = await admit(protocol, request, state)
    except CallRefused as refused:
        response = error_response(refused.protocol, refused.error)
    else:
        response = await _serve(protocol, request, state, caller)
    await response(scope, receive, send)
