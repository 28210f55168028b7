"""``/api/auth``: sign up, sign in (a token and an HttpOnly cookie), sign out, and who am I.

Failed sign-ins and sign-ups count per client address; past the limit they answer 429, so a
password cannot be guessed at the speed of the network (or cost the server a hash each time).
"""

from __future__ import annotations

from fastapi import APIRouter, Request, Response, status

from mlx_manager.accounts.schemas import Credentials, Me, Role, SessionPublic, SignIn, UserPublic
from mlx_manager.api.auth import SESSION_COOKIE, identify
from mlx_manager.api.deps import CurrentPrincipal, StateDep
from mlx_manager.api.state import AppState
from mlx_manager.errors import GatewayError, RateLimited

router = APIRouter(prefix="/api/auth", tags=["auth"])


async def _throttle(request: Request, state: AppState) -> str:
    bucket = f"sign-in:{state.client_addresses.of(request.scope)}"
    wait = await state.limiter.wait_time(bucket, limit=state.settings.sign_in_attempts_per_minute)
    if wait is not None:
        raise RateLimited("Too many attempts from this address; try again later.", retry_after=wait)
    return bucket


@router.post("/signup", status_code=status.HTTP_201_CREATED)
async def sign_up(body: Credentials, request: Request, state: StateDep) -> UserPublic:
    """The first account becomes admin; later ones wait for an admin's approval."""
    bucket = await _throttle(request, state)
    await state.limiter.add(bucket, 1)
    return await state.accounts.sign_up(
        username=body.username, password=body.password.get_secret_value()
    )


@router.post("/login")
async def sign_in(
    body: SignIn, request: Request, response: Response, state: StateDep
) -> SessionPublic:
    bucket = await _throttle(request, state)
    try:
        signed = await state.accounts.sign_in(
            username=body.username, password=body.password.get_secret_value()
        )
    except GatewayError:
        await state.limiter.add(bucket, 1)
        raise
    response.set_cookie(
        SESSION_COOKIE,
        signed.token,
        max_age=state.settings.session_ttl_minutes * 60,
        httponly=True,
        secure=state.settings.cookie_secure,
        samesite="strict",
        path="/",
    )
    return signed


@router.post("/logout", status_code=status.HTTP_204_NO_CONTENT)
async def sign_out(request: Request, state: StateDep) -> Response:
    """Revokes this session on the server and clears the cookie; with no live session (the
    admin token, or one already expired) there is only the cookie to clear."""
    principal = await identify(request, admin_token=state.admin_token, accounts=state.accounts)
    if principal is not None and principal.signed_in is not None:
        await state.accounts.sign_out(principal.signed_in.session_id)
    response = Response(status_code=status.HTTP_204_NO_CONTENT)
    response.delete_cookie(
        SESSION_COOKIE, httponly=True, secure=state.settings.cookie_secure, samesite="strict"
    )
    return response


@router.get("/me")
async def me(principal: CurrentPrincipal) -> Me:
    if principal.signed_in is None:
        return Me(role=Role.ADMIN, via="admin_token", user=None)
    return Me(role=principal.role, via="session", user=principal.signed_in.user)
