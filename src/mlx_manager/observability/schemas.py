"""The request log as the management API shows it."""

from __future__ import annotations

from datetime import UTC, datetime

from pydantic import BaseModel, ConfigDict, field_validator


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


EXPORT_FIELDS = tuple(RequestLogPublic.model_fields)
