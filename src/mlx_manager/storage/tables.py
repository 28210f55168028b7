"""Table definitions. Enum columns store values (``"groq"``), never member names."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    pass


class ProviderRow(Base):
    """A named provider credential. Several may share one backend type."""

    __tablename__ = "providers"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    backend_type: Mapped[str] = mapped_column(String(40))
    # NULL: the catalogue's api_type for the backend type applies (rows from older schemas).
    api_type: Mapped[str | None] = mapped_column(String(20))
    base_url: Mapped[str | None] = mapped_column(String(500))
    encrypted_api_key: Mapped[str | None] = mapped_column(Text)
    key_last4: Mapped[str | None] = mapped_column(String(4))
    # Per-model prices that replace the catalogue's: ``{"<model>": {"input_per_mtok": 0.5, …}}``
    # (``providers.schemas.ModelPrice``); NULL: none.
    prices: Mapped[dict[str, dict[str, float]] | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )


# A stored rule target: ``{"provider": <provider id> | "local", "model": <rewrite> | null,
# "weight": 1}``, plus any of ``connect_timeout``, ``first_byte_timeout``, ``idle_timeout``.
StoredTarget = dict[str, int | float | str | None]


class RuleRow(Base):
    """A routing rule. Targets name providers by id without a foreign key: deleting a provider
    leaves the rule in place with that target unusable, rather than silently editing user config."""

    __tablename__ = "routing_rules"

    id: Mapped[int] = mapped_column(primary_key=True)
    pattern: Mapped[str] = mapped_column(String(500))
    # A ``PatternType`` value: "exact", "prefix", "glob" or "regex".
    pattern_type: Mapped[str] = mapped_column(String(10))
    targets: Mapped[list[StoredTarget]] = mapped_column(JSON)
    # A ``Strategy`` value: "ordered", "weighted", "least_busy" or "latency".
    strategy: Mapped[str] = mapped_column(String(16), default="ordered", server_default="ordered")
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    # Lower first; ties by id. New rules go last.
    priority: Mapped[int] = mapped_column(Integer, index=True)
    description: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )


class UserRow(Base):
    """A person who signs in to the UI. ``role`` is "admin" or "user"; ``status`` is "pending"
    until an admin approves the account, then "active"."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(10))
    status: Mapped[str] = mapped_column(String(10))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )


class UserSessionRow(Base):
    """A signed-in session; its id travels inside a signed token. Logout sets ``revoked_at``."""

    __tablename__ = "user_sessions"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class GatewayKeyRow(Base):
    """A key for ``/v1``. Only the SHA-256 of the key is stored; it is shown once at creation."""

    __tablename__ = "gateway_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(12))
    last4: Mapped[str] = mapped_column(String(4))
    # Glob patterns on the model name asked for; empty: every model.
    model_patterns: Mapped[list[str]] = mapped_column(JSON)
    requests_per_minute: Mapped[int | None] = mapped_column(Integer)
    tokens_per_minute: Mapped[int | None] = mapped_column(Integer)
    expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class RequestLogRow(Base):
    """One ``/v1`` request: who asked for what, what served it, how it went. No prompt or
    completion text unless ``request_log_content`` is on (then ``prompt`` and ``completion``)."""

    __tablename__ = "request_log"

    # 64-bit on PostgreSQL; SQLite's INTEGER PRIMARY KEY is the rowid (autoincrement).
    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    request_id: Mapped[str] = mapped_column(String(128))
    api_key_name: Mapped[str | None] = mapped_column(String(100), index=True)
    endpoint: Mapped[str] = mapped_column(String(100))
    protocol: Mapped[str] = mapped_column(String(20))
    model_requested: Mapped[str | None] = mapped_column(String(200))
    # The provider's name ("local" for the MLX engine) and the model name sent to it.
    provider: Mapped[str | None] = mapped_column(String(100))
    model: Mapped[str | None] = mapped_column(String(200))
    attempts: Mapped[int] = mapped_column(Integer)
    stream: Mapped[bool] = mapped_column(Boolean)
    status: Mapped[int] = mapped_column(Integer)
    # An error code (``upstream_timeout``, ``client_disconnected``, …), also after a 200 whose
    # stream broke off.
    error: Mapped[str | None] = mapped_column(String(60))
    latency_ms: Mapped[float] = mapped_column(Float)
    ttft_ms: Mapped[float | None] = mapped_column(Float)
    input_tokens: Mapped[int | None] = mapped_column(Integer)
    output_tokens: Mapped[int | None] = mapped_column(Integer)
    # Parts of the counts above: prompt tokens read from and written to the provider's cache,
    # and reasoning tokens among the output. NULL on rows from before they were kept.
    cache_read_tokens: Mapped[int | None] = mapped_column(Integer)
    cache_write_tokens: Mapped[int | None] = mapped_column(Integer)
    reasoning_tokens: Mapped[int | None] = mapped_column(Integer)
    # The provider sent no usage: the counts are the gateway's tokenizer estimate.
    tokens_estimated: Mapped[bool] = mapped_column(Boolean, default=False)
    # USD, at the prices in force when it was served; NULL when unpriced (never 0 for unknown).
    cost_usd: Mapped[float | None] = mapped_column(Float)
    # Where the price came from: "catalogue", "override", "local" or "unpriced".
    priced: Mapped[str | None] = mapped_column(String(12))
    prompt: Mapped[str | None] = mapped_column(Text)
    completion: Mapped[str | None] = mapped_column(Text)


class StoredResponseRow(Base):
    """A Responses API response kept for ``previous_response_id`` and ``GET /v1/responses``:
    the ``response`` object as sent, this request's input items, and ``history``, the items of
    the conversation before them (the chain of previous responses, flattened, so continuing
    from it is one read)."""

    __tablename__ = "stored_responses"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    # Whose it is: ``key:<id>`` for a gateway key, ``""`` for every other caller.
    owner: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    model: Mapped[str] = mapped_column(String(200))
    response: Mapped[dict[str, object]] = mapped_column(JSON)
    input_items: Mapped[list[object]] = mapped_column(JSON)
    history: Mapped[list[object]] = mapped_column(JSON)
