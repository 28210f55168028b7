"""``status``, the version, and the failures every command reports the same way."""

from __future__ import annotations

import json

import httpx

from mlx_manager import __version__
from tests.cli.conftest import Cli
from tests.fakes.upstream import closed_port_url


def test_status_shows_version_readiness_providers_and_loaded_models(
    cli: Cli, admin: httpx.Client
) -> None:
    admin.post(
        "/api/settings/providers",
        json={"name": "groq-team", "backend_type": "groq", "api_key": "gsk_secret_tail9876"},
    ).raise_for_status()

    out = cli.ok("status")
    assert f"MLX Manager {__version__} at {cli.url}: ready" in out
    assert "groq-team" in out and "https://api.groq.com" in out and "…9876" in out
    assert "gsk_secret" not in out
    assert "Local models loaded" in out

    report = json.loads(cli.ok("status", "--json"))
    assert (report["version"], report["health"], report["ready"]["status"]) == (
        __version__,
        "ok",
        "ready",
    )
    (provider,) = report["providers"]
    assert (provider["name"], provider["key_last4"], provider["health"]) == (
        "groq-team",
        "9876",
        "no traffic",
    )
    assert report["local"]["loaded"] == []
    assert "gsk_secret" not in json.dumps(report)


def test_an_unreachable_server_is_one_line(cli: Cli) -> None:
    cli.url = closed_port_url()
    line = cli.fails("providers", "list")
    assert f"Cannot reach the server at {cli.url}" in line


def test_a_wrong_token_is_one_line_with_the_servers_words(cli: Cli) -> None:
    cli.token = "not-the-token"
    line = cli.fails("keys", "list")
    assert "refused the admin token (401)" in line and "Sign in" in line
    assert "not-the-token" not in line


def test_a_token_from_the_environment_is_not_rotated(cli: Cli) -> None:
    line = cli.fails("token", "rotate")
    assert "comes from MLX_MANAGER_ADMIN_TOKEN" in line and "(409)" in line
    cli.ok("keys", "list")  # the same token still works
