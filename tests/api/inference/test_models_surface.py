"""The model lists and the rest of ``/v1`` through the official SDKs: provider lists with their
facts, one model by id, Anthropic's shapes for Anthropic clients, protocol-shaped 404/405, a
wrong key told apart from a missing one, and the admin endpoint the rules editor reads."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import anthropic
import httpx
import openai
import pytest

from mlx_manager.settings import Settings
from tests.api.inference.conftest import Gateway
from tests.api.inference.test_gateway_keys import anthropic_client, create_key, openai_client
from tests.conftest import ADMIN_TOKEN
from tests.fakes.upstream import Reply, closed_port_url

LISTED: Any = {
    "object": "list",
    "data": [
        {
            "id": "echo-1",
            "object": "model",
            "created": 1700000000,
            "context_length": 32768,
            "pricing": {"prompt": "0.000001", "completion": "0.000002"},
        },
        {"id": "echo-2", "object": "model", "display_name": "Echo Two"},
    ],
}


@pytest.fixture
def settings(data_dir: Path, request: pytest.FixtureRequest) -> Settings:
    return Settings(
        data_dir=data_dir,
        secret_key="test-secret",
        admin_token=ADMIN_TOKEN,
        provider_test_timeout=1.0,
        list_provider_models=getattr(request, "param", "*"),
    )


@pytest.fixture
def listed(gateway: Gateway) -> Gateway:
    gateway.upstream.reply("/v1/models", Reply(json=LISTED))
    return gateway


def listing_calls(gateway: Gateway) -> int:
    return sum(1 for r in gateway.upstream.received if r.path == "/v1/models")


def test_v1_models_has_each_providers_models_with_context_length_and_price(
    listed: Gateway,
) -> None:
    models = {m.id: m for m in listed.openai().models.list()}
    assert {"up-openai/echo-1", "up-openai/echo-2", "up-anthropic/echo-1"} <= set(models)
    echo = models["up-openai/echo-1"]
    assert echo.owned_by == "up-openai"
    assert echo.created == 1700000000
    assert echo.model_extra is not None
    assert echo.model_extra["context_length"] == 32768
    assert echo.model_extra["pricing"] == {
        "input": 1.0,
        "output": 2.0,
        "unit": "USD per million tokens",
    }
    assert "context_length" not in (models["up-openai/echo-2"].model_extra or {})


@pytest.mark.parametrize("settings", ["up-anthropic"], indirect=True)
def test_list_provider_models_names_whose_models_are_listed(listed: Gateway) -> None:
    ids = [m.id for m in listed.openai().models.list()]
    assert "up-anthropic/echo-1" in ids
    assert not [i for i in ids if i.startswith("up-openai/")]
    # Not listed, still served and retrievable by name.
    assert listed.openai().models.retrieve("up-openai/echo-1").owned_by == "up-openai"


def test_chats_never_fetch_a_models_list(listed: Gateway) -> None:
    listed.openai().models.list()
    before = listing_calls(listed)
    for _ in range(3):
        listed.openai().chat.completions.create(
            model="up-openai/echo-1", messages=[{"role": "user", "content": "hi"}]
        )
    listed.openai().models.list()
    assert listing_calls(listed) == before  # cached: neither the chats nor the listing asked


def test_openai_sdk_retrieves_one_model_and_gets_a_404_for_an_unknown_one(
    listed: Gateway,
) -> None:
    client = listed.openai()
    model = client.models.retrieve("up-openai/echo-1")
    assert (model.id, model.object, model.owned_by) == ("up-openai/echo-1", "model", "up-openai")
    assert (model.model_extra or {})["context_length"] == 32768
    with pytest.raises(openai.NotFoundError) as missing:
        client.models.retrieve("up-openai/not-listed")
    assert missing.value.code == "model_not_found"
    assert "GET /v1/models" in missing.value.message
    # A name only a rule knows is a model too.
    listed.add_rule("fast", [{"provider": listed.provider_ids["openai"], "model": "echo-2"}])
    assert client.models.retrieve("fast").owned_by == "mlx-manager"


def test_anthropic_sdk_lists_models_in_anthropics_shape_page_by_page(listed: Gateway) -> None:
    client = listed.anthropic()
    everything = [m.id for m in client.models.list(limit=1000)]
    assert {"up-anthropic/echo-2", "up-openai/echo-1"} <= set(everything)
    first = client.models.list(limit=2)
    assert first.has_more is True
    assert first.first_id == everything[0] and first.last_id == everything[1]
    entry = first.data[0]
    assert entry.type == "model"
    assert entry.display_name
    assert [m.id for m in client.models.list(limit=2)] == everything  # auto-paged by after_id
    raw = httpx.get(
        listed.server.base_url + "/v1/models",
        params={"limit": 1, "before_id": everything[1]},
        headers={"anthropic-version": "2023-06-01"},
    ).json()
    assert [m["id"] for m in raw["data"]] == [everything[0]]
    assert raw["has_more"] is False
    bad = httpx.get(
        listed.server.base_url + "/v1/models",
        params={"limit": 0},
        headers={"anthropic-version": "2023-06-01"},
    )
    assert bad.status_code == 400 and bad.json()["type"] == "error"


def test_anthropic_sdk_retrieves_one_model(listed: Gateway) -> None:
    client = listed.anthropic()
    model = client.models.retrieve("up-anthropic/echo-2")
    assert model.type == "model"
    assert model.display_name == "Echo Two"
    assert model.created_at.year == 1970  # the upstream gave no date
    dated = client.models.retrieve("up-anthropic/echo-1")
    assert int(dated.created_at.timestamp()) == 1700000000
    with pytest.raises(anthropic.NotFoundError) as missing:
        client.models.retrieve("up-anthropic/nope")
    assert missing.value.body["error"]["type"] == "not_found_error"  # type: ignore[index]


def test_unknown_paths_and_methods_answer_in_the_callers_shape(gateway: Gateway) -> None:
    with pytest.raises(openai.NotFoundError) as openai_missing:
        gateway.openai().get("/nowhere", cast_to=httpx.Response)
    assert "Nothing is served at GET /v1/nowhere" in openai_missing.value.message
    assert "/v1/chat/completions" in openai_missing.value.message
    with pytest.raises(anthropic.NotFoundError) as anthropic_missing:
        gateway.anthropic().get("/v1/nowhere", cast_to=httpx.Response)
    assert anthropic_missing.value.body["type"] == "error"  # type: ignore[index]
    wrong = httpx.post(gateway.server.base_url + "/v1/models", json={})
    assert wrong.status_code == 405
    assert wrong.headers["allow"] == "GET"
    assert wrong.json()["error"]["code"] == "method_not_allowed"
    chat_get = httpx.get(
        gateway.server.base_url + "/v1/messages", headers={"anthropic-version": "2023-06-01"}
    )
    assert chat_get.status_code == 405
    assert chat_get.json()["type"] == "error"
    # Off /v1, FastAPI's own answer stays.
    assert httpx.get(gateway.server.base_url + "/api/nowhere").status_code == 404


def test_a_wrong_key_is_invalid_and_a_missing_one_is_required(gateway: Gateway) -> None:
    key = create_key(gateway)["key"]
    assert [m.id for m in anthropic_client(gateway, key).models.list()]
    for wrong in ("sk-not-ours", "mm-" + "x" * 40, key[:-1] + ("A" if key[-1] != "A" else "B")):
        with pytest.raises(anthropic.AuthenticationError) as refused:
            anthropic_client(gateway, wrong).models.list()
        assert refused.value.body["error"]["message"].startswith("Invalid API key")  # type: ignore[index]
        assert refused.value.response.headers["x-should-retry"] == "false"
        with pytest.raises(openai.AuthenticationError) as openai_refused:
            openai_client(gateway, wrong).models.retrieve("up-openai/echo-1")
        assert openai_refused.value.code == "invalid_api_key"
    with pytest.raises(anthropic.AuthenticationError) as chat_refused:
        anthropic_client(gateway, "sk-not-ours").messages.create(
            model="up-anthropic/echo-1",
            max_tokens=5,
            messages=[{"role": "user", "content": "hi"}],
        )
    assert chat_refused.value.body["error"]["message"].startswith("Invalid API key")  # type: ignore[index]
    missing = httpx.get(gateway.server.base_url + "/v1/models")
    assert missing.status_code == 401
    assert missing.json()["error"]["message"].startswith("A gateway key is required")


def test_the_admin_endpoint_lists_each_providers_models_and_refreshes_on_demand(
    listed: Gateway,
) -> None:
    down = listed.add_provider("down", "openai", closed_port_url())
    with listed.server.admin() as admin:
        unlisted = admin.post(
            "/api/settings/providers",
            json={
                "name": "deepseek-anthropic",
                "backend_type": "deepseek",
                "api_type": "anthropic",
                "base_url": listed.upstream.base_url,
                "api_key": "sk-deepseek",
            },
        )
        assert unlisted.status_code == 201, unlisted.text
        body = admin.get("/api/settings/provider-models").raise_for_status().json()
        by_name = {p["provider"]: p for p in body["providers"]}
        assert by_name["up-openai"]["status"] == "ok"
        assert by_name["up-openai"]["models"][0] == {
            "id": "echo-1",
            "display_name": None,
            "created": 1700000000,
            "context_length": 32768,
            "input_price": 1.0,
            "output_price": 2.0,
        }
        assert by_name["down"]["status"] == "unavailable"
        assert by_name["down"]["error"]
        assert by_name["down"]["provider_id"] == down
        assert by_name["deepseek-anthropic"]["status"] == "unlisted"
        assert by_name["deepseek-anthropic"]["models"] == []

        listed.upstream.reply("/v1/models", Reply(json={"data": [{"id": "echo-3"}]}))
        calls = listing_calls(listed)
        again = admin.get("/api/settings/provider-models").json()
        assert listing_calls(listed) == calls  # served from the cache
        assert {p["provider"]: p for p in again["providers"]}["up-openai"]["models"][0]["id"] == (
            "echo-1"
        )
        one = admin.post(
            f"/api/settings/provider-models/{listed.provider_ids['openai']}/refresh"
        ).json()
        assert [m["id"] for m in one["models"]] == ["echo-3"]
        everyone = admin.post("/api/settings/provider-models/refresh").json()
        refreshed = {p["provider"]: p for p in everyone["providers"]}
        assert [m["id"] for m in refreshed["up-anthropic"]["models"]] == ["echo-3"]
        assert admin.post("/api/settings/provider-models/99999/refresh").status_code == 404
    ids = [m.id for m in listed.openai().models.list()]
    assert "up-openai/echo-3" in ids and "up-openai/echo-1" not in ids
    anonymous = httpx.get(listed.server.base_url + "/api/settings/provider-models")
    assert anonymous.status_code == 401


@pytest.mark.parametrize(
    ("value", "listed", "unlisted"),
    [("*", ["a", "b"], []), ("a, b", ["a", "b"], ["c"]), ("none", [], ["a"]), ("", [], ["a"])],
)
def test_list_provider_models_reads_names_star_or_none(
    monkeypatch: pytest.MonkeyPatch,
    data_dir: Path,
    value: str,
    listed: list[str],
    unlisted: list[str],
) -> None:
    monkeypatch.setenv("MLX_MANAGER_LIST_PROVIDER_MODELS", value)
    settings = Settings(data_dir=data_dir)
    assert all(settings.lists_models_of(name) for name in listed)
    assert not any(settings.lists_models_of(name) for name in unlisted)
