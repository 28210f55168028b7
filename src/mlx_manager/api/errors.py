"""The one place where errors become management-API responses.

``/api`` answers ``{"detail": message, "code": code}``; field errors answer 422 in FastAPI's
own shape (``detail`` is a list of ``{loc, msg, type}``) so clients need to know only one.
"""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from mlx_manager.errors import GatewayError
from mlx_manager.providers.validation import InvalidFields


def gateway_error_response(exc: GatewayError) -> JSONResponse:
    headers: dict[str, str] = {}
    if exc.retry_after is not None:
        headers["retry-after"] = str(max(1, round(exc.retry_after)))
    return JSONResponse(
        {"detail": exc.message, "code": exc.code}, status_code=exc.status, headers=headers
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
