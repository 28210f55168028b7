"""Finding local model directories on disk: pure functions over the file system.

Three places are looked at: the Hugging Face hub cache (``models--org--name/snapshots/<rev>``),
the ``models/`` folder under the data dir, and paths registered explicitly. A directory counts as
a model when it holds a ``config.json`` and at least one ``*.safetensors`` file.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

ModelKind = Literal["text", "embeddings"]
ModelSource = Literal["hf_cache", "models_dir", "registered"]

# Architectures whose checkpoints produce embeddings rather than text.
_EMBEDDING_TYPES = frozenset(
    {"bert", "roberta", "xlm-roberta", "nomic_bert", "modernbert", "distilbert", "e5", "bge"}
)


@dataclass(frozen=True, slots=True)
class LocalModel:
    name: str
    path: Path
    size_bytes: int
    architecture: str | None
    kind: ModelKind
    source: ModelSource


def hf_cache_dir(env: Mapping[str, str] | None = None) -> Path:
    """The hub cache as ``huggingface_hub`` resolves it: HF_HUB_CACHE, then HF_HOME/hub."""
    env = os.environ if env is None else env
    if cache := env.get("HF_HUB_CACHE"):
        return Path(cache).expanduser()
    if home := env.get("HF_HOME"):
        return Path(home).expanduser() / "hub"
    xdg = env.get("XDG_CACHE_HOME")
    base = Path(xdg).expanduser() if xdg else Path.home() / ".cache"
    return base / "huggingface" / "hub"


def is_model_dir(path: Path) -> bool:
    return (path / "config.json").is_file() and any(path.glob("*.safetensors"))


def dir_size(path: Path) -> int:
    """Bytes on disk of the files in ``path``, following the hub cache's blob symlinks."""
    total = 0
    for file in path.rglob("*"):
        if file.is_file():
            total += file.stat().st_size
    return total


def weights_size(path: Path) -> int:
    """Bytes of the weight files: the estimate of the memory a loaded model takes."""
    return sum(f.stat().st_size for f in path.glob("*.safetensors") if f.is_file())


def _read_config(path: Path) -> Mapping[str, object]:
    try:
        config = json.loads((path / "config.json").read_text())
    except (OSError, ValueError):
        return {}
    return config if isinstance(config, dict) else {}


def detect_kind(path: Path, config: Mapping[str, object]) -> ModelKind:
    if (path / "config_sentence_transformers.json").exists() or (path / "modules.json").exists():
        return "embeddings"
    model_type = config.get("model_type")
    if isinstance(model_type, str) and model_type.lower() in _EMBEDDING_TYPES:
        return "embeddings"
    architectures = config.get("architectures")
    if isinstance(architectures, list) and any(
        isinstance(a, str) and ("Embedding" in a or a.endswith("Model")) for a in architectures
    ):
        return "embeddings"
    return "text"


def inspect_model_dir(path: Path, *, name: str, source: ModelSource) -> LocalModel | None:
    """Describe the model in ``path``, or ``None`` when it is not a model directory."""
    if not is_model_dir(path):
        return None
    config = _read_config(path)
    model_type = config.get("model_type")
    return LocalModel(
        name=name,
        path=path,
        size_bytes=dir_size(path),
        architecture=model_type if isinstance(model_type, str) else None,
        kind=detect_kind(path, config),
        source=source,
    )


def _hf_snapshot(repo_dir: Path) -> Path | None:
    """The snapshot ``refs/main`` points at, else the newest one."""
    snapshots = repo_dir / "snapshots"
    if not snapshots.is_dir():
        return None
    ref = repo_dir / "refs" / "main"
    if ref.is_file():
        pinned = snapshots / ref.read_text().strip()
        if pinned.is_dir():
            return pinned
    candidates = [p for p in snapshots.iterdir() if p.is_dir()]
    return max(candidates, key=lambda p: p.stat().st_mtime, default=None)


def scan_hf_cache(cache: Path) -> list[LocalModel]:
    if not cache.is_dir():
        return []
    found = []
    for repo_dir in sorted(cache.glob("models--*")):
        snapshot = _hf_snapshot(repo_dir)
        if snapshot is None:
            continue
        # ``models--org--name`` is ``org/name``; repo names may hold ``--`` only after the org.
        repo_id = repo_dir.name.removeprefix("models--").replace("--", "/", 1)
        if model := inspect_model_dir(snapshot, name=repo_id, source="hf_cache"):
            found.append(model)
    return found


def scan_models_dir(models_dir: Path) -> list[LocalModel]:
    """Models in ``models_dir/<name>`` or, grouped by owner, ``models_dir/<org>/<name>``."""
    if not models_dir.is_dir():
        return []
    found = []
    for child in sorted(p for p in models_dir.iterdir() if p.is_dir()):
        if model := inspect_model_dir(child, name=child.name, source="models_dir"):
            found.append(model)
            continue
        for grandchild in sorted(p for p in child.iterdir() if p.is_dir()):
            name = f"{child.name}/{grandchild.name}"
            if model := inspect_model_dir(grandchild, name=name, source="models_dir"):
                found.append(model)
    return found


def discover_models(
    *,
    hf_cache: Path | None,
    models_dir: Path | None,
    registered: Iterable[tuple[str, Path]] = (),
) -> list[LocalModel]:
    """Every model found; on a name clash the first wins: registered, models dir, hub cache."""
    found: dict[str, LocalModel] = {}
    for name, path in registered:
        if model := inspect_model_dir(path, name=name, source="registered"):
            found.setdefault(name, model)
    for model in scan_models_dir(models_dir) if models_dir else []:
        found.setdefault(model.name, model)
    for model in scan_hf_cache(hf_cache) if hf_cache else []:
        found.setdefault(model.name, model)
    return list(found.values())
