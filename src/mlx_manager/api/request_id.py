"""``X-Request-ID`` on every response: the caller's, or a new one. Pure ASGI, no extra task."""

from __future__ import annotations

import random
from collections.abc import Awaitable

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from mlx_manager.observability.log_format import request_id_var

HEADER = b"x-request-id"


class RequestIdMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = _incoming(scope) or new_request_id()
        scope.setdefault("state", {})["request_id"] = request_id
        encoded = request_id.encode()

        # Hands back send's awaitable: no frame of its own for each chunk of a stream.
        def send_with_id(message: Message) -> Awaitable[None]:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), (HEADER, encoded)]
            return send(message)

        # Log lines written while the request is served carry its id.
        token = request_id_var.set(request_id)
        try:
            await self.app(scope, receive, send_with_id)
        finally:
            request_id_var.reset(token)


def new_request_id() -> str:
    """32 hex digits. Ids need to be unique, not unguessable: no system call per request."""
    return f"{random.getrandbits(128):032x}"


def _incoming(scope: Scope) -> str | None:
    for name, value in scope["headers"]:
        if name == HEADER:
            text: str = value.decode("latin-1")
            # Echo only what is safe in a header and a log line.
            if 0 < len(text) <= 128 and text.isprintable():
                return text
            return None
    return None
