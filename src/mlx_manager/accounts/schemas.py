"""Wire schemas of ``/api/auth`` and ``/api/users``."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, SecretStr


class Role(StrEnum):
    ADMIN = "admin"
    USER = "user"


class UserStatus(StrEnum):
    # Signed up, waiting for an admin's approval; cannot sign in yet.
    PENDING = "pending"
    ACTIVE = "active"


USERNAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.@-]{2,63}$"


class Credentials(BaseModel):
    model_config = ConfigDict(extra="forbid")

    username: str = Field(pattern=USERNAME_PATTERN)
    # The upper bound keeps one request from costing a long hash.
    password: SecretStr = Field(min_length=8, max_length=1024)


class SignIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    username: str = Field(max_length=64)
    password: SecretStr = Field(max_length=1024)


class UserPublic(BaseModel):
    id: int
    username: str
    role: Role
    status: UserStatus
    created_at: datetime


class UserList(BaseModel):
    users: list[UserPublic]


class RoleChange(BaseModel):
    model_config = ConfigDict(extra="forbid")

    role: Role


class SessionPublic(BaseModel):
    """A sign-in: the token (also set as an HttpOnly cookie) and when it stops working."""

    token: str
    expires_at: datetime
    user: UserPublic


class Me(BaseModel):
    """Who the caller is: a user, or the start-up admin token (``user`` null)."""

    role: Role
    via: str
    user: UserPublic | None
