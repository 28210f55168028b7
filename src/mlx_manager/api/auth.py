"""The admin token: from ``MLX_MANAGER_ADMIN_TOKEN``, or generated once into the data dir."""

from __future__ import annotations

import hmac
import secrets
from pathlib import Path

from mlx_manager.errors import Unauthorized
from mlx_manager.providers.secrets import write_private_file

TOKEN_FILE = "admin_token"  # noqa: S105 (a file name)


def load_or_create_admin_token(data_dir: Path, configured: str | None) -> tuple[str, bool]:
    """The token, and whether it was generated just now (so it is printed once)."""
    if configured:
        return configured, False
    path = data_dir / TOKEN_FILE
    if path.exists():
        return path.read_text().strip(), False
    return write_private_file(path, secrets.token_urlsafe(32)), True


def check_bearer(authorization: str | None, expected: str) -> None:
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(token.strip(), expected):
        raise Unauthorized(
            "Missing or wrong admin token: send 'Authorization: Bearer <token>'. The token is"
            " MLX_MANAGER_ADMIN_TOKEN, or the one printed at first start (stored in the data dir)."
        )
