"""``POST /v1/embeddings``: relayed to providers whose protocol has embeddings, following the
route, through the gateway's one flow."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from mlx_manager.api.deps import StateDep
from mlx_manager.api.inference.access import OpenAICaller, note_caller
from mlx_manager.api.inference.replies import encode_answer, error_response
from mlx_manager.api.limits import check_json_depth
from mlx_manager.errors import GatewayError
from mlx_manager.gateway.inbound import read_inbound
from mlx_manager.observability.record import record_of
from mlx_manager.protocols.table import OPENAI

router = APIRouter(prefix="/v1", tags=["inference"])


@router.post("/embeddings", summary="OpenAI embeddings")
async def embeddings(request: Request, state: StateDep, caller: OpenAICaller) -> Response:
    record = record_of(request.scope)
    note_caller(record, caller, state.keys)
    try:
        inbound = read_inbound(OPENAI, await request.body(), record=record)
        check_json_depth(inbound.body, max_depth=state.settings.max_json_depth)
        caller.check_model(inbound.model)
        answer = await state.gateway.embeddings(inbound)
    except GatewayError as exc:
        record.failed(exc)
        return error_response(OPENAI, exc)
    return encode_answer(inbound, answer, prices=state.observer.prices)
