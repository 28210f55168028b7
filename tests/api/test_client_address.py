"""The client address: the socket peer, unless that peer is a configured trusted proxy."""

from __future__ import annotations

import pytest
from fastapi import FastAPI

from mlx_manager.api.client_address import ClientAddresses
from mlx_manager.app import create_app
from mlx_manager.settings import Settings
from tests.accounts.helpers import client_as


def scope(peer: str, forwarded: str | None = None) -> dict[str, object]:
    headers = [(b"x-forwarded-for", forwarded.encode())] if forwarded else []
    return {"type": "http", "client": (peer, 5000), "headers": headers}


def test_without_trusted_proxies_the_header_is_ignored() -> None:
    addresses = ClientAddresses()
    assert addresses.of(scope("203.0.113.9", "1.2.3.4")) == "203.0.113.9"


def test_a_trusted_proxy_names_the_client_right_to_left() -> None:
    addresses = ClientAddresses(["10.0.0.0/8", "192.168.1.1"])
    # The client forged the left part; the rightmost untrusted hop is what our proxy saw.
    assert addresses.of(scope("10.0.0.5", "6.6.6.6, 203.0.113.9, 192.168.1.1")) == "203.0.113.9"
    assert addresses.of(scope("10.0.0.5")) == "10.0.0.5"
    # An untrusted peer cannot choose its address.
    assert addresses.of(scope("203.0.113.7", "10.0.0.1")) == "203.0.113.7"


def test_a_bad_trusted_proxy_setting_is_refused() -> None:
    with pytest.raises(ValueError, match="TRUSTED_PROXIES"):
        ClientAddresses(["not-an-ip"])


async def _fail_sign_ins(app: FastAPI, forwarded_for: str, times: int) -> list[int]:
    statuses = []
    async with client_as(app) as caller:
        for _ in range(times):
            response = await caller.post(
                "/api/auth/login",
                json={"username": "nobody", "password": "wrong-password"},
                headers={"x-forwarded-for": forwarded_for},
            )
            statuses.append(response.status_code)
    return statuses


async def test_sign_in_throttling_follows_the_configured_client_address(
    settings: Settings,
) -> None:
    # ASGITransport's socket peer is 127.0.0.1.
    proxied = settings.model_copy(
        update={"trusted_proxies": ["127.0.0.1"], "sign_in_attempts_per_minute": 2}
    )
    app = create_app(proxied)
    async with app.router.lifespan_context(app):
        assert await _fail_sign_ins(app, "198.51.100.1", 3) == [401, 401, 429]
        assert await _fail_sign_ins(app, "198.51.100.2", 1) == [401]
    direct = settings.model_copy(update={"sign_in_attempts_per_minute": 2})
    app = create_app(direct)
    async with app.router.lifespan_context(app):
        await _fail_sign_ins(app, "198.51.100.1", 2)
        # Another forwarded address changes nothing: the socket peer is what counts.
        assert await _fail_sign_ins(app, "198.51.100.2", 1) == [429]


def test_settings_accept_a_comma_separated_list(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MLX_MANAGER_TRUSTED_PROXIES", "10.0.0.1, 10.1.0.0/16")
    assert Settings().trusted_proxies == ["10.0.0.1", "10.1.0.0/16"]
