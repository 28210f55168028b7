from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from mlx_manager.backends.mlx import ModelCatalog, discover_models, hf_cache_dir
from mlx_manager.backends.mlx.discovery import scan_hf_cache, scan_models_dir
from mlx_manager.errors import InvalidRequest, ModelNotFound


def _write_model(path: Path, *, model_type: str = "llama", weights: bytes = b"w" * 100) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    (path / "config.json").write_text(json.dumps({"model_type": model_type}))
    (path / "model.safetensors").write_bytes(weights)
    return path


def _write_hf_repo(cache: Path, repo_id: str, *, revision: str = "abc123") -> Path:
    """The hub cache layout: blobs, a snapshot of symlinks to them, refs/main."""
    repo = cache / ("models--" + repo_id.replace("/", "--"))
    blobs = repo / "blobs"
    blobs.mkdir(parents=True)
    (blobs / "cfg").write_text(json.dumps({"model_type": "qwen2"}))
    (blobs / "wts").write_bytes(b"x" * 1000)
    snapshot = repo / "snapshots" / revision
    snapshot.mkdir(parents=True)
    os.symlink(blobs / "cfg", snapshot / "config.json")
    os.symlink(blobs / "wts", snapshot / "model.safetensors")
    (repo / "refs").mkdir()
    (repo / "refs" / "main").write_text(revision)
    return snapshot


def test_hf_cache_dir_follows_hub_conventions(tmp_path: Path) -> None:
    assert hf_cache_dir({"HF_HUB_CACHE": str(tmp_path / "c")}) == tmp_path / "c"
    assert hf_cache_dir({"HF_HOME": str(tmp_path / "h")}) == tmp_path / "h" / "hub"
    assert hf_cache_dir({"XDG_CACHE_HOME": str(tmp_path)}) == tmp_path / "huggingface" / "hub"


def test_hf_cache_snapshot_is_found_with_repo_id_and_real_size(tmp_path: Path) -> None:
    snapshot = _write_hf_repo(tmp_path, "mlx-community/Tiny-4bit")
    # An older snapshot that refs/main does not point at is ignored.
    _write_model(snapshot.parent / "old")
    # A repo without weights is not a model.
    (tmp_path / "models--org--empty" / "snapshots" / "r").mkdir(parents=True)

    [model] = scan_hf_cache(tmp_path)

    assert model.name == "mlx-community/Tiny-4bit"
    assert model.path == snapshot
    assert model.size_bytes > 1000  # symlinks followed to the blobs
    assert model.architecture == "qwen2"
    assert model.kind == "text"
    assert model.source == "hf_cache"


def test_models_dir_flat_and_grouped_by_owner(tmp_path: Path) -> None:
    _write_model(tmp_path / "plain")
    _write_model(tmp_path / "org" / "grouped")
    embed = _write_model(tmp_path / "embedder", model_type="bert")
    (tmp_path / "not-a-model").mkdir()

    models = {m.name: m for m in scan_models_dir(tmp_path)}

    assert set(models) == {"plain", "org/grouped", "embedder"}
    assert models["embedder"].kind == "embeddings"
    assert models["embedder"].path == embed
    assert models["plain"].size_bytes == 100 + len(json.dumps({"model_type": "llama"}))


def test_discover_merges_sources_registered_first(tmp_path: Path) -> None:
    _write_hf_repo(tmp_path / "hf", "org/shared")
    _write_model(tmp_path / "models" / "local")
    registered = _write_model(tmp_path / "elsewhere" / "mine")

    models = discover_models(
        hf_cache=tmp_path / "hf",
        models_dir=tmp_path / "models",
        registered=[("local", registered)],
    )

    by_name = {m.name: m for m in models}
    assert set(by_name) == {"org/shared", "local"}
    assert by_name["local"].source == "registered"


def test_catalog_get_register_and_unknown(tmp_path: Path) -> None:
    catalog = ModelCatalog(hf_cache=tmp_path / "hf", models_dir=tmp_path / "models")
    assert catalog.models() == []
    with pytest.raises(ModelNotFound):
        catalog.get("nope")

    # A model that appears on disk later is found on the next lookup.
    _write_model(tmp_path / "models" / "late")
    assert catalog.get("late").source == "models_dir"

    model = catalog.register(_write_model(tmp_path / "x" / "dir"), name="alias")
    assert catalog.get("alias") == model
    with pytest.raises(InvalidRequest):
        catalog.register(tmp_path / "x")
    catalog.unregister("alias")
    with pytest.raises(ModelNotFound):
        catalog.get("alias")
