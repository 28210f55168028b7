"""The declarative set-up file, applied at start-up by name."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from mlx_manager.app import create_app
from mlx_manager.cli import main
from mlx_manager.config_file import ConfigFileError, load_config_file
from mlx_manager.settings import Settings
from tests.conftest import ADMIN_TOKEN

KEY = "gsk_from_env_0123456789"
FILE = """
providers:
  - name: groq-team
    backend_type: groq
    api_key: ${GROQ_TEST_KEY}
  - name: vllm
    backend_type: openai_compatible
    base_url: http://vllm.internal:8000/v1
rules:
  - pattern: fast
    targets:
      - {provider: groq-team, model: llama-3.1-8b-instant}
      - {provider: local, model: qwen3-4b}
  - pattern: "vllm-*"
    pattern_type: glob
    targets: [{provider: vllm}]
    description: self-hosted
"""


async def _state(settings: Settings) -> tuple[list[dict[str, object]], list[dict[str, object]]]:
    app = create_app(settings)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app),
            base_url="http://t",
            headers={"Authorization": f"Bearer {ADMIN_TOKEN}"},
        ) as client,
    ):
        providers = (await client.get("/api/settings/providers")).json()["providers"]
        rules = (await client.get("/api/settings/rules")).json()["rules"]
        return providers, rules


async def test_file_creates_then_updates_by_name(
    settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GROQ_TEST_KEY", KEY)
    path = tmp_path / "setup.yaml"
    path.write_text(FILE)
    configured = settings.model_copy(update={"config": path})
    providers, rules = await _state(configured)
    assert [(p["name"], p["backend_type"], p["key_last4"]) for p in providers] == [
        ("groq-team", "groq", "6789"),
        ("vllm", "openai_compatible", None),
    ]
    assert providers[1]["base_url"] == "http://vllm.internal:8000"
    assert [(r["pattern"], r["pattern_type"]) for r in rules] == [
        ("fast", "exact"),
        ("vllm-*", "glob"),
    ]
    assert [(t["provider"], t["model"]) for t in rules[0]["targets"]] == [
        (providers[0]["id"], "llama-3.1-8b-instant"),
        ("local", "qwen3-4b"),
    ]

    # A second start with a changed file updates in place: nothing is duplicated.
    path.write_text(
        FILE.replace("http://vllm.internal:8000/v1", "http://vllm2:9000").replace(
            "description: self-hosted", "description: moved"
        )
    )
    providers2, rules2 = await _state(configured)
    assert [p["id"] for p in providers2] == [p["id"] for p in providers]
    assert providers2[1]["base_url"] == "http://vllm2:9000"
    assert providers2[0]["key_last4"] == "6789"
    assert [r["id"] for r in rules2] == [r["id"] for r in rules]
    assert rules2[1]["description"] == "moved"


async def test_missing_variable_is_named_and_no_key_is_shown(
    settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("GROQ_TEST_KEY", raising=False)
    path = tmp_path / "setup.yaml"
    path.write_text(FILE)
    with pytest.raises(ConfigFileError, match="GROQ_TEST_KEY is not set"):
        await _state(settings.model_copy(update={"config": path}))


async def test_rule_naming_an_unknown_provider_is_refused(
    settings: Settings, tmp_path: Path
) -> None:
    path = tmp_path / "setup.yaml"
    path.write_text("rules:\n  - pattern: x\n    targets: [{provider: nobody}]\n")
    with pytest.raises(ConfigFileError, match="no provider named 'nobody'"):
        await _state(settings.model_copy(update={"config": path}))


async def test_invalid_values_are_refused_with_their_place(
    settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("K", KEY)
    path = tmp_path / "setup.yaml"
    path.write_text(
        'providers:\n  - {name: c, backend_type: anthropic_compatible, api_key: "${K}"}\n'
    )
    with pytest.raises(ConfigFileError) as info:
        await _state(settings.model_copy(update={"config": path}))
    assert "providers[c]" in str(info.value) and "base URL" in str(info.value)
    assert KEY not in str(info.value)


def test_schema_errors_are_reported_before_serving(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("providers:\n  - name: x\n    backend_type: nonsense\n")
    with pytest.raises(ConfigFileError, match="backend_type"):
        load_config_file(path)
    assert main(["serve", "--config", str(path), "--data-dir", str(tmp_path / "d")]) == 2
    assert "backend_type" in capsys.readouterr().err


async def test_a_provider_may_speak_the_responses_api(settings: Settings, tmp_path: Path) -> None:
    path = tmp_path / "setup.yaml"
    path.write_text(
        "providers:\n"
        "  - {name: oai, backend_type: openai, api_type: openai_responses}\n"
        "  - {name: rs, backend_type: openai_responses_compatible, base_url: http://rs:8000}\n"
        "  - {name: groq, backend_type: groq, api_type: openai_responses}\n"
    )
    with pytest.raises(ConfigFileError, match="Groq speaks openai, not openai_responses"):
        await _state(settings.model_copy(update={"config": path}))
    path.write_text("\n".join(path.read_text().splitlines()[:3]) + "\n")
    providers, _ = await _state(settings.model_copy(update={"config": path}))
    assert [(p["name"], p["api_type"], p["base_url"]) for p in providers] == [
        ("oai", "openai_responses", None),
        ("rs", "openai_responses", "http://rs:8000"),
    ]


async def test_prices_in_the_file_are_applied_and_kept_when_left_out(
    settings: Settings, tmp_path: Path
) -> None:
    path = tmp_path / "setup.yaml"
    priced = """
providers:
  - name: vllm
    backend_type: openai_compatible
    base_url: http://vllm.internal:8000/v1
    prices:
      my-model: {input_per_mtok: 0.2, output_per_mtok: 0.6, cache_read_per_mtok: 0.05}
"""
    path.write_text(priced)
    configured = settings.model_copy(update={"config": path})
    providers, _ = await _state(configured)
    assert providers[0]["prices"] == {
        "my-model": {
            "input_per_mtok": 0.2,
            "output_per_mtok": 0.6,
            "cache_read_per_mtok": 0.05,
            "cache_write_per_mtok": None,
        }
    }
    path.write_text(priced.split("    prices:")[0])
    providers, _ = await _state(configured)
    assert list(providers[0]["prices"]) == ["my-model"]
