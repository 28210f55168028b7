"""Checks that a provider answers its model listing with the given key.

Reports are written from the status alone: the provider's own error text is never quoted, since
upstreams echo the headers they were sent, the key among them.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import httpx

from mlx_manager.protocols.table import PROTOCOLS, ApiType
from mlx_manager.providers.urls import api_url


@dataclass(frozen=True, slots=True)
class ConnectionReport:
    ok: bool
    status: int | None
    latency_ms: float
    models: list[str]
    error: str | None


_STATUS_MESSAGES = {
    401: "The provider rejected the API key (401 Unauthorized). Check the key.",
    403: "The key was accepted but may not list models (403 Forbidden). Check its permissions.",
    404: "No model listing at {url} (404). Check the base URL.",
    429: "The provider is rate limiting this key (429). Try again later.",
}


async def test_connection(
    client: httpx.AsyncClient,
    *,
    api_type: ApiType,
    base_url: str,
    api_key: str | None,
    timeout: float,  # noqa: ASYNC109 (passed to httpx per request)
) -> ConnectionReport:
    url = api_url(base_url, "/v1/models")
    started = time.perf_counter()

    def report(
        ok: bool, status: int | None, error: str | None, models: list[str]
    ) -> ConnectionReport:
        latency = round((time.perf_counter() - started) * 1000, 1)
        return ConnectionReport(
            ok=ok, status=status, latency_ms=latency, models=models, error=error
        )

    try:
        headers = PROTOCOLS[api_type].auth_headers(api_key)
        response = await client.get(url, headers=headers, timeout=timeout)
    except httpx.TimeoutException:
        return report(False, None, f"No answer from {base_url} within {timeout:g} s (timeout).", [])
    except httpx.ConnectError:
        return report(False, None, f"Could not connect to {base_url}: unreachable.", [])
    except (httpx.HTTPError, httpx.InvalidURL) as exc:
        return report(False, None, f"Request to {base_url} failed: {type(exc).__name__}.", [])
    if 300 <= response.status_code < 400:
        return report(
            False,
            response.status_code,
            f"The provider answered a redirect ({response.status_code}); redirects are not"
            " followed. Use the address it redirects to as the base URL.",
            [],
        )
    if response.status_code >= 400:
        template = _STATUS_MESSAGES.get(
            response.status_code, "The provider answered {status} to the model listing."
        )
        return report(
            False,
            response.status_code,
            template.format(url=url, status=response.status_code),
            [],
        )
    try:
        body = response.json()
        models = sorted(str(m["id"]) for m in body.get("data", []) if isinstance(m, dict))
    except (ValueError, KeyError, AttributeError):
        return report(False, response.status_code, "The model listing is not valid JSON.", [])
    return report(True, response.status_code, None, models)
