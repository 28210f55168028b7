"""``/api/keys``: gateway keys for ``/v1`` (admins only). A new key is shown once, at creation."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Response, status

from mlx_manager.api.deps import RowId, StateDep, require_admin
from mlx_manager.gateway_keys.schemas import KeyCreate, KeyCreated, KeyList, KeyPublic, KeyUpdate

router = APIRouter(prefix="/api/keys", tags=["keys"], dependencies=[Depends(require_admin)])


@router.get("")
async def list_keys(state: StateDep) -> KeyList:
    return KeyList(keys=await state.keys.list())


@router.post("", status_code=status.HTTP_201_CREATED)
async def create_key(body: KeyCreate, state: StateDep) -> KeyCreated:
    """Once any unrevoked key exists, every ``/v1`` call needs one."""
    return await state.keys.create(body)


@router.get("/{key_id}")
async def get_key(key_id: RowId, state: StateDep) -> KeyPublic:
    return await state.keys.get(key_id)


@router.patch("/{key_id}")
async def update_key(key_id: RowId, body: KeyUpdate, state: StateDep) -> KeyPublic:
    return await state.keys.update(key_id, body)


@router.post("/{key_id}/revoke")
async def revoke_key(key_id: RowId, state: StateDep) -> KeyPublic:
    """The key stops working at once; it stays listed as revoked."""
    return await state.keys.revoke(key_id)


@router.delete("/{key_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_key(key_id: RowId, state: StateDep) -> Response:
    await state.keys.delete(key_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
