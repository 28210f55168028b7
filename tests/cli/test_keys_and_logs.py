"""``keys`` and ``logs tail`` against a live server."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import httpx

from tests.cli.conftest import Cli
from tests.conftest import ADMIN_TOKEN, LiveServer


def test_create_list_and_revoke_keys(cli: Cli, live_server: LiveServer) -> None:
    ran = cli(
        "keys", "create", "ci-bot", "-m", "gpt-*", "-m", "fast", "--rpm", "60", "--tpm", "9000"
    )
    assert ran.code == 0, ran.err
    secret = ran.out.strip()
    assert secret.startswith("mmk_")
    assert "only time it is shown" in ran.err and "60 req/min, 9000 tok/min" in ran.err
    created = json.loads(cli.ok("keys", "create", "other", "--expires", "2099-01-01", "--json"))
    assert created["key"].startswith("mmk_") and created["expires_at"].startswith("2099-01-01")

    table = cli.ok("keys", "list")
    assert "ci-bot" in table and "gpt-*, fast" in table and "60 req/min" in table
    assert secret not in table and created["key"] not in table
    listed = json.loads(cli.ok("keys", "list", "--json"))
    assert [k["name"] for k in listed] == ["ci-bot", "other"]
    assert "key" not in listed[0] and secret not in json.dumps(listed)

    # The key works on /v1 until revoked.
    v1 = httpx.get(
        f"{live_server.base_url}/v1/models", headers={"Authorization": f"Bearer {secret}"}
    )
    assert v1.status_code == 200
    assert "Revoked key 'ci-bot'" in cli.ok("keys", "revoke", "ci-bot")
    revoked = json.loads(cli.ok("keys", "revoke", str(created["id"]), "--json"))
    assert revoked["revoked"] is True
    v1 = httpx.get(
        f"{live_server.base_url}/v1/models", headers={"Authorization": f"Bearer {secret}"}
    )
    assert v1.status_code == 401
    assert "revoked" in cli.ok("keys", "list")


def test_bad_key_input_says_so_and_creates_nothing(cli: Cli, admin: httpx.Client) -> None:
    line = cli.fails("keys", "create", "x", "--rpm", "0")
    assert "requests_per_minute" in line and "(422)" in line
    assert "There is no key 'ghost'" in cli.fails("keys", "revoke", "ghost")
    assert admin.get("/api/keys").json()["keys"] == []


def _requests(live_server: LiveServer, *models: str) -> None:
    for model in models:
        httpx.post(
            f"{live_server.base_url}/v1/chat/completions",
            json={"model": model, "messages": [{"role": "user", "content": "hi"}]},
        )


def _logged(admin: httpx.Client, count: int) -> None:
    deadline = time.monotonic() + 10
    while len(admin.get("/api/logs").json()["items"]) < count:
        assert time.monotonic() < deadline, "the request log was not written"
        time.sleep(0.1)


def test_tail_shows_the_latest_requests_oldest_first(
    cli: Cli, live_server: LiveServer, admin: httpx.Client
) -> None:
    _requests(live_server, "first-model", "second-model", "third-model")
    _logged(admin, 3)

    table = cli.ok("logs", "tail", "-n", "2")
    assert "first-model" not in table
    assert table.index("second-model") < table.index("third-model")
    assert "/v1/chat/completions" in table
    rows = [json.loads(line) for line in cli.ok("logs", "tail", "--json").splitlines()]
    assert [r["model_requested"] for r in rows] == ["first-model", "second-model", "third-model"]
    only = cli.ok("logs", "tail", "--model", "first-model", "--json").splitlines()
    assert len(only) == 1
    assert "'status' is an HTTP status" in cli.fails("logs", "tail", "--status", "abc")


def test_tail_follow_prints_new_requests_as_they_come(
    live_server: LiveServer, admin: httpx.Client, tmp_path: Path
) -> None:
    _requests(live_server, "before-model")
    _logged(admin, 1)
    out = tmp_path / "out.jsonl"
    env = {k: v for k, v in os.environ.items() if not k.startswith("MLX_MANAGER_")}
    with out.open("w") as stdout:
        process = subprocess.Popen(
            [
                sys.executable, "-m", "mlx_manager", "--url", live_server.base_url,
                "--token", ADMIN_TOKEN, "logs", "tail", "-n", "0", "--follow",
                "--interval", "0.2", "--json",
            ],
            stdout=stdout,
            stderr=subprocess.DEVNULL,
            env=env,
        )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        sent: list[str] = []
        seen: list[str] = []
        while time.monotonic() < deadline and len(seen) < 2:
            assert process.poll() is None
            sent.append(f"live-{len(sent)}")
            _requests(live_server, sent[-1])
            time.sleep(0.5)
            seen = [json.loads(line)["model_requested"] for line in out.read_text().splitlines()]
        # Each new row once, in the order the requests came (those sent while it was still
        # starting are not new to it); none from before.
        assert len(seen) >= 2 and seen[0] in sent
        first = sent.index(seen[0])
        assert seen == sent[first : first + len(seen)]
    finally:
        process.terminate()
        process.wait(timeout=10)
