"""Settings from ``MLX_MANAGER_*`` environment variables (pydantic-settings)."""

from __future__ import annotations

import ipaddress
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

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
    # Failover: an extra try on the same target for transient errors, while the retry budget
    # (a share of requests, plus a floor per second) allows.
    retries_per_target: int = Field(default=1, ge=0, le=5)
    retry_backoff_base: float = 0.05
    retry_backoff_cap: float = 2.0
    retry_budget_ratio: float = Field(default=0.2, ge=0, le=1)
    retry_budget_min_per_second: float = Field(default=1.0, ge=0)
    # Target health (``routing/health.py``): a target whose failure rate over the window reaches
    # the threshold, with at least ``health_min_requests`` in it, is out for a cool-down that
    # starts at ``_cooldown_base`` and doubles while failures go on, up to ``_cooldown_max``.
    health_window: float = Field(default=10.0, gt=0)
    health_min_requests: int = Field(default=5, ge=1)
    health_failure_rate: float = Field(default=0.5, gt=0, le=1)
    health_cooldown_base: float = Field(default=1.0, gt=0)
    health_cooldown_max: float = Field(default=30.0, gt=0)
    # The longest back-off a 429's Retry-After may ask for.
    rate_limit_backoff_max: float = Field(default=60.0, gt=0)
    # Provider timeouts (seconds), unless a rule target sets its own: connecting, the reply's
    # start (a stream's first event, or a whole non-streamed reply), a stream's silence after.
    upstream_connect_timeout: float = Field(default=10.0, gt=0)
    upstream_first_byte_timeout: float = Field(default=300.0, gt=0)
    upstream_idle_timeout: float = Field(default=120.0, gt=0)
    # The local MLX engine. Models are found in the HF cache and in ``<data_dir>/models``.
    local_max_models: int = 2
    # None: 75% of physical memory.
    local_max_memory_gb: float | None = None
    # Loaded at start and never evicted.
    local_pinned: list[str] = Field(default_factory=list)
    # KV caches of recent local requests, reused when a prompt starts with their tokens (an agent
    # resending its growing conversation prefills only the new turn); 0 turns it off. A fixed
    # 2 GiB: a 4k-token conversation of a 7-8B GQA model takes about 0.5 GiB, so a few live
    # conversations fit, and it stays inside the quarter of memory the model budget leaves free.
    prompt_cache_bytes: int = Field(default=2 * 1024**3, ge=0)
    # None: from HF_HUB_CACHE / HF_HOME, as huggingface_hub finds it.
    hf_cache: Path | None = None
    # Who may call: with no gateway key, /v1 is open only on a loopback host, or with this set.
    allow_open: bool = False
    # Proxies (addresses or CIDR networks) whose X-Forwarded-For names the client; else the socket.
    trusted_proxies: Annotated[list[str], NoDecode] = Field(default_factory=list)
    # Provider base URLs at link-local (169.254.0.0/16, fe80::/10) or cloud-metadata addresses
    # are refused unless this is on: there a stored key or forged call reaches the host's secrets.
    allow_link_local_upstreams: bool = False
    # UI sessions: lifetime of a sign-in, and the Secure flag of its cookie (off only for plain
    # HTTP on a LAN, where browsers would drop a Secure cookie).
    session_ttl_minutes: int = Field(default=720, ge=1)
    cookie_secure: bool = True
    # Failed sign-ins allowed per client address per minute.
    sign_in_attempts_per_minute: int = Field(default=10, ge=1)
    # How often gateway keys' last-used times are written and other replicas' changes read.
    key_sync_interval: float = Field(default=5.0, gt=0)
    # Shared mode (several replicas): Redis carries change notices, rate limits and target health.
    # Empty: one process, nothing shared. The prefix namespaces keys and channels.
    redis_url: SecretStr | None = None
    redis_prefix: str = "mlx-manager"
    # Seconds a Redis command may take before this replica falls back to per-replica state.
    redis_timeout: float = Field(default=1.0, gt=0)
    # Seconds between checks that no change notice was missed (reloads while Redis is down).
    shared_check_interval: float = Field(default=5.0, gt=0)
    # Worker processes of ``mlx-manager serve``; more than one needs ``redis_url``.
    workers: int = Field(default=1, ge=1)
    # Bad input: body size (images ride inline, hence 20 MB), counts and JSON nesting of /v1 bodies.
    max_body_bytes: int = Field(default=20 * 1024 * 1024, ge=1024)
    max_messages: int = Field(default=2000, ge=1)
    max_tools: int = Field(default=512, ge=1)
    max_json_depth: int = Field(default=64, ge=4)
    # Operating it. Logs: "text", or "json" lines; each line carries the request id.
    log_format: Literal["text", "json"] = "text"
    # A line per request from uvicorn (written by a thread of its own); the request log records
    # every request either way.
    access_log: bool = False
    # On SIGTERM: seconds to let requests and streams in flight finish before they are cut.
    drain_timeout: int = Field(default=30, ge=0)
    # The request log: prompt and completion text only when this is on; kept by age and count.
    request_log_content: bool = False
    request_log_retention_days: float | None = Field(default=30.0, gt=0)
    request_log_max_rows: int | None = Field(default=1_000_000, ge=1)
    # Rows held in memory while the database is slow or down; beyond, the oldest are dropped.
    request_log_queue_size: int = Field(default=10_000, ge=1)
    request_log_flush_interval: float = Field(default=0.5, gt=0)
    request_log_prune_interval: float = Field(default=300.0, gt=0)
    # What the local engine's tokens cost, in USD per million (power, hardware): free by default.
    local_input_per_mtok: float = Field(default=0.0, ge=0)
    local_output_per_mtok: float = Field(default=0.0, ge=0)
    # The browser boundary of /v1 (api/browser_boundary.py). Origins (``https://app.example``)
    # whose pages may call /v1 besides the UI's own; names the Host header may carry besides
    # the loopback names and the bound host (``*``: any; ``*.example.com``: its subdomains).
    allowed_origins: Annotated[list[str], NoDecode] = Field(default_factory=list)
    allowed_hosts: Annotated[list[str], NoDecode] = Field(default_factory=list)
    # Which providers' own models ``GET /v1/models`` lists, as ``provider/model``: ``*`` every
    # provider's, names (comma-separated) those providers', empty (or ``none``) none.
    list_provider_models: Annotated[list[str], NoDecode] = Field(default_factory=lambda: ["*"])
    # ``GET /metrics`` needs ``Authorization: Bearer <this>`` when set; open when empty.
    metrics_token: SecretStr | None = None
    # Seconds any one database step may take: a pooled connection, connecting, a statement.
    database_timeout: float = Field(default=5.0, gt=0)

    @field_validator(
        "trusted_proxies", "allowed_origins", "allowed_hosts", "list_provider_models", mode="before"
    )
    @classmethod
    def _split_lists(cls, value: object) -> object:
        # ``MLX_MANAGER_TRUSTED_PROXIES=10.0.0.1,10.1.0.0/16``
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    @field_validator("list_provider_models")
    @classmethod
    def _none_is_empty(cls, value: list[str]) -> list[str]:
        return [] if value == ["none"] else value

    def lists_models_of(self, provider: str) -> bool:
        """Whether ``GET /v1/models`` lists the models of the provider named ``provider``."""
        return "*" in self.list_provider_models or provider in self.list_provider_models

    @property
    def loopback_only(self) -> bool:
        """Whether the server listens on a loopback interface only (so /v1 may stay open)."""
        if self.host == "localhost":
            return True
        try:
            return ipaddress.ip_address(self.host).is_loopback
        except ValueError:
            return False

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
