"""The request log as the management API shows it."""

from __future__ import annotations

from datetime import UTC, datetime

from pydantic import BaseModel, ConfigDict, field_validator

from mlx_manager.observability.pricing import Priced


class RequestLogPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    created_at: datetime
    request_id: str
    api_key_name: str | None
    endpoint: str
    protocol: str
    model_requested: str | None
    provider: str | None
    model: str | None
    attempts: int
    stream: bool
    status: int
    error: str | None
    latency_ms: float
    ttft_ms: float | None
    input_tokens: int | None
    output_tokens: int | None
    # Parts of input_tokens and output_tokens; null on rows from before they were kept.
    cache_read_tokens: int | None
    cache_write_tokens: int | None
    reasoning_tokens: int | None
    # The provider sent no usage: the counts are the gateway's tokenizer estimate.
    tokens_estimated: bool
    # USD at the prices in force when it was served; null when unpriced or nothing was used.
    cost_usd: float | None
    # Where the price came from: "catalogue", "override", "local" or "unpriced".
    priced: Priced | None
    # Only when ``request_log_content`` was on as the request was served.
    prompt: str | None
    completion: str | None

    @field_validator("created_at")
    @classmethod
    def _utc(cls, value: datetime) -> datetime:
        # SQLite gives back naive datetimes; every stored time is UTC.
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class RequestLogPage(BaseModel):
    items: list[RequestLogPublic]
    # Pass as ``cursor`` for the next (older) page; None on the last page.
    next_cursor: int | None


class UnpricedModel(BaseModel):
    """A (provider, model) the log has seen that no price covers: give it one with the
    provider's ``prices``."""

    provider: str
    # The provider's id for ``PATCH /api/settings/providers/{id}``; null once it is deleted.
    provider_id: int | None
    model: str
    requests: int
    input_tokens: int
    output_tokens: int
    last_seen: datetime

    @field_validator("last_seen")
    @classmethod
    def _utc(cls, value: datetime) -> datetime:
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class UnpricedModelList(BaseModel):
    models: list[UnpricedModel]


EXPORT_FIELDS = tuple(RequestLogPublic.model_fields)
