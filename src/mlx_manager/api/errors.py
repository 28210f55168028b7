"""The one place where errors become management-API responses, and where a refusal takes the
shape of the path it answers.

``/api`` answers ``{"detail": message, "code": code}``; field errors answer 422 in FastAPI's
own shape (``detail`` is a list of ``{loc, msg, type}``) so clients need to know only one.
``/v1`` answers in the caller's protocol (``refusal``).

A database that is down or past its timeouts (``storage/database.py``) is a 503
``database_unavailable`` in that shape, never a bare "Internal Server Error":
``DatabaseOutage`` is middleware around FastAPI's routes; the chat lane, whose only database
call is a UI session's check, answers the same way from ``chat_endpoint``.
"""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from mlx_manager.api.inference.replies import error_response
from mlx_manager.errors import GatewayError
from mlx_manager.observability.record import RECORD_KEY, RequestRecord
from mlx_manager.protocols.table import protocol_of_path
from mlx_manager.providers.validation import InvalidFields

log = logging.getLogger(__name__)


class DatabaseUnavailable(GatewayError):
    status_code = 503
    code = "database_unavailable"
    retry_after = 5.0


def gateway_error_response(exc: GatewayError) -> JSONResponse:
    headers: dict[str, str] = {}
    if exc.retry_after is not None:
        headers["retry-after"] = str(max(1, round(exc.retry_after)))
    return JSONResponse(
        {"detail": exc.message, "code": exc.code}, status_code=exc.status, headers=headers
    )


def refusal(path: str, exc: GatewayError) -> JSONResponse:
    """``exc`` in the shape the caller of ``path`` reads."""
    if path.startswith("/v1/"):
        return error_response(protocol_of_path(path), exc)
    return gateway_error_response(exc)


def database_trouble(exc: BaseException) -> bool:
    """Whether ``exc`` says the database is away (down, frozen, out of connections), not that
    a statement was wrong."""
    if isinstance(exc, OperationalError | InterfaceError | PoolTimeout):
        return True
    return isinstance(exc, DBAPIError) and exc.connection_invalidated


class DatabaseOutage:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        record = scope.get("state", {}).get(RECORD_KEY)
        started = False
        replying = send
        if not isinstance(record, RequestRecord):
            # Off /v1 there is no record that saw the reply start: watch for it here.
            async def watched_send(message: Message) -> None:
                nonlocal started
                started = started or message["type"] == "http.response.start"
                await send(message)

            replying = watched_send
            record = None
        try:
            await self.app(scope, receive, replying)
        except Exception as exc:
            if started or (record is not None and record.status) or not database_trouble(exc):
                raise
            unavailable = database_unavailable(scope, exc)
            if record is not None:
                record.failed(unavailable)
            await refusal(scope["path"], unavailable)(scope, receive, send)


def database_unavailable(scope: Scope, exc: Exception) -> DatabaseUnavailable:
    """What a caller is told while the database is away (``database_trouble``), logged once."""
    # One line, not a traceback per request while the database is away.
    log.warning(
        "The database is unavailable (%s %s): %s",
        scope["method"],
        scope["path"],
        str(exc).splitlines()[0] if str(exc) else type(exc).__name__,
    )
    return DatabaseUnavailable(
        f"The database is not answering ({type(exc).__name__}); try again shortly."
        " GET /ready says what is wrong."
    )


def install_admin_error_handlers(app: FastAPI) -> None:
    async def on_gateway_error(_request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, GatewayError)
        return gateway_error_response(exc)

    async def on_invalid_fields(_request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, InvalidFields)
        detail = [
            {"loc": ["body", e.field], "msg": e.message, "type": "value_error"} for e in exc.errors
        ]
        return JSONResponse({"detail": detail}, status_code=422)

    async def on_invalid_request(_request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RequestValidationError)
        # FastAPI would echo each field's ``input``: a mistyped API key or password must not
        # come back in a response (or reach a log that records responses).
        detail = [
            {"loc": list(e.get("loc", ())), "msg": e.get("msg", ""), "type": e.get("type", "")}
            for e in exc.errors()
        ]
        return JSONResponse({"detail": detail}, status_code=422)

    app.add_exception_handler(GatewayError, on_gateway_error)
    app.add_exception_handler(InvalidFields, on_invalid_fields)
    app.add_exception_handler(RequestValidationError, on_invalid_request)
