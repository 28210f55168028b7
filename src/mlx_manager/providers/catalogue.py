"""The provider catalogue: one row per backend type. Adding a provider is adding a row."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Literal

from mlx_manager.protocols.table import ApiType


class BackendType(StrEnum):
    LOCAL = "local"
    OPENAI = "openai"
    ANTHROPIC = "anthropic"
    TOGETHER = "together"
    GROQ = "groq"
    FIREWORKS = "fireworks"
    MISTRAL = "mistral"
    DEEPSEEK = "deepseek"
    OPENAI_COMPATIBLE = "openai_compatible"
    ANTHROPIC_COMPATIBLE = "anthropic_compatible"


@dataclass(frozen=True, slots=True)
class ProviderSpec:
    backend_type: BackendType
    label: str
    api_type: ApiType
    # None: the user must give a base URL (self-hosted and other compatible endpoints).
    default_base_url: str | None
    # Whether a key is normally needed; compatible endpoints often run without one.
    key_required: bool = True
    # Protocols a credential of this type may choose; empty means only ``api_type``.
    other_api_types: tuple[ApiType, ...] = ()
    # OpenAI's own API wants ``max_completion_tokens`` (reasoning models refuse ``max_tokens``);
    # compatible servers commonly know only ``max_tokens``.
    max_tokens_field: Literal["max_tokens", "max_completion_tokens"] = "max_tokens"

    @property
    def api_types(self) -> tuple[ApiType, ...]:
        return (self.api_type, *self.other_api_types)


CATALOGUE: tuple[ProviderSpec, ...] = (
    ProviderSpec(
        BackendType.OPENAI,
        "OpenAI",
        ApiType.OPENAI,
        "https://api.openai.com",
        max_tokens_field="max_completion_tokens",
    ),
    ProviderSpec(
        BackendType.ANTHROPIC, "Anthropic", ApiType.ANTHROPIC, "https://api.anthropic.com"
    ),
    ProviderSpec(BackendType.TOGETHER, "Together AI", ApiType.OPENAI, "https://api.together.xyz"),
    ProviderSpec(BackendType.GROQ, "Groq", ApiType.OPENAI, "https://api.groq.com/openai"),
    ProviderSpec(
        BackendType.FIREWORKS, "Fireworks AI", ApiType.OPENAI, "https://api.fireworks.ai/inference"
    ),
    ProviderSpec(BackendType.MISTRAL, "Mistral", ApiType.OPENAI, "https://api.mistral.ai"),
    # DeepSeek also serves the Anthropic protocol (under /anthropic, given as the base URL).
    ProviderSpec(
        BackendType.DEEPSEEK,
        "DeepSeek",
        ApiType.OPENAI,
        "https://api.deepseek.com",
        other_api_types=(ApiType.ANTHROPIC,),
    ),
    ProviderSpec(
        BackendType.OPENAI_COMPATIBLE, "OpenAI-compatible", ApiType.OPENAI, None, key_required=False
    ),
    ProviderSpec(
        BackendType.ANTHROPIC_COMPATIBLE,
        "Anthropic-compatible",
        ApiType.ANTHROPIC,
        None,
        key_required=False,
    ),
)

_BY_TYPE = {spec.backend_type: spec for spec in CATALOGUE}


def spec_for(backend_type: BackendType) -> ProviderSpec:
    """The catalogue row of a cloud type; ``local`` has none (it is not a credential)."""
    try:
        return _BY_TYPE[backend_type]
    except KeyError:
        raise ValueError(f"'{backend_type}' is not a cloud provider type") from None


CLOUD_TYPES: tuple[BackendType, ...] = tuple(spec.backend_type for spec in CATALOGUE)
