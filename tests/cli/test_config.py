"""``config export|import``: the set-up file out of a live server and back in."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest
import yaml

from tests.cli.conftest import Cli

KEY = "gsk_team_secret_5678"


def _set_up(admin: httpx.Client) -> None:
    provider = admin.post(
        "/api/settings/providers",
        json={"name": "groq-team", "backend_type": "groq", "api_key": KEY},
    ).json()
    admin.post(
        "/api/settings/rules",
        json={
            "pattern": "fast",
            "pattern_type": "exact",
            "strategy": "weighted",
            "targets": [
                {"provider": provider["id"], "model": "llama-3.1-8b-instant", "weight": 3},
                {"provider": "local", "model": "qwen3-4b", "first_byte_timeout": 60},
            ],
        },
    ).raise_for_status()


def test_export_names_keys_by_variable_and_import_brings_them_back(
    cli: Cli, admin: httpx.Client, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _set_up(admin)
    text = cli.ok("config", "export")
    assert KEY not in text
    exported = yaml.safe_load(text)
    (provider,) = exported["providers"]
    assert (provider["name"], provider["api_key"]) == ("groq-team", "${GROQ_TEAM_API_KEY}")
    (rule,) = exported["rules"]
    assert rule["strategy"] == "weighted"
    assert rule["targets"][0] == {
        "provider": "groq-team",
        "model": "llama-3.1-8b-instant",
        "weight": 3,
    }
    assert rule["targets"][1]["first_byte_timeout"] == 60
    assert json.loads(cli.ok("config", "export", "--json")) == exported

    path = tmp_path / "setup.yaml"
    assert "Wrote 1 providers and 1 rules" in cli.ok("config", "export", "-o", str(path))
    (rule_row,) = admin.get("/api/settings/rules").json()["rules"]
    admin.delete(f"/api/settings/rules/{rule_row['id']}").raise_for_status()
    (provider_row,) = admin.get("/api/settings/providers").json()["providers"]
    admin.delete(f"/api/settings/providers/{provider_row['id']}").raise_for_status()

    monkeypatch.setenv("GROQ_TEAM_API_KEY", "gsk_restored_9999")
    applied = json.loads(cli.ok("config", "import", str(path), "--json"))
    assert applied == {"providers": 1, "rules": 1}
    (restored,) = admin.get("/api/settings/providers").json()["providers"]
    assert (restored["name"], restored["key_last4"]) == ("groq-team", "9999")
    assert yaml.safe_load(cli.ok("config", "export")) == exported
    # Applied by name a second time: updated, not doubled.
    assert "Applied 1 providers and 1 rules" in cli.ok("config", "import", str(path))
    assert len(admin.get("/api/settings/rules").json()["rules"]) == 1


def test_a_bad_file_changes_nothing(
    cli: Cli, admin: httpx.Client, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("MISSING_KEY", raising=False)
    unset = tmp_path / "unset.yaml"
    unset.write_text("providers:\n  - {name: a, backend_type: groq, api_key: '${MISSING_KEY}'}\n")
    assert "environment variable MISSING_KEY is not set" in cli.fails(
        "config", "import", str(unset)
    )
    schema = tmp_path / "schema.yaml"
    schema.write_text("providers:\n  - {name: a, backend_type: nonsense}\n")
    assert "backend_type" in cli.fails("config", "import", str(schema))
    unknown = tmp_path / "unknown.yaml"
    unknown.write_text(
        "providers:\n  - {name: a, backend_type: groq}\n"
        "rules:\n  - {pattern: x, targets: [{provider: ghost}]}\n"
    )
    line = cli.fails("config", "import", str(unknown))
    assert "no provider named 'ghost'" in line and "(400)" in line
    assert "cannot be read" in cli.fails("config", "import", str(tmp_path / "absent.yaml"))
    # Past the settings API's limits, found before the first provider is created.
    long = tmp_path / "long.yaml"
    long.write_text(
        "providers:\n  - {name: a, backend_type: groq}\n"
        f"rules:\n  - {{pattern: {'p' * 501}, targets: [{{provider: a}}]}}\n"
    )
    line = cli.fails("config", "import", str(long))
    assert "rules[0]: pattern:" in line and "500 characters" in line
    named = tmp_path / "named.yaml"
    named.write_text(f"providers:\n  - {{name: {'n' * 101}, backend_type: groq}}\n")
    assert "name:" in cli.fails("config", "import", str(named))
    assert admin.get("/api/settings/providers").json()["providers"] == []
    assert admin.get("/api/settings/rules").json()["rules"] == []


def test_the_server_expands_no_references_a_caller_sent(admin: httpx.Client) -> None:
    sent = {"providers": [{"name": "a", "backend_type": "groq", "api_key": "${HOME}"}]}
    refused = admin.post("/api/settings/config", json=sent)
    assert refused.status_code == 400 and "reference" in refused.json()["detail"]
    assert admin.get("/api/settings/providers").json()["providers"] == []
