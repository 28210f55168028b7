"""Who may call ``/v1``: gateway keys, checked from memory on every request.

A caller presents a key as ``Authorization: Bearer <key>`` (OpenAI SDKs) or ``x-api-key: <key>``
(Anthropic SDKs). With no unrevoked key at all, ``/v1`` is open while the server listens on
loopback only (or ``allow_open`` is set). The admin token and a signed-in user's session (the UI
playground) are let in too, without key limits; a session names its user, on an open server
too. Refusals are answered in the caller's protocol: a key presented and wrong is a 401
``invalid_api_key`` ("Invalid API key", ``x-should-retry: false``); "a gateway key is required"
only when none was presented.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, FastAPI, Request
from starlette.responses import JSONResponse

from mlx_manager.accounts.tokens import TOKEN_PREFIX
from mlx_manager.api.auth import Principal, bearer, identify, is_admin_token
from mlx_manager.api.deps import StateDep
from mlx_manager.api.inference.replies import error_response
from mlx_manager.api.state import AppState
from mlx_manager.errors import Forbidden, GatewayError, InvalidKey, Unauthorized
from mlx_manager.gateway_keys.keys import KEY_PREFIX, GatewayKey
from mlx_manager.gateway_keys.service import GatewayKeyService
from mlx_manager.observability.record import RequestRecord
from mlx_manager.protocols.table import ANTHROPIC, OPENAI, WireProtocol

INVALID_KEY = "Invalid API key"
ASK_FOR_KEY = "An admin creates keys on the Keys page (/keys) or with POST /api/keys."


@dataclass(frozen=True, slots=True)
class Caller:
    """Who is calling: ``key`` None for an open server, the admin token or a signed-in user;
    ``user_id`` the signed-in user's, so what is theirs (stored responses) stays theirs."""

    key: GatewayKey | None = None
    user_id: int | None = None

    def check_model(self, model: str) -> None:
        if self.key is not None and not self.key.allows_model(model):
            raise Forbidden(
                f"The gateway key '{self.key.name}' may not use the model '{model}'; ask an admin"
                " to add it to the key's model patterns.",
                param="model",
            )

    def allows_model(self, model: str) -> bool:
        return self.key is None or self.key.allows_model(model)


class CallRefused(Exception):
    """A ``/v1`` call refused before its handler ran, with the protocol to answer in."""

    def __init__(self, protocol: WireProtocol, error: GatewayError) -> None:
        super().__init__(error.message)
        self.protocol = protocol
        self.error = error


def install_refusal_handler(app: FastAPI) -> None:
    async def on_refused(_request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, CallRefused)
        return error_response(exc.protocol, exc.error)

    app.add_exception_handler(CallRefused, on_refused)


async def _caller(request: Request, state: AppState) -> Caller:
    headers = request.headers
    presented = bearer(headers.get("authorization")) or headers.get("x-api-key")
    keys = state.keys
    if presented is not None and presented.startswith(KEY_PREFIX):
        key = keys.table.find(presented)
        if key is None:
            raise InvalidKey(
                f"{INVALID_KEY}: this gateway key is unknown or revoked. {ASK_FOR_KEY}"
            )
        await keys.admit(key)
        return Caller(key=key)
    if len(keys.table) == 0 and state.open_without_keys:
        try:
            user = await identify(request, admin_token=state.admin_token, accounts=state.accounts)
        except Forbidden:
            # A cross-origin cookie: the open server serves the request, as nobody's.
            user = None
        return Caller(user_id=_user_id(user))
    if is_admin_token(presented, state.admin_token):
        return Caller()
    user = await identify(request, admin_token=state.admin_token, accounts=state.accounts)
    if user is not None:
        return Caller(user_id=_user_id(user))
    closed = (
        f"This server listens on {state.settings.host} and has no gateway keys, so /v1 is"
        " closed: an admin creates a key on the Keys page (/keys) or with POST /api/keys, or"
        " starts the server with --allow-open (MLX_MANAGER_ALLOW_OPEN=true) to serve anyone"
        " who can reach it."
    )
    # A key that is presented and wrong is said to be so: clients (Claude Code among them)
    # keep retrying a refusal that reads like a missing key.
    if presented is not None:
        reason = (
            "this session token has expired or was signed out; sign in again."
            if presented.startswith(TOKEN_PREFIX)
            else f"it is not a gateway key of this server. {ASK_FOR_KEY}"
        )
        raise InvalidKey(
            f"{INVALID_KEY}: {reason}" + (f" {closed}" if len(keys.table) == 0 else "")
        )
    if len(keys.table) == 0:
        raise Unauthorized(closed)
    raise Unauthorized(
        "A gateway key is required: send 'Authorization: Bearer <key>' or 'x-api-key: <key>'."
        f" {ASK_FOR_KEY}"
    )


def _user_id(principal: Principal | None) -> int | None:
    signed_in = principal.signed_in if principal is not None else None
    return signed_in.user.id if signed_in is not None else None


async def admit(protocol: WireProtocol, request: Request, state: AppState) -> Caller:
    try:
        return await _caller(request, state)
    except GatewayError as exc:
        raise CallRefused(protocol, exc) from None


async def openai_caller(request: Request, state: StateDep) -> Caller:
    return await admit(OPENAI, request, state)


async def anthropic_caller(request: Request, state: StateDep) -> Caller:
    return await admit(ANTHROPIC, request, state)


OpenAICaller = Annotated[Caller, Depends(openai_caller)]
AnthropicCaller = Annotated[Caller, Depends(anthropic_caller)]


def note_caller(record: RequestRecord, caller: Caller, keys: GatewayKeyService) -> None:
    """Name the key in the request log, and count the reply's tokens (read by the recorder from
    the reply's ``usage``) against the key's tokens-per-minute limit, if it has one."""
    key = caller.key
    if key is None:
        return
    record.api_key_name = key.name
    if key.tokens_per_minute is not None:
        key_id = key.id

        async def charge(tokens: int) -> None:
            await keys.record_tokens(key_id, tokens)

        record.charge = charge
