"""Settings from ``MLX_MANAGER_*`` environment variables (pydantic-settings)."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_PORT = 10242


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="MLX_MANAGER_", extra="ignore")

    host: str = "127.0.0.1"
    port: int = DEFAULT_PORT
    data_dir: Path = Field(default_factory=lambda: Path.home() / ".mlx-manager")
    # Empty: a SQLite file in the data dir.
    database_url: str | None = None
    # Empty: a key generated on first start into the data dir (0600).
    secret_key: SecretStr | None = None
    # Empty: a token generated on first start into the data dir and printed once.
    admin_token: SecretStr | None = None
    # Timeout of a provider connection test, in seconds.
    provider_test_timeout: float = 10.0
    log_level: str = "info"
    # A declarative set-up file (providers and rules) applied at start-up; see config_file.py.
    config: Path | None = None
    # Anthropic requires max_tokens; used when an OpenAI caller gave none.
    default_max_tokens: int = 4096
    # Failover: extra tries on the same target for transient errors, and the circuit breaker.
    retries_per_target: int = 1
    retry_backoff_base: float = 0.05
    retry_backoff_cap: float = 2.0
    breaker_threshold: int = 5
    breaker_cooldown: float = 30.0
    # The local MLX engine. Models are found in the HF cache and in ``<data_dir>/models``.
    local_max_models: int = 2
    # None: 75% of physical memory.
    local_max_memory_gb: float | None = None
    # Loaded at start and never evicted.
    local_pinned: list[str] = Field(default_factory=list)
    # None: from HF_HUB_CACHE / HF_HOME, as huggingface_hub finds it.
    hf_cache: Path | None = None

    @property
    def sqlite_path(self) -> Path:
        return self.data_dir / "mlx-manager.db"

    def resolved_database_url(self) -> str:
        """The async SQLAlchemy URL: the configured one, or the SQLite file in the data dir."""
        url = self.database_url or f"sqlite:///{self.sqlite_path}"
        return to_async_url(url)


def to_async_url(url: str) -> str:
    """Pick the async driver for a plain URL users are likely to type."""
    if url.startswith("sqlite:///"):
        return "sqlite+aiosqlite:///" + url.removeprefix("sqlite:///")
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url.removeprefix(prefix)
    return url


def to_sync_url(url: str) -> str:
    """The same database through a synchronous driver, for Alembic."""
    return url.replace("sqlite+aiosqlite://", "sqlite://", 1)
