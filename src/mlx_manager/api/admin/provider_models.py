"""``/api/settings/provider-models``: the model names each provider lists, for the rules editor
and the playground to offer.

Reading answers from the gateway's cache (a list never fetched is waited for a moment); the
``refresh`` calls fetch again at once and wait for the answer. Chats never read any of it.
"""

from __future__ import annotations

import asyncio
from typing import Literal

from fastapi import APIRouter, Depends
from pydantic import BaseModel

from mlx_manager.api.deps import RowId, StateDep, require_admin
from mlx_manager.backends.http.model_list import ListedModel, ModelList
from mlx_manager.errors import NotFound
from mlx_manager.providers.directory import ResolvedProvider

router = APIRouter(
    prefix="/api/settings/provider-models",
    tags=["providers"],
    dependencies=[Depends(require_admin)],
)

FIRST_LIST_WAIT = 5.0


class ListedModelPublic(BaseModel):
    id: str
    display_name: str | None
    # Unix seconds, where the provider says.
    created: int | None
    context_length: int | None
    # USD per million tokens, where the provider says.
    input_price: float | None
    output_price: float | None


class ProviderModelsPublic(BaseModel):
    provider_id: int
    provider: str
    # ``ok``; ``unlisted``: the provider has no models list (type the name); ``unavailable``:
    # it could not be read (``error`` says why; ``models`` are those it listed last); ``pending``:
    # being fetched for the first time.
    status: Literal["ok", "unlisted", "unavailable", "pending"]
    error: str | None
    # Wall-clock Unix seconds of the fetch these come from.
    fetched_at: float | None
    models: list[ListedModelPublic]


class ProviderModelsList(BaseModel):
    providers: list[ProviderModelsPublic]


@router.get("")
async def list_provider_models(state: StateDep) -> ProviderModelsList:
    providers = sorted(state.providers.directory.all(), key=lambda p: p.name)
    state.model_lists.retain(p.id for p in providers)
    lists = await state.model_lists.current(providers, wait=FIRST_LIST_WAIT)
    return ProviderModelsList(providers=[_public(p, lists.get(p.id)) for p in providers])


@router.post("/refresh")
async def refresh_all(state: StateDep) -> ProviderModelsList:
    """Every provider's list fetched again now."""
    providers = sorted(state.providers.directory.all(), key=lambda p: p.name)
    lists = await asyncio.gather(*(state.model_lists.get(p, refresh=True) for p in providers))
    return ProviderModelsList(
        providers=[_public(p, listing) for p, listing in zip(providers, lists, strict=True)]
    )


@router.post("/{provider_id}/refresh")
async def refresh_one(provider_id: RowId, state: StateDep) -> ProviderModelsPublic:
    provider = state.providers.directory.get(provider_id)
    if provider is None:
        raise NotFound(f"There is no provider {provider_id}.")
    return _public(provider, await state.model_lists.get(provider, refresh=True))


def _public(provider: ResolvedProvider, listing: ModelList | None) -> ProviderModelsPublic:
    if listing is None:
        return ProviderModelsPublic(
            provider_id=provider.id,
            provider=provider.name,
            status="pending",
            error=None,
            fetched_at=None,
            models=[],
        )
    return ProviderModelsPublic(
        provider_id=provider.id,
        provider=provider.name,
        status=listing.status.value,
        error=listing.error,
        fetched_at=listing.fetched_at,
        models=[_model(m) for m in listing.models],
    )


def _model(model: ListedModel) -> ListedModelPublic:
    price = model.price
    return ListedModelPublic(
        id=model.id,
        display_name=model.display_name,
        created=model.created,
        context_length=model.context_length,
        input_price=price.input if price is not None else None,
        output_price=price.output if price is not None else None,
    )
