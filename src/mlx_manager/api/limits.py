"""Bad input caps: body size for every request, JSON nesting of every ``/v1`` JSON body, and
message/tool counts of chats.

The size cap is a pure ASGI middleware: a declared ``Content-Length`` over the cap is refused
before a byte is read, and a body that grows past it while streaming in is cut off there. Either
way the caller gets 413 in its own shape: OpenAI's or Anthropic's on ``/v1``, ``{"detail"}``
elsewhere. The shape checks run once per request on the parsed body, before decoding.
"""

from __future__ import annotations

from collections.abc import Awaitable, Mapping

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

    def __call__(self, scope: Scope, receive: Receive, send: Send) -> Awaitable[None]:
        if scope["type"] != "http":
            return self.app(scope, receive, send)
        declared = _content_length(scope)
        if declared is None:
            return self._capped(scope, receive, send)
        if declared > self.max_bytes:
            return refusal(scope["path"], self._too_large())(scope, receive, send)
        # The server reads exactly the declared length as the body, so the app is called as it
        # is: no wrappers, and no frame of ours that a stream would resume for each chunk.
        return self.app(scope, receive, send)

    def _too_large(self) -> PayloadTooLarge:
        return PayloadTooLarge(
            f"The request body is larger than this server's cap of {self.max_bytes} bytes"
            " (MLX_MANAGER_MAX_BODY_BYTES)."
        )

    async def _capped(self, scope: Scope, receive: Receive, send: Send) -> None:
        """A body of undeclared length (chunked): counted as it comes, and cut off at the cap."""
        too_large = self._too_large()
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

        def guarded_send(message: Message) -> Awaitable[None]:
            nonlocal started
            if exceeded:
                return _sent()  # the app's own answer to a cut-off body is replaced by the 413
            started = started or message["type"] == "http.response.start"
            return send(message)

        try:
            await self.app(scope, capped_receive, guarded_send)
        except PayloadTooLarge:
            if not exceeded:
                raise
        if exceeded and not started:
            await refusal(scope["path"], too_large)(scope, receive, send)


async def _sent() -> None:
    return None


def _content_length(scope: Scope) -> int | None:
    """The declared body length; None when there is none, or a ``Transfer-Encoding`` that
    overrides it (RFC 9112 6.3), so that the body is counted as it comes."""
    length = None
    for name, value in scope["headers"]:
        if name == b"content-length":
            try:
                length = int(value)
            except ValueError:
                return None
        elif name == b"transfer-encoding":
            return None
    return length
