"""Who is calling ``/api``: the start-up admin token, or a signed-in user's session.

The admin token comes from ``MLX_MANAGER_ADMIN_TOKEN`` or is generated once into the data dir; it
stays valid for automation. A session token arrives as ``Authorization: Bearer mms_…`` or as the
HttpOnly cookie the UI gets at sign-in. A cookie-borne request that changes something must not
come from another origin (SameSite alone lets other ports of the same host through).
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from starlette.requests import HTTPConnection

from mlx_manager.accounts.schemas import Role
from mlx_manager.accounts.service import AccountService, SignedIn
from mlx_manager.accounts.tokens import TOKEN_PREFIX
from mlx_manager.errors import Forbidden, Unauthorized
from mlx_manager.providers.secrets import write_private_file

TOKEN_FILE = "admin_token"  # noqa: S105 (a file name)
SESSION_COOKIE = "mlx_manager_session"
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def load_or_create_admin_token(data_dir: Path, configured: str | None) -> tuple[str, bool]:
    """The token, and whether it was generated just now (so it is printed once)."""
    if configured:
        return configured, False
    path = data_dir / TOKEN_FILE
    if path.exists():
        return path.read_text().strip(), False
    return write_private_file(path, secrets.token_urlsafe(32)), True


def bearer(authorization: str | None) -> str | None:
    scheme, _, token = (authorization or "").partition(" ")
    return (token.strip() or None) if scheme.lower() == "bearer" else None


def is_admin_token(presented: str | None, admin_token: str) -> bool:
    return presented is not None and hmac.compare_digest(presented.encode(), admin_token.encode())


@dataclass(frozen=True, slots=True)
class Principal:
    """A caller of ``/api``: the admin token (``signed_in`` None) or a signed-in user."""

    role: Role
    signed_in: SignedIn | None = None

    @property
    def is_admin(self) -> bool:
        return self.role is Role.ADMIN


def not_signed_in() -> Unauthorized:
    return Unauthorized(
        "Sign in (POST /api/auth/login), or send the admin token as 'Authorization: Bearer"
        " <token>': MLX_MANAGER_ADMIN_TOKEN, or the one printed at first start (stored in the"
        " data dir)."
    )


async def identify(
    connection: HTTPConnection, *, admin_token: str, accounts: AccountService
) -> Principal | None:
    """The caller behind a request's credentials, or None when it presents none that work."""
    presented = bearer(connection.headers.get("authorization"))
    if is_admin_token(presented, admin_token):
        return Principal(role=Role.ADMIN)
    if presented is not None and presented.startswith(TOKEN_PREFIX):
        return await _session(presented, accounts)
    cookie = connection.cookies.get(SESSION_COOKIE)
    if cookie is None:
        return None
    if connection.scope.get("method", "GET") not in _SAFE_METHODS and _cross_origin(connection):
        raise Forbidden("A cross-origin request cannot use the session cookie.")
    return await _session(cookie, accounts)


async def _session(token: str, accounts: AccountService) -> Principal | None:
    signed_in = await accounts.signed_in(token)
    if signed_in is None:
        return None
    return Principal(role=signed_in.user.role, signed_in=signed_in)


def _cross_origin(connection: HTTPConnection) -> bool:
    origin = connection.headers.get("origin")
    if origin is None:
        return False  # not a browser's cross-site request: browsers send Origin on those
    return urlsplit(origin).netloc != connection.headers.get("host")
