"""Table definitions. Enum columns store values (``"groq"``), never member names."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import JSON, Boolean, DateTime, Integer, String, Text
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
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )


# A stored rule target: ``{"provider": <provider id> | "local", "model": <rewrite> | null}``.
StoredTarget = dict[str, int | str | None]


class RuleRow(Base):
    """A routing rule. Targets name providers by id without a foreign key: deleting a provider
    leaves the rule in place with that target unusable, rather than silently editing user config."""

    __tablename__ = "routing_rules"

    id: Mapped[int] = mapped_column(primary_key=True)
    pattern: Mapped[str] = mapped_column(String(500))
    # A ``PatternType`` value: "exact", "prefix", "glob" or "regex".
    pattern_type: Mapped[str] = mapped_column(String(10))
    targets: Mapped[list[StoredTarget]] = mapped_column(JSON)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    # Lower first; ties by id. New rules go last.
    priority: Mapped[int] = mapped_column(Integer, index=True)
    description: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )
