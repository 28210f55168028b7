"""The provider settings API, end to end through the app with its real SQLite file."""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from pydantic import SecretStr

from mlx_manager.app import create_app
from mlx_manager.providers.catalogue import BackendType
from mlx_manager.providers.schemas import ProviderCreate
from mlx_manager.settings import Settings

KEY = "gsk_live_abcdefghijklmnopWXYZ"
API = "/api/settings/providers"


async def create(client: httpx.AsyncClient, **body: object) -> dict[str, object]:
    response = await client.post(API, json=body)
    assert response.status_code == 201, response.text
    data: dict[str, object] = response.json()
    return data


async def test_defaults_list_every_cloud_type(client: httpx.AsyncClient) -> None:
    response = await client.get(f"{API}/defaults")
    assert response.status_code == 200
    rows = {p["backend_type"]: p for p in response.json()["providers"]}
    assert "local" not in rows
    assert rows["groq"]["base_url"] == "https://api.groq.com/openai"
    assert rows["anthropic"]["api_type"] == "anthropic"
    assert rows["openai_compatible"]["base_url"] is None
    assert rows["anthropic_compatible"]["api_type"] == "anthropic"


async def test_several_credentials_of_one_type_live_side_by_side(
    client: httpx.AsyncClient,
) -> None:
    a = await create(client, name="groq-team", backend_type="groq", api_key=KEY)
    b = await create(
        client, name="groq-personal", backend_type="groq", api_key="gsk_other_12345678"
    )
    vllm = [
        await create(
            client, name=f"vllm-{i}", backend_type="openai_compatible", base_url=f"http://h{i}/v1/"
        )
        for i in range(3)
    ]
    assert a["id"] != b["id"]
    assert (a["key_last4"], b["key_last4"]) == ("WXYZ", "5678")
    assert a["api_type"] == "openai"
    assert a["base_url"] is None
    assert a["effective_base_url"] == "https://api.groq.com/openai"
    assert [v["base_url"] for v in vllm] == ["http://h0", "http://h1", "http://h2"]
    assert all(v["has_key"] is False and v["key_last4"] is None for v in vllm)

    listed = (await client.get(API)).json()["providers"]
    assert [p["name"] for p in listed] == [
        "groq-team",
        "groq-personal",
        "vllm-0",
        "vllm-1",
        "vllm-2",
    ]
    one = (await client.get(f"{API}/{b['id']}")).json()
    assert one["name"] == "groq-personal"


async def test_rename_and_move_without_reentering_the_key(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    p = await create(client, name="ds", backend_type="deepseek", api_key=KEY)
    response = await client.patch(
        f"{API}/{p['id']}",
        json={
            "name": "deepseek-main",
            "base_url": "https://api.deepseek.com/anthropic/v1",
            "api_type": "anthropic",
        },
    )
    assert response.status_code == 200, response.text
    updated = response.json()
    assert updated["name"] == "deepseek-main"
    assert updated["api_type"] == "anthropic"
    assert updated["base_url"] == "https://api.deepseek.com/anthropic"
    assert updated["has_key"] is True and updated["key_last4"] == "WXYZ"
    app_state = client._transport.app.state.mm  # type: ignore[attr-defined]
    assert app_state.providers.directory.get(p["id"]).api_key() == KEY

    cleared = (await client.patch(f"{API}/{p['id']}", json={"api_key": None})).json()
    assert cleared["has_key"] is False
    back_to_default = (await client.patch(f"{API}/{p['id']}", json={"base_url": ""})).json()
    assert back_to_default["base_url"] is None
    # The default of the chosen protocol: DeepSeek serves the Anthropic one under /anthropic.
    assert back_to_default["effective_base_url"] == "https://api.deepseek.com/anthropic"


async def test_delete(client: httpx.AsyncClient) -> None:
    p = await create(client, name="m", backend_type="mistral", api_key=KEY)
    assert (await client.delete(f"{API}/{p['id']}")).status_code == 204
    assert (await client.get(f"{API}/{p['id']}")).status_code == 404
    assert (await client.delete(f"{API}/{p['id']}")).status_code == 404
    assert (await client.get(API)).json()["providers"] == []


@pytest.mark.parametrize(
    ("body", "field", "fragment"),
    [
        ({"name": "x", "backend_type": "nonsense"}, "backend_type", "Input should be"),
        ({"name": "x", "backend_type": "local"}, "backend_type", "local"),
        ({"name": "x", "backend_type": "openai_compatible"}, "base_url", "need a base URL"),
        (
            {"name": "x", "backend_type": "anthropic_compatible", "base_url": "  "},
            "base_url",
            "need a base URL",
        ),
        ({"name": "x", "backend_type": "groq", "base_url": "ftp://x"}, "base_url", "http"),
        (
            {"name": "x", "backend_type": "openai", "api_type": "anthropic"},
            "api_type",
            "speaks openai",
        ),
        (
            {
                "name": "x",
                "backend_type": "anthropic_compatible",
                "base_url": "http://h",
                "api_type": "openai",
            },
            "api_type",
            "speaks anthropic",
        ),
        ({"name": "x", "backend_type": "groq", "api_type": "grpc"}, "api_type", "Input should be"),
        ({"name": "", "backend_type": "groq"}, "name", "at least 1"),
        ({"backend_type": "groq"}, "name", "Field required"),
        ({"name": "x", "backend_type": "groq", "colour": "red"}, "colour", "Extra inputs"),
    ],
)
async def test_validation_errors_name_the_field(
    client: httpx.AsyncClient, body: dict[str, object], field: str, fragment: str
) -> None:
    response = await client.post(API, json=body)
    assert response.status_code == 422, response.text
    errors = response.json()["detail"]
    matching = [e for e in errors if e["loc"][-1] == field]
    assert matching, errors
    assert fragment in matching[0]["msg"]
    assert (await client.get(API)).json()["providers"] == []


async def test_patch_is_validated_against_the_merged_result(client: httpx.AsyncClient) -> None:
    p = await create(client, name="g", backend_type="groq")
    response = await client.patch(f"{API}/{p['id']}", json={"backend_type": "openai_compatible"})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "base_url"]
    assert (await client.get(f"{API}/{p['id']}")).json()["backend_type"] == "groq"


async def test_duplicate_name_is_a_conflict(client: httpx.AsyncClient) -> None:
    await create(client, name="same", backend_type="groq")
    response = await client.post(API, json={"name": "same", "backend_type": "together"})
    assert response.status_code == 409
    assert "same" in response.json()["detail"]
    other = await create(client, name="other", backend_type="groq")
    clash = await client.patch(f"{API}/{other['id']}", json={"name": "same"})
    assert clash.status_code == 409
    names = [p["name"] for p in (await client.get(API)).json()["providers"]]
    assert names == ["same", "other"]


@pytest.mark.parametrize(
    "auth", [None, "Bearer wrong", "Basic test-admin-token", "test-admin-token"]
)
async def test_wrong_or_missing_token_is_refused_and_nothing_changes(
    app: FastAPI, client: httpx.AsyncClient, auth: str | None
) -> None:
    await create(client, name="keep", backend_type="groq", api_key=KEY)
    headers = {"Authorization": auth} if auth else {}
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://t", headers=headers
    ) as anonymous:
        calls = [
            anonymous.get(API),
            anonymous.get(f"{API}/defaults"),
            anonymous.post(API, json={"name": "new", "backend_type": "groq"}),
            anonymous.patch(f"{API}/1", json={"name": "renamed"}),
            anonymous.delete(f"{API}/1"),
            anonymous.post(f"{API}/1/test"),
        ]
        for call in calls:
            response = await call
            assert response.status_code == 401
            assert "admin token" in response.json()["detail"]
    listed = (await client.get(API)).json()["providers"]
    assert [(p["id"], p["name"]) for p in listed] == [(1, "keep")]


async def test_keys_never_leak_into_responses_logs_or_the_database(
    client: httpx.AsyncClient, settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    seen: list[str] = []
    p = await create(client, name="secretive", backend_type="openai", api_key=KEY)
    seen.append(str(p))
    for response in [
        await client.get(API),
        await client.get(f"{API}/{p['id']}"),
        await client.patch(f"{API}/{p['id']}", json={"name": "renamed"}),
        await client.post(API, json={"name": "renamed", "backend_type": "openai", "api_key": KEY}),
        await client.post(
            API,
            json={"name": "bad", "backend_type": "openai", "api_type": "anthropic", "api_key": KEY},
        ),
        await client.post(
            f"{API}/test",
            json={
                "backend_type": "openai_compatible",
                "base_url": "http://127.0.0.1:9",
                "api_key": KEY,
            },
        ),
    ]:
        seen.append(response.text)
        seen.append(str(response.headers))
    seen.append(caplog.text)
    assert all(KEY not in text and KEY[-8:] not in text for text in seen)
    raw = sqlite3.connect(settings.sqlite_path).execute("SELECT * FROM providers").fetchall()
    assert KEY not in repr(raw)


async def test_changed_secret_asks_to_reenter_the_key(settings: Settings, data_dir: Path) -> None:
    first = create_app(settings)
    async with first.router.lifespan_context(first):
        await first.state.mm.providers.create(
            ProviderCreate(name="old", backend_type=BackendType.GROQ, api_key=SecretStr(KEY))
        )
    changed = create_app(settings.model_copy(update={"secret_key": SecretStr("another-secret")}))
    async with (
        changed.router.lifespan_context(changed),
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=changed),
            base_url="http://t",
            headers={"Authorization": "Bearer test-admin-token"},
        ) as c,
    ):
        listed = (await c.get(API)).json()["providers"]
        assert listed[0]["key_status"] == "unreadable"
        assert listed[0]["has_key"] is True
        response = await c.post(f"{API}/{listed[0]['id']}/test")
        assert response.status_code == 409
        assert "Re-enter" in response.json()["detail"]
        assert KEY not in response.text
        fixed = await c.patch(f"{API}/{listed[0]['id']}", json={"api_key": "gsk_new_key_9876"})
        assert fixed.json()["key_status"] == "ok"


@pytest.mark.parametrize(
    "url",
    ["http://h\r\nx-injected: 1", "http://h/v1\nHost: evil", "http://h\t/v1", "http://h:99999"],
)
async def test_urls_with_control_characters_are_refused_everywhere(
    client: httpx.AsyncClient, url: str
) -> None:
    body = {"name": "x", "backend_type": "openai_compatible", "base_url": url}
    p = await create(client, name="fine", backend_type="openai_compatible", base_url="http://h")
    for response in [
        await client.post(API, json=body),
        await client.patch(f"{API}/{p['id']}", json={"base_url": url}),
        await client.post(f"{API}/test", json=body),
    ]:
        assert response.status_code == 422, response.text
        assert response.json()["detail"][0]["loc"] == ["body", "base_url"]
    assert [p["base_url"] for p in (await client.get(API)).json()["providers"]] == ["http://h"]


async def test_base_urls_with_credentials_are_refused_everywhere(
    client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    url = f"https://user:{KEY}@api.example.com/v1"
    body = {"name": "x", "backend_type": "openai_compatible", "base_url": url}
    p = await create(client, name="fine", backend_type="openai_compatible", base_url="http://h")
    for response in [
        await client.post(API, json=body),
        await client.patch(f"{API}/{p['id']}", json={"base_url": url}),
        await client.post(f"{API}/test", json=body),
    ]:
        assert response.status_code == 422, response.text
        error = response.json()["detail"][0]
        assert error["loc"] == ["body", "base_url"]
        assert "api_key" in error["msg"]
        assert KEY not in response.text and KEY[-8:] not in response.text
    assert [p["base_url"] for p in (await client.get(API)).json()["providers"]] == ["http://h"]
    assert KEY not in caplog.text


@pytest.mark.parametrize(
    "url",
    [
        "http://169.254.169.254/latest",
        "http://[fe80::1]:8000",
        "http://metadata.google.internal",
        "http://[fd00:ec2::254]",
        "http://100.100.100.200",
        "http://2852039166",
    ],
)
async def test_link_local_and_metadata_base_urls_are_refused(
    client: httpx.AsyncClient, url: str
) -> None:
    body = {"name": "meta", "backend_type": "openai_compatible", "base_url": url, "api_key": KEY}
    p = await create(client, name="fine", backend_type="openai_compatible", base_url="http://h")
    for response in [
        await client.post(API, json=body),
        await client.patch(f"{API}/{p['id']}", json={"base_url": url, "api_key": KEY}),
        await client.post(f"{API}/test", json=body),
    ]:
        assert response.status_code == 422, response.text
        error = response.json()["detail"][0]
        assert error["loc"] == ["body", "base_url"]
        assert "MLX_MANAGER_ALLOW_LINK_LOCAL_UPSTREAMS" in error["msg"]
    assert len((await client.get(API)).json()["providers"]) == 1


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:11434",
        "http://localhost:1234",
        "http://[::1]:8000",
        "http://10.1.2.3:8000",
        "http://192.168.0.7",
        "http://100.64.0.1",
    ],
)
async def test_loopback_and_private_base_urls_stay_allowed(
    client: httpx.AsyncClient, url: str
) -> None:
    await create(client, name="local-server", backend_type="openai_compatible", base_url=url)


