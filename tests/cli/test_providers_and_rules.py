"""``providers`` and ``rules`` against a live server, with a fake upstream on loopback."""

from __future__ import annotations

import io
import json
import sys

import httpx
import pytest

from tests.cli.conftest import Cli
from tests.fakes.upstream import FakeUpstream, Reply

KEY = "sk-test-secret-abcd1234"
MODELS = {"object": "list", "data": [{"id": "llama-3.1-8b"}, {"id": "gemma-2"}]}


def _add_upstream(cli: Cli, upstream: FakeUpstream, name: str = "lab") -> None:
    cli.ok(
        "providers", "add", name, "--type", "openai_compatible",
        "--base-url", f"{upstream.base_url}/v1", "--api-key", KEY,
    )  # fmt: skip


def test_types_show_the_catalogues_defaults(cli: Cli) -> None:
    out = cli.ok("providers", "types")
    row = next(line for line in out.splitlines() if " openai " in line)
    assert "https://api.openai.com" in row
    defaults = {d["backend_type"]: d for d in json.loads(cli.ok("providers", "types", "--json"))}
    assert defaults["groq"]["base_url"] == "https://api.groq.com/openai"


def test_add_list_test_and_remove_a_provider(
    cli: Cli, upstream: FakeUpstream, admin: httpx.Client
) -> None:
    upstream.reply("/v1/models", Reply(json=MODELS))
    added = cli.ok("providers", "add", "groq-team", "--type", "groq", "--api-key", KEY)
    assert "Added provider 'groq-team'" in added and "https://api.groq.com" in added
    assert "…1234" in added and KEY not in added
    _add_upstream(cli, upstream)

    table = cli.ok("providers", "list")
    assert "groq-team" in table and "(default)" in table and "…1234" in table
    assert KEY not in table
    listed = json.loads(cli.ok("providers", "list", "--json"))
    assert [p["name"] for p in listed] == ["groq-team", "lab"]
    assert KEY not in json.dumps(listed)

    tested = cli.ok("providers", "test", "lab")
    assert "lab: ok in" in tested and "2 models" in tested and "llama-3.1-8b" in tested
    assert upstream.received[-1].headers["authorization"] == f"Bearer {KEY}"
    result = json.loads(cli.ok("providers", "test", "lab", "--json"))
    assert result["ok"] is True and sorted(result["models"]) == ["gemma-2", "llama-3.1-8b"]

    upstream.reply("/v1/models", Reply(status=401, json={"error": {"message": "bad key"}}))
    failed = cli("providers", "test", "lab")
    assert failed.code == 1 and "lab: failed (401)" in failed.out

    assert "Removed provider 'groq-team'" in cli.ok("providers", "rm", "groq-team")
    remaining = admin.get("/api/settings/providers").json()["providers"]
    assert [p["name"] for p in remaining] == ["lab"]


def test_bad_provider_input_says_so_and_changes_nothing(cli: Cli, admin: httpx.Client) -> None:
    line = cli.fails("providers", "add", "x", "--type", "nonsense")
    assert "backend_type" in line and "(422)" in line
    line = cli.fails("providers", "add", "x", "--type", "openai_compatible")
    assert "base URL" in line or "base_url" in line
    assert "There is no provider 'ghost'" in cli.fails("providers", "rm", "ghost")
    assert "There is no provider 'ghost'" in cli.fails("providers", "test", "ghost")
    assert admin.get("/api/settings/providers").json()["providers"] == []
    usage = cli("providers", "add", "x")
    assert usage.code == 2 and "--type" in usage.err


def test_rules_add_list_test_and_remove(
    cli: Cli, upstream: FakeUpstream, admin: httpx.Client
) -> None:
    _add_upstream(cli, upstream)
    added = cli.ok("rules", "add", "fast", "-t", "lab:llama-3.1-8b", "-t", "local:qwen3-4b@2")
    assert "exact 'fast' → lab:llama-3.1-8b, then local:qwen3-4b@2" in added
    glob = json.loads(cli.ok("rules", "add", "gpt-*", "--match", "glob", "-t", "lab", "--json"))
    assert glob["targets"][0]["model"] is None and glob["pattern_type"] == "glob"

    table = cli.ok("rules", "list")
    assert "fast" in table and "lab:llama-3.1-8b" in table and "lab:(as asked)" in table
    rules = json.loads(cli.ok("rules", "list", "--json"))
    assert [r["pattern"] for r in rules] == ["fast", "gpt-*"]

    routed = cli.ok("rules", "test", "fast")
    assert "routes by rule" in routed
    picked = next(line for line in routed.splitlines() if "→" in line and "lab" in line)
    assert "llama-3.1-8b" in picked
    result = json.loads(cli.ok("rules", "test", "gpt-4o", "--json"))
    assert result["rule"]["pattern"] == "gpt-*" and result["targets"][0]["model"] == "gpt-4o"

    unrouted = cli("rules", "test", "nothing-matches")
    assert unrouted.code == 1 and "No route for 'nothing-matches'" in unrouted.err

    assert "Removed rule" in cli.ok("rules", "rm", str(glob["id"]))
    left = admin.get("/api/settings/rules").json()["rules"]
    assert [r["pattern"] for r in left] == ["fast"]


def test_bad_rules_say_so_and_change_nothing(
    cli: Cli, upstream: FakeUpstream, admin: httpx.Client
) -> None:
    _add_upstream(cli, upstream)
    assert "There is no provider 'ghost'" in cli.fails("rules", "add", "x", "-t", "ghost:m")
    assert "Target '@3'" in cli.fails("rules", "add", "x", "-t", "@3")
    line = cli.fails("rules", "add", "x", "--match", "fuzzy", "-t", "lab")
    assert "pattern_type" in line and "(422)" in line
    assert "(404)" in cli.fails("rules", "rm", "999")
    assert admin.get("/api/settings/rules").json()["rules"] == []


def test_a_key_read_from_stdin_stays_out_of_the_command_line(
    cli: Cli, admin: httpx.Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO(f"{KEY}\n"))
    out = cli.ok("providers", "add", "piped", "--type", "groq", "--api-key", "-")
    assert "key …1234" in out and KEY not in out
    (provider,) = admin.get("/api/settings/providers").json()["providers"]
    assert (provider["name"], provider["key_last4"]) == ("piped", "1234")
