"""The catalogue of local models the engine can serve, by name.

It remembers explicitly registered paths and rescans the disk on demand (and when a name is
missing, so a model downloaded while the server runs is found). Persisting registrations is a
storage concern that lives elsewhere.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from mlx_manager.backends.mlx.discovery import LocalModel, discover_models, inspect_model_dir
from mlx_manager.errors import Forbidden, InvalidRequest, ModelNotFound


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

    def remove(self, name: str) -> Path:
        """Delete the files of ``name``: only folders inside the models dir or the hub cache."""
        model = self.get(name)
        target = self._owned_dir(model)
        shutil.rmtree(target)
        # ``models/<org>/<name>``: an owner folder left empty goes too.
        parent = target.parent
        if self._models_dir and parent != self._models_dir.resolve() and not any(parent.iterdir()):
            parent.rmdir()
        self._registered.pop(name, None)
        self.refresh()
        return target

    def _owned_dir(self, model: LocalModel) -> Path:
        path = model.path.resolve()
        if model.source == "hf_cache":
            # ``models--org--name/snapshots/<rev>``: the whole repo folder, blobs included.
            path = path.parent.parent
        for root in (self._models_dir, self._hf_cache):
            if root is not None and path != root.resolve() and path.is_relative_to(root.resolve()):
                return path
        raise Forbidden(
            f"Model '{model.name}' lives at {model.path}, outside the models folder and the "
            "Hugging Face cache; MLX Manager deletes only folders it manages. Remove it yourself."
        )