async def test_a_setting_allows_link_local_base_urls(app: FastAPI, settings: Settings) -> None:
    allowing = create_app(settings.model_copy(update={"allow_link_local_upstreams": True}))
    async with (
        allowing.router.lifespan_context(allowing),
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=allowing),
            base_url="http://t",
            headers={"Authorization": "Bearer test-admin-token"},
        ) as c,
    ):
        p = await create(
            c, name="imds-proxy", backend_type="openai_compatible", base_url="http://169.254.1.2"
        )
    assert p["base_url"] == "http://169.254.1.2"
    # With the setting off again, the saved one is not tested (its key would go there).
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app),
        base_url="http://t",
        headers={"Authorization": "Bearer test-admin-token"},
    ) as c:
        await app.state.mm.providers.load()
        response = await c.post(f"{API}/{p['id']}/test")
    assert response.status_code == 422, response.text
    assert response.json()["detail"][0]["loc"] == ["body", "base_url"]


async def test_moving_a_keyed_provider_to_another_host_needs_its_key_again(
    client: httpx.AsyncClient,
) -> None:
    p = await create(
        client,
        name="vllm",
        backend_type="openai_compatible",
        base_url="http://gpu:8000/v1",
        api_key=KEY,
    )
    for change in [
        {"base_url": "http://elsewhere:8000"},
        {"base_url": "https://gpu:8000"},
        {"base_url": "http://gpu:8001"},
        {"backend_type": "groq", "base_url": ""},
    ]:
        response = await client.patch(f"{API}/{p['id']}", json=change)
        assert response.status_code == 422, (change, response.text)
        error = response.json()["detail"][0]
        assert error["loc"] == ["body", "api_key"]
        assert "enter its API key again" in error["msg"] and "http://gpu:8000" in error["msg"]
    unchanged = (await client.get(f"{API}/{p['id']}")).json()
    assert (unchanged["base_url"], unchanged["backend_type"]) == (
        "http://gpu:8000",
        "openai_compatible",
    )

    # The path alone may change, and so may the host when the key comes with it.
    moved = await client.patch(f"{API}/{p['id']}", json={"base_url": "http://GPU:8000/openai/"})
    assert moved.status_code == 200 and moved.json()["base_url"] == "http://GPU:8000/openai"
    rekeyed = await client.patch(
        f"{API}/{p['id']}", json={"base_url": "http://elsewhere:8000", "api_key": "sk-new-12345678"}
    )
    assert rekeyed.status_code == 200 and rekeyed.json()["key_last4"] == "5678"


async def test_a_provider_without_a_key_may_move_freely(client: httpx.AsyncClient) -> None:
    p = await create(client, name="open", backend_type="openai_compatible", base_url="http://a")
    moved = await client.patch(f"{API}/{p['id']}", json={"base_url": "http://b:9000"})
    assert moved.status_code == 200 and moved.json()["base_url"] == "http://b:9000"
    # Removing the key in the same change is as good as re-entering it.
    keyed = await create(client, name="keyed", backend_type="groq", api_key=KEY)
    dropped = await client.patch(
        f"{API}/{keyed['id']}", json={"backend_type": "together", "api_key": None}
    )
    assert dropped.status_code == 200 and dropped.json()["has_key"] is False
