"""Wire schemas of ``/api/keys``. A key's secret appears once, in ``KeyCreated``."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

ModelPattern = Annotated[str, Field(min_length=1, max_length=200)]
_LIMIT = Field(default=None, ge=1, le=1_000_000_000)


class KeyCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=100)
    # Glob patterns on the model name a caller asks for; empty: every model.
    model_patterns: list[ModelPattern] = Field(default_factory=list, max_length=100)
    requests_per_minute: int | None = _LIMIT
    tokens_per_minute: int | None = _LIMIT
    expires_at: datetime | None = None


class KeyUpdate(BaseModel):
    """Fields left out stay as they are; ``null`` clears a limit or the expiry."""

    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(default=None, min_length=1, max_length=100)
    model_patterns: list[ModelPattern] | None = Field(default=None, max_length=100)
    requests_per_minute: int | None = _LIMIT
    tokens_per_minute: int | None = _LIMIT
    expires_at: datetime | None = None


class KeyPublic(BaseModel):
    id: int
    name: str
    # ``mmk_AbCd`` and the last four characters: enough to recognise a key, not to use it.
    prefix: str
    last4: str
    model_patterns: list[str]
    requests_per_minute: int | None
    tokens_per_minute: int | None
    expires_at: datetime | None
    revoked: bool
    revoked_at: datetime | None
    created_at: datetime
    last_used_at: datetime | None


class KeyCreated(KeyPublic):
    """The only response that holds the key itself; it cannot be shown again."""

    key: str


class KeyList(BaseModel):
    keys: list[KeyPublic]
