"""``/api/admin-token``: a new admin token in place of the old one, at once (admins only).

The token lives in the data dir's file and in this process's memory; the file is replaced
whole, so a reader never sees half a token. A token given by ``MLX_MANAGER_ADMIN_TOKEN`` belongs
to whoever set it, and with several replicas each holds its own copy: both are refused.
"""

from __future__ import annotations

import os
import secrets

from fastapi import APIRouter, Depends
from pydantic import BaseModel

from mlx_manager.api.auth import TOKEN_FILE
from mlx_manager.api.deps import StateDep, require_admin
from mlx_manager.errors import Conflict
from mlx_manager.providers.secrets import write_private_file

router = APIRouter(prefix="/api/admin-token", tags=["auth"], dependencies=[Depends(require_admin)])


class AdminTokenRotated(BaseModel):
    # The only answer that holds the new token.
    token: str
    stored_in: str


@router.post("/rotate")
async def rotate_admin_token(state: StateDep) -> AdminTokenRotated:
    """The old token stops working now; signed-in sessions go on."""
    settings = state.settings
    if settings.admin_token is not None:
        raise Conflict(
            "The admin token comes from MLX_MANAGER_ADMIN_TOKEN: change it there and restart."
        )
    if settings.redis_url is not None:
        raise Conflict(
            "Several replicas each hold the admin token: replace the admin_token file in the"
            " data dir and restart them."
        )
    path = settings.data_dir / TOKEN_FILE
    fresh = path.with_name(f"{TOKEN_FILE}.new")
    fresh.unlink(missing_ok=True)  # left by a rotation cut short
    token = write_private_file(fresh, secrets.token_urlsafe(32))
    os.replace(fresh, path)
    state.admin_token = token
    return AdminTokenRotated(token=token, stored_in=str(path))
