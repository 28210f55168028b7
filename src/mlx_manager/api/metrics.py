"""``GET /metrics``: Prometheus text format (requests, latency, tokens, breakers, engine)."""

from __future__ import annotations

from fastapi import APIRouter
from prometheus_client import CONTENT_TYPE_LATEST
from starlette.responses import Response

from mlx_manager.api.deps import StateDep

router = APIRouter(tags=["operations"])


@router.get("/metrics", response_class=Response)
async def metrics(state: StateDep) -> Response:
    return Response(state.observer.metrics.exposition(), media_type=CONTENT_TYPE_LATEST)
