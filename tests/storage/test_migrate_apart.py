"""``mlx-manager serve`` migrates a new or old database in a child process, so Alembic never
loads into the server; the parent's own start-up then finds the schema current.

Each case runs in a fresh interpreter, as the server would: this test process has imported
Alembic through other tests, and forking it (with its threads) is not what the server does."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

PROBE = """
import json, sys
from mlx_manager.storage.migrate import is_at_head, upgrade_apart
url = sys.argv[1]
done = upgrade_apart(url)
alembic_here = any(m.split(".")[0] == "alembic" for m in sys.modules)
print(json.dumps({"done": done, "alembic_here": alembic_here, "after": done and is_at_head(url)}))
"""


def _probe(url: str) -> dict[str, object]:
    done = subprocess.run(
        [sys.executable, "-c", PROBE, url], capture_output=True, text=True, timeout=120, check=True
    )
    seen: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return seen


def test_a_new_database_is_migrated_by_a_child_and_alembic_stays_out(database_url: str) -> None:
    from mlx_manager.storage.migrate import is_at_head

    assert not is_at_head(database_url)
    assert _probe(database_url) == {"done": True, "alembic_here": False, "after": True}


def test_a_child_that_fails_says_so(tmp_path: Path) -> None:
    # A SQLite file in a directory that does not exist: the child cannot migrate it.
    url = f"sqlite:///{tmp_path / 'missing' / 'mlx-manager.db'}"
    assert _probe(url) == {"done": False, "alembic_here": False, "after": False}
