"""``POST /v1/chat/completions`` (OpenAI) and ``POST /v1/messages`` (Anthropic)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from mlx_manager.api.deps import StateDep
from mlx_manager.api.inference.chat_service import error_response
from mlx_manager.api.inference.wire_protocols import ANTHROPIC, OPENAI, WireProtocol
from mlx_manager.errors import GatewayError

router = APIRouter(prefix="/v1", tags=["inference"])


async def _serve(protocol: WireProtocol, request: Request, state: StateDep) -> Response:
    try:
        return await state.chat.serve(protocol, await request.body(), request.headers)
    except GatewayError as exc:
        return error_response(protocol, exc)


@router.post("/chat/completions", summary="OpenAI chat completions")
async def chat_completions(request: Request, state: StateDep) -> Response:
    return await _serve(OPENAI, request, state)


@router.post("/messages", summary="Anthropic messages")
async def messages(request: Request, state: StateDep) -> Response:
    return await _serve(ANTHROPIC, request, state)
