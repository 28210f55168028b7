"""``GET /metrics``: Prometheus text format (requests, latency, tokens, breakers, engine).

Open by default, like most exporters: it names providers, models and key-less counts, no
secrets. With ``MLX_MANAGER_METRICS_TOKEN`` set it needs ``Authorization: Bearer <token>``
(Prometheus: ``authorization: {credentials: ...}`` in the scrape config).
"""

from __future__ import annotations

import hmac

from fastapi import APIRouter, Request
from prometheus_client import CONTENT_TYPE_LATEST
from starlette.responses import JSONResponse, Response

from mlx_manager.api.auth import bearer
from mlx_manager.api.deps import StateDep
from mlx_manager.api.errors import gateway_error_response
from mlx_manager.errors import Unauthorized

router = APIRouter(tags=["operations"])


@router.get("/metrics", response_class=Response)
async def metrics(request: Request, state: StateDep) -> Response:
    configured = state.settings.metrics_token
    token = configured.get_secret_value() if configured is not None else ""
    if token and not _presents(request, token):
        refused: JSONResponse = gateway_error_response(
            Unauthorized(
                "/metrics needs the metrics token (MLX_MANAGER_METRICS_TOKEN) as"
                " 'Authorization: Bearer <token>'."
            )
        )
        refused.headers["www-authenticate"] = 'Bearer realm="metrics"'
        return refused
    return Response(state.observer.metrics.exposition(), media_type=CONTENT_TYPE_LATEST)


def _presents(request: Request, token: str) -> bool:
    presented = bearer(request.headers.get("authorization"))
    return presented is not None and hmac.compare_digest(presented.encode(), token.encode())
