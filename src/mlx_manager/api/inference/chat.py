"""``POST /v1/chat/completions`` (OpenAI), ``POST /v1/messages`` (Anthropic) and
``POST /v1/responses`` (OpenAI's Responses API)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable

from fastapi import APIRouter, Request
from starlette.requests import ClientDisconnect
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from mlx_manager.api.deps import StateDep
from mlx_manager.api.errors import database_trouble, database_unavailable
from mlx_manager.api.inference.access import (
    AnthropicCaller,
    Caller,
    CallRefused,
    OpenAICaller,
    admit,
    note_caller,
)
from mlx_manager.api.inference.event_stream import EventStream, HangUp, server_stopped
from mlx_manager.api.inference.replies import encode_answer, error_response
from mlx_manager.api.inference.stored_responses import owner_of
from mlx_manager.api.inference.stored_responses import router as stored_responses_router
from mlx_manager.api.limits import check_chat_shape
from mlx_manager.api.state import AppState
from mlx_manager.errors import GatewayError
from mlx_manager.gateway.inbound import Inbound, read_inbound
from mlx_manager.observability.record import RequestRecord, record_of
from mlx_manager.protocols.table import ANTHROPIC, CLIENT_PROTOCOLS, OPENAI, RESPONSES, WireProtocol

router = APIRouter(prefix="/v1", tags=["inference"])


def checked_inbound(
    protocol: WireProtocol,
    raw: bytes,
    headers: Iterable[tuple[bytes, bytes]],
    *,
    state: AppState,
    caller: Caller,
    record: RequestRecord,
) -> Inbound:
    """A chat-shaped request read once and checked: within the caps, for a model the caller may
    ask for."""
    inbound = read_inbound(protocol, raw, record=record, headers=headers)
    _check_shape(inbound, state)
    caller.check_model(inbound.model)
    return inbound


def _check_shape(inbound: Inbound, state: AppState) -> None:
    settings = state.settings
    check_chat_shape(
        inbound.body,
        max_messages=settings.max_messages,
        max_tools=settings.max_tools,
        max_depth=settings.max_json_depth,
    )


async def _serve(
    protocol: WireProtocol,
    raw: bytes,
    headers: Iterable[tuple[bytes, bytes]],
    *,
    state: AppState,
    caller: Caller,
    record: RequestRecord,
) -> Response:
    note_caller(record, caller, state.keys)
    try:
        inbound = checked_inbound(protocol, raw, headers, state=state, caller=caller, record=record)
        if protocol is RESPONSES:
            await _conversation(inbound, state=state, caller=caller)
        answer = await state.gateway.chat(inbound)
        # A translated reply is encoded here; one the caller's protocol cannot carry (tool-call
        # arguments that are no JSON object, for an Anthropic caller) is an error in its shape.
        return encode_answer(inbound, answer, prices=state.observer.prices)
    except GatewayError as exc:
        record.failed(exc)
        return error_response(protocol, exc)


async def _conversation(inbound: Inbound, *, state: AppState, caller: Caller) -> None:
    """The stored conversation before a Responses request's input, and its response stored;
    no database call unless it continues one, and no decoding (a relayed request needs none)."""
    await state.responses.prepare(inbound, owner_of(caller))
    if isinstance(inbound.body.get("previous_response_id"), str):
        # The caps hold for the whole conversation the provider will receive.
        _check_shape(inbound, state)


async def _route(
    protocol: WireProtocol, request: Request, state: AppState, caller: Caller
) -> Response:
    raw = await request.body()
    record = record_of(request.scope)
    headers = request.scope["headers"]
    return await _serve(protocol, raw, headers, state=state, caller=caller, record=record)


@router.post("/chat/completions", summary="OpenAI chat completions")
async def chat_completions(request: Request, state: StateDep, caller: OpenAICaller) -> Response:
    return await _route(OPENAI, request, state, caller)


@router.post("/messages", summary="Anthropic messages")
async def messages(request: Request, state: StateDep, caller: AnthropicCaller) -> Response:
    return await _route(ANTHROPIC, request, state, caller)


@router.post("/responses", summary="OpenAI responses")
async def responses(request: Request, state: StateDep, caller: OpenAICaller) -> Response:
    # OpenAICaller: a refusal in OpenAI's error shape, which is the Responses API's too.
    return await _route(RESPONSES, request, state, caller)


router.include_router(stored_responses_router)

CHAT_PATHS = CLIENT_PROTOCOLS


async def chat_endpoint(scope: Scope, receive: Receive, send: Send) -> None:
    """The chat endpoints as a bare ASGI app, for ``GatewayApp``'s chat lane: the same
    ``_serve`` as the routes above, without FastAPI's routing and dependency injection.

    From the end of the request body to the end of the reply, a caller that hangs up cancels
    the request (``HangUp``): its upstream call or stream is closed, and the request ends with
    nothing more sent, which the recorder logs as a hang-up. The server's own cancellation (the
    drain timeout on SIGTERM) is answered in the protocol's shape before it goes on."""
    protocol = CHAT_PATHS[scope["path"]]
    request = Request(scope, receive)
    state: AppState = scope["app"].state.mm
    try:
        caller = await admit(protocol, request, state)
    except CallRefused as refused:
        await error_response(refused.protocol, refused.error)(scope, receive, send)
        return
    except Exception as exc:
        # A UI session is checked in the database: the one call here that needs it.
        if not database_trouble(exc):
            raise
        unavailable = database_unavailable(scope, exc)
        record_of(scope).failed(unavailable)
        await error_response(protocol, unavailable)(scope, receive, send)
        return
    try:
        raw = await request.body()
    except ClientDisconnect:
        return
    record = record_of(scope)
    hang_up = HangUp(receive)
    try:
        try:
            response = await _serve(
                protocol,
                raw,
                scope["headers"],
                state=state,
                caller=caller,
                record=record,
            )
        except asyncio.CancelledError:
            if hang_up.ended():
                return
            await error_response(protocol, server_stopped())(scope, receive, send)
            raise
        if isinstance(response, EventStream):
            response.hang_up = hang_up
        try:
            await response(scope, receive, send)
        except asyncio.CancelledError:
            if not hang_up.ended():
                raise
    finally:
        hang_up.stop()
