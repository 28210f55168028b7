"""Upstream failures mapped into the error tree, most specific class first.

Like httpx's ``map_httpcore_exceptions``: transport exceptions become ``UpstreamTimeout`` /
``UpstreamUnavailable`` / ``UpstreamError``; error statuses keep their status code and the
upstream's own message, prefixed with the provider that answered.

Upstream text is never trusted to be free of secrets (upstreams echo the headers they were
sent): every message built here, and every error raised inside ``TransportErrors`` (the
protocol decoders' included), goes through the credential's ``Redactor`` first.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import TracebackType

import aiohttp
import orjson

from mlx_manager.errors import (
    GatewayError,
    UpstreamError,
    UpstreamRateLimited,
    UpstreamTimeout,
    UpstreamUnavailable,
)
from mlx_manager.providers.redaction import Redactor, redact_shapes

# Longer upstream messages are cut: no caller needs more, and logs should not carry megabytes.
MAX_MESSAGE = 1000


class TransportErrors:
    """Maps aiohttp failures to the error tree, and takes ``key`` (the credential's own) and
    anything shaped like a credential out of every error raised inside it.

    A class, not ``@contextmanager``: it runs several times per request, and a generator-based
    manager costs a few microseconds each time. It keeps no state between uses, so one instance
    per credential can serve every request (and builds the key's redaction only once)."""

    __slots__ = ("_key", "_redactor", "provider")

    def __init__(self, provider: str, *, key: str | None = None) -> None:
        self.provider = provider
        self._key = key
        self._redactor: Redactor | None = None

    @property
    def redactor(self) -> Redactor:
        # Built on the first error: most uses see none.
        if self._redactor is None:
            self._redactor = Redactor(self._key)
        return self._redactor

    def from_status(self, status: int, headers: Mapping[str, str], body: bytes) -> UpstreamError:
        """``error_from_status`` for this credential."""
        return error_from_status(
            status, headers, body, provider=self.provider, redactor=self.redactor
        )

    def __enter__(self) -> None:
        return None

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, _tb: TracebackType | None
    ) -> None:
        if exc is None or not isinstance(exc, Exception):
            return
        if isinstance(exc, GatewayError):
            redact_error(exc, self.redactor, keep=self.provider)
            return
        provider = self.provider
        if isinstance(exc, TimeoutError | aiohttp.ServerTimeoutError):
            raise UpstreamTimeout(
                f"Provider '{provider}' did not answer in time.", provider=provider
            ) from exc
        if isinstance(
            exc,
            aiohttp.ClientConnectionError
            | aiohttp.ClientPayloadError
            | aiohttp.ClientResponseError,
        ):
            raise UpstreamUnavailable(
                f"Provider '{provider}' could not be reached or dropped the connection"
                f" ({type(exc).__name__}).",
                provider=provider,
            ) from exc
        if isinstance(exc, aiohttp.ClientError):
            raise UpstreamError(
                f"Request to provider '{provider}' failed ({type(exc).__name__}).",
                provider=provider,
            ) from exc


def redact_error(exc: GatewayError, redactor: Redactor, *, keep: str | None = None) -> None:
    """Rewrite ``exc``'s message in place, so it keeps its class, status and attributes;
    ``keep`` is the provider's name, left as it is."""
    clean = redactor.text(exc.message, keep=keep)
    if clean != exc.message:
        exc.message = clean
        exc.args = (clean,)


def upstream_message(body: bytes) -> str:
    """The human message inside an OpenAI- or Anthropic-shaped error body, else a short excerpt;
    not yet redacted."""
    message = _message_of(body)
    return message if len(message) <= MAX_MESSAGE else message[:MAX_MESSAGE] + "…"


def _message_of(body: bytes) -> str:
    try:
        data = orjson.loads(body)
    except orjson.JSONDecodeError:
        return body[:200].decode(errors="replace").strip() or "no details"
    if isinstance(data, dict):
        error = data.get("error")
        if isinstance(error, dict) and isinstance(error.get("message"), str):
            return str(error["message"])
        if isinstance(error, str):
            return error
        if isinstance(data.get("message"), str):
            return str(data["message"])
    return "no details"


def retry_after(headers: Mapping[str, str]) -> float | None:
    value = headers.get("retry-after")
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None


def error_from_status(
    status: int,
    headers: Mapping[str, str],
    body: bytes,
    *,
    provider: str,
    redactor: Redactor | None = None,
) -> UpstreamError:
    """An error status as our error. Without the credential's ``redactor`` only credential
    shapes are removed: pass it wherever the key is known."""
    text = upstream_message(body)
    text = redactor.text(text) if redactor is not None else redact_shapes(text)
    message = f"Provider '{provider}' answered {status}: {text}"
    kind = UpstreamRateLimited if status == 429 else UpstreamError
    return kind(
        message, provider=provider, upstream_status=status, retry_after=retry_after(headers)
    )
