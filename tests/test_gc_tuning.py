"""The collector is tuned in a serving process only, once its lifespan has started.

Each case runs in a child interpreter: freezing this test process's heap would keep every later
test's garbage cycles alive."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from mlx_manager.gc_tuning import YOUNG_THRESHOLD

PROBE = """
import asyncio, gc, json, sys
from mlx_manager.app import create_app
from mlx_manager.settings import Settings

async def main() -> None:
    app = create_app(Settings(data_dir=sys.argv[1], secret_key="s", admin_token="t"),
                     serving=sys.argv[2] == "serving")
    before = gc.get_freeze_count()
    async with app.router.lifespan_context(app):
        print(json.dumps({"before": before, "frozen": gc.get_freeze_count(),
                          "threshold": gc.get_threshold()}))

asyncio.run(main())
"""


def _probe(data_dir: Path, mode: str) -> dict[str, object]:
    done = subprocess.run(
        [sys.executable, "-c", PROBE, str(data_dir), mode],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def test_a_serving_app_freezes_its_start_up_heap(tmp_path: Path) -> None:
    seen = _probe(tmp_path / "data", "serving")
    assert seen["before"] == 0
    # Everything start-up built is out of later collections.
    assert isinstance(seen["frozen"], int) and seen["frozen"] > 100_000
    assert seen["threshold"] == [YOUNG_THRESHOLD, 10, 10]


def test_an_app_built_for_tests_leaves_the_collector_alone(tmp_path: Path) -> None:
    seen = _probe(tmp_path / "data", "test")
    assert seen["frozen"] == 0
    assert seen["threshold"] == [700, 10, 10]
