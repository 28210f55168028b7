"""Print the server's OpenAPI schema as JSON, for generating the UI's API types.

Run with the repository's venv: ``../.venv/bin/python scripts/dump_openapi.py``. It builds the
app exactly as the server does (``create_app``) without starting it, so nothing is written.
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

from mlx_manager.app import create_app
from mlx_manager.settings import Settings


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        # Set, so that nothing is generated; the schema does not depend on them.
        unused = "unused"
        app = create_app(Settings(data_dir=Path(tmp), admin_token=unused, secret_key=unused))
        schema = app.openapi()
    json.dump(schema, sys.stdout, indent=2, sort_keys=True)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
