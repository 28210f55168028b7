"""Dependencies shared by routers, as ``Annotated`` aliases."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Header, Request

from mlx_manager.api.auth import check_bearer
from mlx_manager.providers.service import ProviderService
from mlx_manager.state import AppState


def get_state(request: Request) -> AppState:
    state: AppState = request.app.state.mm
    return state


StateDep = Annotated[AppState, Depends(get_state)]


def require_admin(state: StateDep, authorization: Annotated[str | None, Header()] = None) -> None:
    check_bearer(authorization, state.admin_token)


def get_providers(state: StateDep) -> ProviderService:
    return state.providers


ProvidersDep = Annotated[ProviderService, Depends(get_providers)]
