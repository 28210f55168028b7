"""The browser boundary: what a web page the user happens to visit may not make the browser do.

With no gateway keys on loopback (the default) ``/v1`` serves anyone who reaches it, and a
browser reaches it for any page it shows. Three checks, each a few set lookups per request
from sets built at start-up:

- ``Host`` must be one of this server's names: the loopback names, the bound host, the address
  the connection reached, and ``MLX_MANAGER_ALLOWED_HOSTS``. A page whose own name was made to
  resolve to 127.0.0.1 (DNS rebinding) sends its own name, and gets 421 instead of replies it
  could read. A wildcard bind (``0.0.0.0``, ``::``) is reached under names this server cannot
  know (containers, LAN names, proxies), so there only the allow-list, when set, is enforced.
  Every path is checked: ``/metrics`` and ``/ready`` are open too.
- ``Origin``, on ``/v1``: a request a browser sends for a page of another origin is refused
  (403) unless that origin is in ``MLX_MANAGER_ALLOWED_ORIGINS``; the UI's own origin (the
  request's own host and port) always passes. Allowed origins get CORS headers, and their
  preflights an answer. Browsers send ``Origin`` on every cross-origin request and every POST,
  so form posts and ``text/plain`` fetches, which skip the preflight, are caught here.
- ``Content-Type``, on ``/v1`` POSTs: a declared type must be ``application/json`` (415
  otherwise), so no body a form can send is read as JSON. A body without a declared type, which
  no browser sends without ``Origin``, is still read as JSON, for scripts that omit it.

Refusals are answered in the path's shape (``api/errors.refusal``). The proxy in front of the
server is trusted to pass ``Host`` on: ``X-Forwarded-Host`` is not read, so a proxy that
rewrites ``Host`` to this server's address passes, and one that keeps the public name needs
that name in ``MLX_MANAGER_ALLOWED_HOSTS``.
"""

from __future__ import annotations

from collections.abc import Awaitable

from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from mlx_manager.api.errors import refusal
from mlx_manager.errors import Forbidden, GatewayError
from mlx_manager.observability.record import record_of
from mlx_manager.settings import Settings

PREFIX = "/v1/"
LOOPBACK_NAMES = ("127.0.0.1", "localhost", "[::1]")
_WILDCARD_BINDS = frozenset({"0.0.0.0", "::", "[::]", "", "*"})  # noqa: S104 (names, not a bind)
# Headers a page of an allowed origin may read from a reply, past the CORS-safelisted ones.
_EXPOSED = (
    b"x-request-id, x-mlx-manager-provider, x-mlx-manager-model, x-mlx-manager-attempts,"
    b" retry-after"
)
_PASSED_CAP = 64
# Seconds a browser may keep a preflight's answer.
_PREFLIGHT_MAX_AGE = b"600"


class MisdirectedRequest(GatewayError):
    status_code = 421
    code = "misdirected_request"


class UnsupportedMediaType(GatewayError):
    status_code = 415
    code = "unsupported_media_type"


