"""Start the real server with the built UI, plus a fake upstream, for the Playwright tests.

Prints one JSON line (``{"url", "upstream", "token"}``), then serves until terminated; the
caller waits for ``/health``. Outbound HTTP to anything but loopback goes through a proxy
address where nothing listens, so a credential with a cloud default URL fails its connection
test at once and no request leaves the machine.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path

import uvicorn

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.fakes.upstream import FakeUpstream, Reply, closed_port_url, free_port

from mlx_manager.app import create_app
from mlx_manager.settings import Settings
from mlx_manager.web.static_files import MOUNT_NAME, STATIC_DIR, mount_web

# A throwaway server's credentials.
TOKEN = "e2e-admin-token"  # noqa: S105
SECRET = "e2e-secret"  # noqa: S105
MODELS = {"data": [{"id": "claude-fake-1"}, {"id": "claude-fake-2"}]}


def main() -> int:
    if not (STATIC_DIR / "index.html").is_file():
        print("The UI is not built: run `npm run build` in frontend/ first.", file=sys.stderr)
        return 2
    dead_end = closed_port_url()
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY"):
        os.environ[name] = dead_end
    os.environ["NO_PROXY"] = "127.0.0.1,localhost"
    upstream = FakeUpstream().start()
    upstream.reply("/v1/models", Reply(json=MODELS))
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="mlxm-e2e-") as data_dir:
        settings = Settings(
            data_dir=Path(data_dir),
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
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
