"""Start the real server with the built UI, plus a fake upstream, for the Playwright tests.

Prints one JSON line (``{"url", "upstream", "token"}``), then serves until terminated; the
caller waits for ``/health``. Outbound HTTP to anything but loopback goes through a proxy
address where nothing listens, so a credential with a cloud default URL fails its connection
test at once and no request leaves the machine.

The upstream is the echo model of ``tests/fakes/llm.py`` (both protocols, streaming, usage).
The data dir's ``models/`` holds a tiny MLX model (``tests/tiny_model.py``), and a fake Hugging
Face Hub on loopback serves two more, one quick and one slow, for downloads.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path

import huggingface_hub.constants
import uvicorn

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.fakes.hub import FakeHub
from tests.fakes.llm import serve_echo_model
from tests.fakes.upstream import FakeUpstream, Reply, closed_port_url, free_port
from tests.tiny_model import build_tiny_model

from mlx_manager.app import create_app
from mlx_manager.settings import Settings
from mlx_manager.web.static_files import MOUNT_NAME, STATIC_DIR, mount_web

# A throwaway server's credentials.
TOKEN = "e2e-admin-token"  # noqa: S105
SECRET = "e2e-secret"  # noqa: S105
MODELS = {"data": [{"id": "claude-fake-1"}, {"id": "claude-fake-2"}]}
LOCAL_MODEL = "tiny-llama"
# On the fake hub: one that downloads in a few seconds, one slow enough to cancel.
HUB_QUICK = "e2e-org/tiny-quick"
HUB_SLOW = "e2e-org/tiny-slow"


class PacedHub(FakeHub):
    """Files of the quick repo take about two seconds, those of the slow one half a minute."""

    async def _body(self, key: str, content: bytes) -> AsyncIterator[bytes]:
        slow = key.startswith(HUB_SLOW + "/")
        size, delay = (2 * 1024, 0.1) if slow else (16 * 1024, 0.05)
        for offset in range(0, len(content), size):
            chunk = content[offset : offset + size]
            self.served[key] += len(chunk)
            yield chunk
            await asyncio.sleep(delay)


def start_hub(folder: Path) -> FakeHub:
    """The fake Hub, with huggingface_hub pointed at it (it reads the endpoint at import)."""
    model = build_tiny_model(folder / "hub-model")
    hub = PacedHub()
    hub.add_repo(HUB_QUICK, model)
    hub.add_repo(HUB_SLOW, model)
    os.environ["HF_ENDPOINT"] = hub.endpoint
    os.environ.pop("HF_TOKEN", None)
    huggingface_hub.constants.ENDPOINT = hub.endpoint
    huggingface_hub.constants.HUGGINGFACE_CO_URL_TEMPLATE = (
        hub.endpoint + "/{repo_id}/resolve/{revision}/{filename}"
    )
    return hub.start()


def main() -> int:
    if not (STATIC_DIR / "index.html").is_file():
        print("The UI is not built: run `npm run build` in frontend/ first.", file=sys.stderr)
        return 2
    dead_end = closed_port_url()
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY"):
        os.environ[name] = dead_end
    os.environ["NO_PROXY"] = "127.0.0.1,localhost"
    upstream = FakeUpstream().start()
    serve_echo_model(upstream)
    upstream.reply("/v1/models", Reply(json=MODELS))
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="mlxm-e2e-") as data_dir:
        build_tiny_model(Path(data_dir) / "models" / LOCAL_MODEL)
        hub = start_hub(Path(data_dir) / "hub")
        settings = Settings(
            data_dir=Path(data_dir),
            # An empty cache: only the e2e models, never the ones of whoever runs the tests.
            hf_cache=Path(data_dir) / "hf-cache",
            admin_token=TOKEN,
            secret_key=SECRET,
            provider_test_timeout=2.0,
            port=port,
        )
        app = create_app(settings)
        # Once create_app mounts the UI itself, this is skipped.
        if not any(getattr(route, "name", None) == MOUNT_NAME for route in app.routes):
            mount_web(app, STATIC_DIR)
        url = f"http://127.0.0.1:{port}"
        print(json.dumps({"url": url, "upstream": upstream.base_url, "token": TOKEN}), flush=True)
        config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning")
        try:
            uvicorn.Server(config).run()
        finally:
            upstream.stop()
            hub.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
