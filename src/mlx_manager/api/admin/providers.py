"""``/api/settings/providers``: named provider credentials."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Response, status

from mlx_manager.api.deps import ProvidersDep, RowId, require_admin
from mlx_manager.providers.schemas import (
    ConnectionTestRequest,
    ConnectionTestResult,
    ProviderCreate,
    ProviderDefaultsList,
    ProviderList,
    ProviderPublic,
    ProviderUpdate,
)
from mlx_manager.providers.service import catalogue_defaults

router = APIRouter(
    prefix="/api/settings/providers", tags=["providers"], dependencies=[Depends(require_admin)]
)


@router.get("/defaults")
async def provider_defaults() -> ProviderDefaultsList:
    return ProviderDefaultsList(providers=catalogue_defaults())


@router.get("")
async def list_providers(providers: ProvidersDep) -> ProviderList:
    return ProviderList(providers=await providers.list())


@router.post("", status_code=status.HTTP_201_CREATED)
async def create_provider(body: ProviderCreate, providers: ProvidersDep) -> ProviderPublic:
    return await providers.create(body)


@router.post("/test")
async def test_unsaved_provider(
    body: ConnectionTestRequest, providers: ProvidersDep
) -> ConnectionTestResult:
    report = await providers.test_unsaved(body)
    return ConnectionTestResult.model_validate(report, from_attributes=True)


@router.get("/{provider_id}")
async def get_provider(provider_id: RowId, providers: ProvidersDep) -> ProviderPublic:
    return await providers.get(provider_id)


@router.patch("/{provider_id}")
async def update_provider(
    provider_id: RowId, body: ProviderUpdate, providers: ProvidersDep
) -> ProviderPublic:
    return await providers.update(provider_id, body)


@router.delete("/{provider_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_provider(provider_id: RowId, providers: ProvidersDep) -> Response:
    await providers.delete(provider_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/{provider_id}/test")
async def test_saved_provider(provider_id: RowId, providers: ProvidersDep) -> ConnectionTestResult:
    report = await providers.test_saved(provider_id)
    return ConnectionTestResult.model_validate(report, from_attributes=True)
