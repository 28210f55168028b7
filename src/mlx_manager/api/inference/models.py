"""``GET /v1/models``: every model name a client can use, in OpenAI's list shape.

Rule aliases, local models, and ``provider-name/model`` for what each provider lists.
"""

from __future__ import annotations

from fastapi import APIRouter

from mlx_manager.api.deps import StateDep
from mlx_manager.api.inference.access import OpenAICaller

router = APIRouter(prefix="/v1", tags=["inference"])


def _entry(model_id: str, owner: str) -> dict[str, object]:
    return {"id": model_id, "object": "model", "created": 0, "owned_by": owner}


@router.get("/models", summary="OpenAI model list")
async def list_models(state: StateDep, caller: OpenAICaller) -> dict[str, object]:
    """Only the names the caller's key may use, when its key limits the models."""
    data = [_entry(alias, "mlx-manager") for alias in state.router.aliases()]
    data += [_entry(name, "local") for name in sorted(state.router.local_models())]
    provider_models = await state.model_lists.models(state.providers.directory.all())
    for provider, models in provider_models.items():
        data += [_entry(f"{provider}/{model}", provider) for model in models]
    unique: dict[object, dict[str, object]] = {}
    for entry in data:
        if caller.allows_model(str(entry["id"])):
            unique.setdefault(entry["id"], entry)  # the first of equal names wins
    return {"object": "list", "data": list(unique.values())}
