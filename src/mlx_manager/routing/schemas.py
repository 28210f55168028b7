"""Wire schemas of the routing rules API: create, update, public view, reorder, route test."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, StrictInt

from mlx_manager.routing.patterns import PatternType
from mlx_manager.routing.router import RouteSource, TargetKind

MAX_TARGETS = 20


class TargetSpec(BaseModel):
    """``{"provider": 3, "model": null}`` or ``{"provider": "local", "model": "qwen3-8b"}``."""

    model_config = ConfigDict(extra="forbid")

    provider: StrictInt | Literal["local"]
    # The model name to send; null or "" sends the requested name unchanged.
    model: str | None = Field(default=None, max_length=300)


class RuleCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    pattern: str = Field(max_length=500)
    pattern_type: PatternType
    targets: list[TargetSpec] = Field(max_length=MAX_TARGETS)
    enabled: bool = True
    description: str = Field(default="", max_length=500)


class RuleUpdate(BaseModel):
    """Fields left out (or null) stay as they are. The order changes only through ``/order``."""

    model_config = ConfigDict(extra="forbid")

    pattern: str | None = Field(default=None, max_length=500)
    pattern_type: PatternType | None = None
    targets: list[TargetSpec] | None = Field(default=None, max_length=MAX_TARGETS)
    enabled: bool | None = None
    description: str | None = Field(default=None, max_length=500)


class TargetPublic(BaseModel):
    provider: int | Literal["local"]
    model: str | None
    # The provider's current name; null for local and for a provider that no longer exists.
    provider_name: str | None
    usable: bool
    # Why the target cannot be used now (the UI shows it as a warning); null when usable.
    problem: str | None


class RulePublic(BaseModel):
    id: int
    pattern: str
    pattern_type: PatternType
    targets: list[TargetPublic]
    enabled: bool
    priority: int
    description: str
    created_at: datetime
    updated_at: datetime


class RuleList(BaseModel):
    rules: list[RulePublic]


class RuleOrder(BaseModel):
    """Every rule id, in the new priority order."""

    model_config = ConfigDict(extra="forbid")

    ids: list[int]


class RouteTestRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    model: str = Field(min_length=1, max_length=300)


class RouteTestTarget(BaseModel):
    kind: TargetKind
    provider_id: int | None
    provider_name: str | None
    # The model name this target would be sent.
    model: str
    usable: bool
    problem: str | None


class RouteTestResult(BaseModel):
    model: str
    # How the route was found; null when there is none (``error`` says why).
    source: RouteSource | None
    # The matching rule; null when none matched (a provider prefix or local model may still route).
    rule: RulePublic | None
    targets: list[RouteTestTarget]
    error: str | None
