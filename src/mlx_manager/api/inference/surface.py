"""The rest of ``/v1``: the protocol a caller off the chat paths speaks, and unknown paths and
wrong methods answered in that protocol's shape rather than as FastAPI's ``{"detail": ...}``.

The protocol is the path's (``protocols.table.protocol_of_path``: Anthropic's under
``/v1/messages``, OpenAI's elsewhere), except that a request carrying ``anthropic-version`` is
an Anthropic client's wherever it goes: Anthropic's SDKs send that header on every call, as
Anthropic's API requires, and OpenAI's SDKs never do. ``x-api-key`` decides nothing, since the
gateway takes a key in either header from either kind of client.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from fastapi import FastAPI, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.routing import APIRoute, APIRouter
from starlette.exceptions import HTTPException
from starlette.responses import Response
from starlette.routing import Match

from mlx_manager.api.inference.replies import error_response
from mlx_manager.errors import GatewayError, MethodNotAllowed, NotFound
from mlx_manager.protocols.table import ANTHROPIC, WireProtocol, protocol_of_path

ANTHROPIC_VERSION = "anthropic-version"
PREFIX = "/v1"


def caller_protocol(path: str, headers: Mapping[str, str]) -> WireProtocol:
    """The protocol to answer a ``/v1`` request off the chat paths in."""
    return ANTHROPIC if ANTHROPIC_VERSION in headers else protocol_of_path(path)


def install_unknown_path_handler(app: FastAPI, routers: Iterable[APIRouter]) -> None:
    """Answer a ``/v1`` path that no route of ``routers`` (the ``/v1`` ones) serves (404) or a
    method its routes do not take (405, with ``Allow``) in the caller's protocol; everything
    else as FastAPI does."""
    # Read from the routers themselves: the app's own route list holds included routers as
    # FastAPI's private wrappers.
    routes = [route for router in routers for route in router.routes if isinstance(route, APIRoute)]
    paths = sorted({route.path_format for route in routes})

    async def on_http_exception(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        path = request.url.path
        if exc.status_code not in (404, 405) or not (path == PREFIX or path.startswith("/v1/")):
            return await http_exception_handler(request, exc)
        allowed = _methods_serving(routes, request)
        error: GatewayError
        if not allowed:
            error = NotFound(
                f"Nothing is served at {request.method} {path}. The gateway's /v1 paths:"
                f" {', '.join(paths)}."
            )
        elif request.method not in allowed:
            error = MethodNotAllowed(
                f"{path} does not take {request.method}; it takes {', '.join(allowed)}."
            )
        else:  # a route's own 404
            error = NotFound(str(exc.detail))
        reply = error_response(caller_protocol(path, request.headers), error)
        if isinstance(error, MethodNotAllowed):
            reply.headers["allow"] = ", ".join(allowed)
        return reply

    app.add_exception_handler(HTTPException, on_http_exception)


def _methods_serving(routes: list[APIRoute], request: Request) -> list[str]:
    """The methods the routes take at the request's path."""
    methods: set[str] = set()
    for route in routes:
        if route.matches(request.scope)[0] is not Match.NONE:
            methods |= route.methods or set()
    return sorted(methods)
