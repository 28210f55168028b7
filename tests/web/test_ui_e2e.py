"""The UI end to end: the Playwright suite in ``frontend/e2e`` against the real server.

The scenarios are TypeScript (``@playwright/test``), run in Debian's headless Chromium; this test
runs them so that pytest, the main runner, covers the UI too. ``frontend/e2e/serve.py`` starts
the server with this interpreter, the built UI and the fake upstream from ``tests/fakes``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from mlx_manager.web.static_files import STATIC_DIR

FRONTEND = Path(__file__).resolve().parents[2] / "frontend"
PLAYWRIGHT = FRONTEND / "node_modules" / ".bin" / "playwright"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")


def _missing() -> list[str]:
    needs = {
        "frontend/node_modules (cd frontend && npm ci)": PLAYWRIGHT.exists(),
        "the built UI (cd frontend && npm run build)": (STATIC_DIR / "index.html").is_file(),
        f"Chromium at {CHROMIUM} (apt-get install -y chromium)": Path(CHROMIUM).exists(),
        "node": shutil.which("node") is not None,
    }
    return [what for what, present in needs.items() if not present]


@pytest.mark.slow
def test_ui_end_to_end() -> None:
    missing = _missing()
    if missing:
        message = "UI end-to-end tests need: " + "; ".join(missing)
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    env = {**os.environ, "PYTHON": sys.executable, "CHROMIUM_PATH": CHROMIUM}
    result = subprocess.run(
        [str(PLAYWRIGHT), "test", "--reporter=line"],
        cwd=FRONTEND,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, f"{result.stdout[-8000:]}\n{result.stderr[-4000:]}"
