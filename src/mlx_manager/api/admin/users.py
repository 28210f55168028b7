"""``/api/users``: list accounts, approve them, change roles, remove them (admins only)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Response, status

from mlx_manager.accounts.schemas import RoleChange, UserList, UserPublic
from mlx_manager.api.deps import RowId, StateDep, require_admin

router = APIRouter(prefix="/api/users", tags=["users"], dependencies=[Depends(require_admin)])


@router.get("")
async def list_users(state: StateDep) -> UserList:
    return UserList(users=await state.accounts.list_users())


@router.post("/{user_id}/approve")
async def approve_user(user_id: RowId, state: StateDep) -> UserPublic:
    return await state.accounts.approve(user_id)


@router.put("/{user_id}/role")
async def change_role(user_id: RowId, body: RoleChange, state: StateDep) -> UserPublic:
    """The last admin cannot be demoted (409)."""
    return await state.accounts.change_role(user_id, body.role)


@router.delete("/{user_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_user(user_id: RowId, state: StateDep) -> Response:
    """Removes the account and ends its sessions; the last admin cannot be removed (409)."""
    await state.accounts.delete(user_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
