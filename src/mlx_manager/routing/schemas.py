"""Wire schemas of the routing rules API: create, update, public view, reorder, route test."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, StrictInt

from mlx_manager.routing.balancing import Strategy
from mlx_manager.routing.health import HealthState
from mlx_manager.routing.patterns import PatternType
from mlx_manager.routing.router import RouteSource, TargetKind

MAX_TARGETS = 20
# An hour: longer than any reply should take, short enough to catch a typo in milliseconds.
MAX_TIMEOUT = 3600.0


class TargetSpec(BaseModel):
    """``{"provider": 3, "model": null, "weight": 1}`` or ``{"provider": "local", "model":
    "qwen3-8b"}``; timeouts left out take the server's defaults."""

    model_config = ConfigDict(extra="forbid")

    provider: StrictInt | Literal["local"]
    # The model name to send; null or "" sends the requested name unchanged.
    model: str | None = Field(default=None, max_length=300)
    weight: StrictInt = Field(default=1, ge=1, le=1000)
    connect_timeout: float | None = Field(default=None, gt=0, le=MAX_TIMEOUT)
    first_byte_timeout: float | None = Field(default=None, gt=0, le=MAX_TIMEOUT)
    idle_timeout: float | None = Field(default=None, gt=0, le=MAX_TIMEOUT)


class RuleCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    pattern: str = Field(max_length=500)
    pattern_type: PatternType
    targets: list[TargetSpec] = Field(max_length=MAX_TARGETS)
    strategy: Strategy = Strategy.ORDERED
    enabled: bool = True
    description: str = Field(default="", max_length=500)


class RuleUpdate(BaseModel):
    """Fields left out (or null) stay as they are. The order changes only through ``/order``."""

    model_config = ConfigDict(extra="forbid")

    pattern: str | None = Field(default=None, max_length=500)
    pattern_type: PatternType | None = None
    targets: list[TargetSpec] | None = Field(default=None, max_length=MAX_TARGETS)
    strategy: Strategy | None = None
    enabled: bool | None = None
    description: str | None = Field(default=None, max_length=500)


class HealthPublic(BaseModel):
    """A target's recent health (this replica's view; ejections are shared between replicas)."""

    key: str
    provider: int | Literal["local"]
    model: str
    state: HealthState
    # Requests and failures over the health window, and their ratio.
    requests: int
    failures: int
    error_rate: float
    # Recent time to a reply's start (peak EWMA), in milliseconds; null until measured.
    latency_ms: float | None
    in_flight: int
    # Seconds until a target that is backing off takes requests again.
    retry_in: float


class HealthList(BaseModel):
    targets: list[HealthPublic]


class TargetPublic(BaseModel):
    provider: int | Literal["local"]
    model: str | None
    weight: int
    connect_timeout: float | None
    first_byte_timeout: float | None
    idle_timeout: float | None
    # The provider's current name; null for local and for a provider that no longer exists.
    provider_name: str | None
    usable: bool
    # Why the target cannot be used now (the UI shows it as a warning); null when usable.
    problem: str | None
    # Null when the target sends the requested name unchanged (its health is per name).
    health: HealthPublic | None


class RulePublic(BaseModel):
    id: int
    pattern: str
    pattern_type: PatternType
    targets: list[TargetPublic]
    strategy: Strategy
    enabled: bool
    priority: int
    description: str
    created_at: datetime
    updated_at: datetime


class TimeoutDefaults(BaseModel):
    """The server's provider timeouts (seconds), which a target without its own takes."""

    connect_timeout: float
    first_byte_timeout: float
    idle_timeout: float


class RuleList(BaseModel):
    rules: list[RulePublic]
    timeout_defaults: TimeoutDefaults


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
    health: HealthPublic | None
    # How the rule's strategy weighs this target now ("primary", "2 in flight", "35 ms × 1").
    weighing: str | None
    # Whether a request sent now would try this target first.
    picked: bool


class RouteTestResult(BaseModel):
    model: str
    # How the route was found; null when there is none (``error`` says why).
    source: RouteSource | None
    # The matching rule; null when none matched (a provider prefix or local model may still route).
    rule: RulePublic | None
    targets: list[RouteTestTarget]
    strategy: Strategy | None
    # Why the picked target goes first; null when there is no route.
    reason: str | None
    error: str | None
