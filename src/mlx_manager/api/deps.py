"""Dependencies shared by routers, as ``Annotated`` aliases."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Path, Request

from mlx_manager.api.auth import Principal, identify, not_signed_in
from mlx_manager.api.state import AppState
from mlx_manager.errors import Forbidden
from mlx_manager.providers.service import ProviderService


# Dependencies are async even when they do not await: FastAPI runs plain functions in its
# thread pool, a hand-off that cost more than the whole rest of a /v1 request here.
async def get_state(request: Request) -> AppState:
    state: AppState = request.app.state.mm
    return state


StateDep = Annotated[AppState, Depends(get_state)]

# A row id in a path: within a 32-bit INTEGER column, so a huge number is a 422, not a 500.
RowId = Annotated[int, Path(ge=1, le=2**31 - 1)]


async def current_principal(request: Request, state: StateDep) -> Principal:
    principal = await identify(request, admin_token=state.admin_token, accounts=state.accounts)
    if principal is None:
        raise not_signed_in()
    return principal


CurrentPrincipal = Annotated[Principal, Depends(current_principal)]


async def require_admin(principal: CurrentPrincipal) -> None:
    """The admin token or an admin's session; a signed-in non-admin gets 403."""
    if not principal.is_admin:
        raise Forbidden("Only admins can do this; ask an admin to do it or to make you admin.")


async def get_providers(state: StateDep) -> ProviderService:
    return state.providers


ProvidersDep = Annotated[ProviderService, Depends(get_providers)]
