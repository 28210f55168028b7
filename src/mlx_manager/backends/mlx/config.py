"""The local engine's settings, as plain values the app fills from its own settings."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path


def physical_memory() -> int | None:
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        return None


def default_memory_limit() -> int | None:
    """Three quarters of physical memory: room is left for the KV caches and the system."""
    total = physical_memory()
    return total * 3 // 4 if total else None


@dataclass(frozen=True, slots=True)
class EngineConfig:
    # ``<data_dir>/models`` is scanned for models; None: no models folder.
    data_dir: Path | None = None
    # None: resolved from HF_HUB_CACHE / HF_HOME like huggingface_hub does.
    hf_cache: Path | None = None
    # Explicitly registered model directories, by name.
    registered: dict[str, Path] = field(default_factory=dict)
    max_loaded_models: int = 2
    max_memory_bytes: int | None = field(default_factory=default_memory_limit)
    # Used when a request sets no max_tokens.
    default_max_tokens: int = 2048
    # Sequences decoded together per model, and prompts prefilled together.
    completion_batch_size: int = 16
    prefill_batch_size: int = 8
    prefill_step_size: int = 2048
    # KV caches of recent requests kept for reuse by prompts that share their prefix; 0: off.
    prompt_cache_bytes: int = 2 * 1024**3

    @property
    def models_dir(self) -> Path | None:
        return self.data_dir / "models" if self.data_dir else None
