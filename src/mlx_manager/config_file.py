"""A declarative set-up file (``--config file.yaml`` / ``MLX_MANAGER_CONFIG``), for people who keep
their providers and rules in git. Applied at start-up, by name: providers are matched by
``name``, rules by ``pattern_type`` + ``pattern``; what the file does not mention is left alone.

Keys are never written in the file itself but referenced as ``${ENV_VAR}``::

    providers:
      - name: groq-team
        backend_type: groq
        api_key: ${GROQ_API_KEY}
        prices:                     # USD per million tokens, replacing the catalogue's
          llama-3.1-8b-instant: {input_per_mtok: 0.05, output_per_mtok: 0.08}
    rules:
      - pattern: fast
        pattern_type: exact
        targets:
          - {provider: groq-team, model: llama-3.1-8b-instant}
          - {provider: local, model: qwen3-4b}
      - pattern: gpt-4o
        strategy: weighted          # ordered (default), weighted, least_busy or latency
        targets:
          - {provider: openai-a, model: gpt-4o, weight: 3, first_byte_timeout: 60}
          - {provider: openai-b, model: gpt-4o, weight: 1}
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError

from mlx_manager.errors import GatewayError
from mlx_manager.protocols.table import ApiType
from mlx_manager.providers.catalogue import BackendType
from mlx_manager.providers.schemas import ModelPrices, ProviderCreate, ProviderUpdate
from mlx_manager.providers.service import ProviderService
from mlx_manager.providers.validation import InvalidFields
from mlx_manager.routing.balancing import Strategy
from mlx_manager.routing.patterns import PatternType
from mlx_manager.routing.schemas import MAX_TIMEOUT, RuleCreate, RuleUpdate, TargetSpec
from mlx_manager.routing.service import RuleService

_ENV_REF = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")


class ConfigFileError(Exception):
    """The file cannot be applied; the message says where and why (never a key's value)."""


class ProviderEntry(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str
    backend_type: BackendType
    api_type: ApiType | None = None
    base_url: str | None = None
    api_key: str | None = None
    # Left out: the stored overrides stay; given, they replace them.
    prices: ModelPrices | None = None


class TargetEntry(BaseModel):
    model_config = ConfigDict(extra="forbid")

    # A provider's name, or "local".
    provider: str
    model: str | None = None
    weight: int = Field(default=1, ge=1, le=1000)
    connect_timeout: float | None = Field(default=None, gt=0, le=MAX_TIMEOUT)
    first_byte_timeout: float | None = Field(default=None, gt=0, le=MAX_TIMEOUT)
    idle_timeout: float | None = Field(default=None, gt=0, le=MAX_TIMEOUT)


class RuleEntry(BaseModel):
    model_config = ConfigDict(extra="forbid")

    pattern: str
    pattern_type: PatternType = PatternType.EXACT
    targets: list[TargetEntry] = Field(min_length=1)
    strategy: Strategy = Strategy.ORDERED
    enabled: bool = True
    description: str = ""


class ConfigFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    providers: list[ProviderEntry] = Field(default_factory=list)
    rules: list[RuleEntry] = Field(default_factory=list)


def expand_env(text: str, *, where: str) -> str:
    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in os.environ:
            raise ConfigFileError(f"{where}: environment variable {name} is not set")
        return os.environ[name]

    return _ENV_REF.sub(value, text)


def load_config_file(path: Path) -> ConfigFile:
    try:
        raw = yaml.safe_load(path.read_text()) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigFileError(f"{path}: cannot be read as YAML ({exc})") from None
    try:
        return ConfigFile.model_validate(raw)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()
        )
        raise ConfigFileError(f"{path}: {problems}") from None


async def apply_config_file(
    config: ConfigFile, *, providers: ProviderService, rules: RuleService
) -> None:
    """Create or update every provider, then every rule, the file declares."""
    for entry in config.providers:
        with _context(f"providers[{entry.name}]"):
            await _apply_provider(entry, providers)
    for index, rule in enumerate(config.rules):
        with _context(f"rules[{index}]"):
            await _apply_rule(rule, index, providers, rules)


@contextmanager
def _context(where: str) -> Iterator[None]:
    """Validation errors from the services, told with the place in the file."""
    try:
        yield
    except InvalidFields as exc:
        raise ConfigFileError(f"{where}: {exc}") from None
    except GatewayError as exc:
        raise ConfigFileError(f"{where}: {exc.message}") from None


async def _apply_provider(entry: ProviderEntry, providers: ProviderService) -> None:
    where = f"providers[{entry.name}]"
    key = expand_env(entry.api_key, where=where) if entry.api_key is not None else None
    base_url = expand_env(entry.base_url, where=where) if entry.base_url else None
    existing = providers.directory.by_name(entry.name)
    if existing is None:
        await providers.create(
            ProviderCreate(
                name=entry.name,
                backend_type=entry.backend_type,
                api_type=entry.api_type,
                base_url=base_url,
                api_key=SecretStr(key) if key is not None else None,
                prices=entry.prices or {},
            )
        )
        return
    # A key (or prices) left out of the file keeps the stored one.
    keyed = {"api_key": SecretStr(key)} if key is not None else {}
    priced = {"prices": entry.prices} if entry.prices is not None else {}
    await providers.update(
        existing.id,
        ProviderUpdate(
            backend_type=entry.backend_type,
            api_type=entry.api_type,
            base_url=base_url,
            **keyed,
            **priced,
        ),
    )


async def _apply_rule(
    entry: RuleEntry, index: int, providers: ProviderService, rules: RuleService
) -> None:
    targets: list[TargetSpec] = []
    for target in entry.targets:
        provider_ref: int | Literal["local"] = "local"
        if target.provider != "local":
            provider = providers.directory.by_name(target.provider)
            if provider is None:
                raise ConfigFileError(
                    f"rules[{index}]: no provider named '{target.provider}' (declare it under"
                    " providers or create it first)"
                )
            provider_ref = provider.id
        targets.append(
            TargetSpec(
                provider=provider_ref,
                **target.model_dump(exclude={"provider"}),
            )
        )
    existing = next(
        (
            r
            for r in rules.router.rules
            if r.pattern == entry.pattern and r.pattern_type is entry.pattern_type
        ),
        None,
    )
    if existing is None:
        await rules.create(
            RuleCreate(
                pattern=entry.pattern,
                pattern_type=entry.pattern_type,
                targets=targets,
                strategy=entry.strategy,
                enabled=entry.enabled,
                description=entry.description,
            )
        )
    else:
        await rules.update(
            existing.id,
            RuleUpdate(
                targets=targets,
                strategy=entry.strategy,
                enabled=entry.enabled,
                description=entry.description,
            ),
        )
