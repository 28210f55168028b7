"""Bad input caps: body size for every request, JSON nesting of every ``/v1`` JSON body, and
message/tool counts of chats.

The size cap is a pure ASGI middleware: a declared ``Content-Length`` over the cap is refused
before a byte is read, and a body that grows past it while streaming in is cut off there. Either
way the caller gets 413 in its own shape: OpenAI's or Anthropic's on ``/v1``, ``{"detail"}``
elsewhere. The shape checks run once per request on the parsed body, before decoding.
"""

from __future__ import annotations

from collections.abc import Mapping

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from mlx_manager.api.errors import refusal
from mlx_manager.errors import InvalidRequest, PayloadTooLarge


def check_chat_shape(
    body: Mapping[str, object], *, max_messages: int, max_tools: int, max_depth: int
) -> None:
    """Refuse a chat body with too many messages (a Responses body's ``input`` items) or tools,
    or nested too deep."""
    for field, cap in (("messages", max_messages), ("input", max_messages), ("tools", max_tools)):
        items = body.get(field)
        if isinstance(items, list) and len(items) > cap:
            raise InvalidRequest(
                f"'{field}' holds {len(items)} items; this server accepts at most {cap}.",
                param=field,
            )
    check_json_depth(body, max_depth=max_depth)


def check_json_depth(body: object, *, max_depth: int) -> None:
    """Refuse a parsed JSON body nested deeper than ``max_depth``: every ``/v1`` JSON route
    checks it before the body goes anywhere (a re-encode fails far deeper, with a 500)."""
    if json_depth(body, limit=max_depth) > max_depth:
        raise InvalidRequest(
            f"The request body nests deeper than {max_depth} levels (MLX_MANAGER_MAX_JSON_DEPTH);"
            " flatten it."
        )


def json_depth(value: object, *, limit: int) -> int:
    """Nesting depth of parsed JSON, walked without recursion; stops counting past ``limit``."""
    deepest = 0
    stack: list[tuple[object, int]] = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > deepest:
            deepest = depth
            if deepest > limit:
                return deepest
        if isinstance(node, dict):
            stack.extend((child, depth + 1) for child in node.values() if _container(child))
        elif isinstance(node, list):
            stack.extend((child, depth + 1) for child in node if _container(child))
    return deepest


def _container(value: object) -> bool:
    return isinstance(value, dict | list)


class BodySizeLimit:
    def __init__(self, app: ASGIApp, *, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        too_large = PayloadTooLarge(
            f"The request body is larger than this server's cap of {self.max_bytes} bytes"
            " (MLX_MANAGER_MAX_BODY_BYTES)."
        )
        declared = _content_length(scope)
        if declared is not None and declared > self.max_bytes:
            await refusal(scope["path"], too_large)(scope, receive, send)
            return
        received = 0
        exceeded = False
        started = False

        async def capped_receive() -> Message:
            nonlocal received, exceeded
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    exceeded = True
                    raise too_large
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal started
            if exceeded:
                return  # the app's own answer to a cut-off body is replaced by the 413
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, capped_receive, guarded_send)
        except PayloadTooLarge:
            if not exceeded:
                raise
        if exceeded and not started:
            await refusal(scope["path"], too_large)(scope, receive, send)


def _content_length(scope: Scope) -> int | None:
    for name, value in scope["headers"]:
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None
