"""The catalogue of local models the engine can serve, by name.

It remembers explicitly registered paths and rescans the disk on demand (and when a name is
missing, so a model downloaded while the server runs is found). Persisting registrations is a
storage concern that lives elsewhere.
"""

from __future__ import annotations

from pathlib import Path

from mlx_manager.backends.mlx.discovery import LocalModel, discover_models, inspect_model_dir
from mlx_manager.errors import InvalidRequest, ModelNotFound


class ModelCatalog:
    def __init__(
        self,
        *,
        hf_cache: Path | None,
        models_dir: Path | None,
        registered: dict[str, Path] | None = None,
    ) -> None:
        self._hf_cache = hf_cache
        self._models_dir = models_dir
        self._registered: dict[str, Path] = dict(registered or {})
        self._models: dict[str, LocalModel] | None = None

    def refresh(self) -> list[LocalModel]:
        found = discover_models(
            hf_cache=self._hf_cache,
            models_dir=self._models_dir,
            registered=self._registered.items(),
        )
        self._models = {m.name: m for m in found}
        return found

    def models(self) -> list[LocalModel]:
        if self._models is None:
            return self.refresh()
        return list(self._models.values())

    def get(self, name: str) -> LocalModel:
        if self._models is None or name not in self._models:
            self.refresh()
        assert self._models is not None
        if model := self._models.get(name):
            return model
        raise ModelNotFound(
            f"No local model named '{name}'. Put it in the Hugging Face cache or the models "
            "folder of the data dir, or register its path.",
            param="model",
        )

    def register(self, path: Path, *, name: str | None = None) -> LocalModel:
        """Add a model directory by path; its name defaults to the directory name."""
        path = path.expanduser().resolve()
        name = name or path.name
        model = inspect_model_dir(path, name=name, source="registered")
        if model is None:
            raise InvalidRequest(
                f"'{path}' is not a model directory: it needs a config.json and "
                "*.safetensors weights.",
                param="path",
            )
        self._registered[name] = path
        if self._models is not None:
            self._models[name] = model
        return model

    def unregister(self, name: str) -> None:
        if self._registered.pop(name, None) is not None:
            self.refresh()
