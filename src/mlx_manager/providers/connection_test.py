"""Checks that a provider answers with the given key: its model listing, or, for providers
without one, an empty chat request (refused for its body once the key passed).

Reports are written from the status alone: the provider's own error text is never quoted, since
upstreams echo the headers they were sent, the key among them.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import httpx

from mlx_manager.protocols.table import PROTOCOLS, ApiType
from mlx_manager.providers.catalogue import MODELS_PATH, ProviderSpec


@dataclass(frozen=True, slots=True)
class ConnectionReport:
    ok: bool
    status: int | None
    latency_ms: float
    models: list[str]
    error: str | None


_STATUS_MESSAGES = {
    401: "The provider rejected the API key (401 Unauthorized). Check the key.",
    403: "The key was accepted but may not use the {what} (403 Forbidden). Check its permissions.",
    404: "No {what} at {url} (404). Check the base URL.",
    429: "The provider is rate limiting this key (429). Try again later.",
}
# The answers of a chat endpoint to an empty body once the key passed: the body is refused.
_BODY_REFUSED = (400, 422)


async def test_connection(
    client: httpx.AsyncClient,
    *,
    spec: ProviderSpec,
    api_type: ApiType,
    base_url: str,
    api_key: str | None,
    timeout: float,  # noqa: ASYNC109 (passed to httpx per request)
) -> ConnectionReport:
    endpoint = spec.endpoint(api_type)
    headers = endpoint.auth_headers(api_key)
    by_chat = not endpoint.models
    what = "chat endpoint" if by_chat else "model listing"
    started = time.perf_counter()

    def report(
        ok: bool, status: int | None, error: str | None, models: list[str]
    ) -> ConnectionReport:
        latency = round((time.perf_counter() - started) * 1000, 1)
        return ConnectionReport(
            ok=ok, status=status, latency_ms=latency, models=models, error=error
        )

    try:
        if by_chat:
            url = endpoint.url(base_url, PROTOCOLS[api_type].chat_path)
            response = await client.post(url, json={}, headers=headers, timeout=timeout)
        else:
            url = endpoint.url(base_url, MODELS_PATH)
            response = await client.get(url, headers=headers, timeout=timeout)
    except httpx.TimeoutException:
        return report(False, None, f"No answer from {base_url} within {timeout:g} s (timeout).", [])
    except httpx.ConnectError:
        return report(False, None, f"Could not connect to {base_url}: unreachable.", [])
    except (httpx.HTTPError, httpx.InvalidURL) as exc:
        return report(False, None, f"Request to {base_url} failed: {type(exc).__name__}.", [])
    status = response.status_code
    if 300 <= status < 400:
        return report(
            False,
            status,
            f"The provider answered a redirect ({status}); redirects are not"
            " followed. Use the address it redirects to as the base URL.",
            [],
        )
    if by_chat and (status < 300 or status in _BODY_REFUSED):
        return report(True, status, None, [])
    if status >= 400:
        template = _STATUS_MESSAGES.get(status, "The provider answered {status} to the {what}.")
        return report(False, status, template.format(url=url, status=status, what=what), [])
    try:
        body = response.json()
        models = sorted(str(m["id"]) for m in body.get("data", []) if isinstance(m, dict))
    except (ValueError, KeyError, AttributeError):
        return report(False, status, "The model listing is not valid JSON.", [])
    # A listing that names no model a target could ask for (Azure's base models, not its
    # deployments) proves the key and is not shown.
    return report(True, status, None, models if endpoint.models_list else [])
