"""``GET /health`` (the process is alive) and ``GET /ready`` (it can serve: storage answers and
its schema is at the latest migration). Both are open, for load balancers and orchestrators."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from mlx_manager.api.deps import StateDep

router = APIRouter(tags=["operations"])


@router.get("/health")
async def health() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/ready", responses={503: {"description": "storage unreachable or not migrated"}})
async def ready(state: StateDep) -> JSONResponse:
    problem = await state.observer.readiness.problem()
    if problem is not None:
        return JSONResponse({"status": "unavailable", "detail": problem}, status_code=503)
    return JSONResponse({"status": "ready"})