class BrowserBoundary:
    def __init__(self, app: ASGIApp, *, settings: Settings) -> None:
        self.app = app
        hosts = [_host_name(entry.strip().lower().encode()) for entry in settings.allowed_hosts]
        bound = _host_name(settings.host.lower().encode())
        self._any_host = b"*" in hosts or (
            bound.decode() in _WILDCARD_BINDS and not settings.allowed_hosts
        )
        self._hosts = frozenset(
            {name.encode() for name in LOOPBACK_NAMES}
            | {bound}
            | {h for h in hosts if not h.startswith(b"*")}
        )
        self._host_suffixes = tuple(h[1:] for h in hosts if h.startswith(b"*."))
        # Host values seen and allowed by the names above (bounded: a caller picks the value).
        self._passed: set[bytes] = set()
        origins = {o.strip().rstrip("/").lower().encode() for o in settings.allowed_origins}
        self._any_origin = b"*" in origins
        self._origins = frozenset(origins)

    # It decides from the headers alone, so it hands back the awaitable that answers rather than
    # awaiting it: no frame of its own on the await chain, which a stream resumes per chunk.
    def __call__(self, scope: Scope, receive: Receive, send: Send) -> Awaitable[None]:
        if scope["type"] != "http":
            return self.app(scope, receive, send)
        host = origin = content_type = preflight = None
        for name, value in scope["headers"]:
            if name == b"host":
                host = value
            elif name == b"origin":
                origin = value
            elif name == b"content-type":
                content_type = value
            elif name == b"access-control-request-method":
                preflight = value
        path: str = scope["path"]
        if host is not None and not self._any_host and not self._known_host(host, scope):
            return self._refuse(scope, receive, send, _misdirected(host))
        if not path.startswith(PREFIX):
            return self.app(scope, receive, send)
        method: str = scope["method"]
        if origin is not None:
            origin = origin.lower()
            same_origin = host is not None and origin.partition(b"://")[2] == host.lower()
            if not same_origin and not self._any_origin and origin not in self._origins:
                return self._refuse(scope, receive, send, _foreign(origin))
            if method == "OPTIONS" and preflight is not None:
                return _preflight(scope, origin)(scope, receive, send)
            if not same_origin:
                send = _with_cors(send, origin)
        if content_type is not None and method == "POST" and not _is_json(content_type):
            return self._refuse(scope, receive, send, _not_json(content_type))
        return self.app(scope, receive, send)

    def _known_host(self, host: bytes, scope: Scope) -> bool:
        if host in self._passed:
            return True
        name = _host_name(host.lower())
        if name in self._hosts or (self._host_suffixes and name.endswith(self._host_suffixes)):
            # Callers send the same few Host values: each is judged once.
            if len(self._passed) < _PASSED_CAP:
                self._passed.add(host)
            return True
        # The address the connection reached names this server under any bind.
        server = scope.get("server")
        return server is not None and _host_name(str(server[0]).encode()) == name

    @staticmethod
    async def _refuse(scope: Scope, receive: Receive, send: Send, exc: GatewayError) -> None:
        record_of(scope).failed(exc)
        await refusal(scope["path"], exc)(scope, receive, send)


def _host_name(value: bytes) -> bytes:
    """The name part of a ``Host`` value or address, IPv6 literals in brackets, without a port
    or a final dot."""
    if value.startswith(b"["):
        return value[: value.find(b"]") + 1]
    if value.count(b":") > 1:
        return b"[" + value + b"]"  # a bare IPv6 address, as an ASGI server names itself
    return value.partition(b":")[0].rstrip(b".")


def _is_json(content_type: bytes) -> bool:
    return content_type.partition(b";")[0].strip().lower() == b"application/json"


def _with_cors(send: Send, origin: bytes) -> Send:
    def cors_send(message: Message) -> Awaitable[None]:
        if message["type"] == "http.response.start":
            message["headers"] = [
                *message.get("headers", []),
                (b"access-control-allow-origin", origin),
                (b"access-control-expose-headers", _EXPOSED),
                (b"vary", b"Origin"),
            ]
        return send(message)

    return cors_send


def _preflight(scope: Scope, origin: bytes) -> Response:
    headers = {
        "access-control-allow-origin": origin.decode("latin-1"),
        "access-control-allow-methods": "GET, POST",
        "access-control-max-age": _PREFLIGHT_MAX_AGE.decode(),
        "vary": "Origin",
    }
    for name, value in scope["headers"]:
        if name == b"access-control-request-headers":
            headers["access-control-allow-headers"] = value.decode("latin-1")
    return Response(status_code=204, headers=headers)


def _shown(value: bytes) -> str:
    # Caller-chosen text, echoed in a JSON error only: cut short, control characters dropped.
    return "".join(c for c in value[:100].decode("latin-1") if c.isprintable())


def _misdirected(host: bytes) -> MisdirectedRequest:
    return MisdirectedRequest(
        f"This server does not answer to the name '{_shown(host)}'. If that is one of its"
        " names, add it to MLX_MANAGER_ALLOWED_HOSTS."
    )


def _foreign(origin: bytes) -> Forbidden:
    return Forbidden(
        f"Web pages from '{_shown(origin)}' may not call /v1. To let them, add that origin to"
        " MLX_MANAGER_ALLOWED_ORIGINS."
    )


def _not_json(content_type: bytes) -> UnsupportedMediaType:
    return UnsupportedMediaType(
        f"This endpoint takes JSON: send 'Content-Type: application/json', not"
        f" '{_shown(content_type)}'."
    )
