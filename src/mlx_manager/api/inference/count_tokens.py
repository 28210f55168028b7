"""``POST /v1/messages/count_tokens`` (Anthropic): a prompt's input tokens, counted by the target
its model routes to (``gateway/token_count.py`` says how each kind counts)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from mlx_manager.api.deps import StateDep
from mlx_manager.api.inference.access import AnthropicCaller, note_caller
from mlx_manager.api.inference.chat import checked_inbound
from mlx_manager.api.inference.replies import error_response
from mlx_manager.errors import GatewayError
from mlx_manager.observability.record import record_of
from mlx_manager.protocols.table import ANTHROPIC

router = APIRouter(prefix="/v1", tags=["inference"])


@router.post("/messages/count_tokens", summary="Anthropic token count")
async def count_tokens(request: Request, state: StateDep, caller: AnthropicCaller) -> Response:
    record = record_of(request.scope)
    note_caller(record, caller, state.keys)
    try:
        inbound = checked_inbound(
            ANTHROPIC,
            await request.body(),
            request.scope["headers"],
            state=state,
            caller=caller,
            record=record,
        )
        count = await state.token_counter.count(inbound)
    except GatewayError as exc:
        record.failed(exc)
        return error_response(ANTHROPIC, exc)
    return Response(f'{{"input_tokens":{count}}}', media_type="application/json")
