"""Upstream failures mapped into the error tree, most specific class first.

Like httpx's ``map_httpcore_exceptions``: transport exceptions become ``UpstreamTimeout`` /
``UpstreamUnavailable`` / ``UpstreamError``; error statuses keep their status code and the
upstream's own message, prefixed with the provider that answered.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import TracebackType

import aiohttp
import orjson

from mlx_manager.errors import (
    UpstreamError,
    UpstreamRateLimited,
    UpstreamTimeout,
    UpstreamUnavailable,
)


class TransportErrors:
    """Maps aiohttp failures to the error tree. A class, not ``@contextmanager``: it runs several
    times per request, and a generator-based manager costs a few microseconds each time."""

    __slots__ = ("provider",)

    def __init__(self, provider: str) -> None:
        self.provider = provider

    def __enter__(self) -> None:
        return None

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, _tb: TracebackType | None
    ) -> None:
        if exc is None or not isinstance(exc, Exception):
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


def upstream_message(body: bytes) -> str:
    """The human message inside an OpenAI- or Anthropic-shaped error body, else a short excerpt."""
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
    status: int, headers: Mapping[str, str], body: bytes, *, provider: str
) -> UpstreamError:
    message = f"Provider '{provider}' answered {status}: {upstream_message(body)}"
    kind = UpstreamRateLimited if status == 429 else UpstreamError
    return kind(
        message, provider=provider, upstream_status=status, retry_after=retry_after(headers)
    )
