"""The routing rules API, end to end through the app with its real SQLite file."""

from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI
from pydantic import SecretStr

from mlx_manager.app import create_app
from mlx_manager.errors import ModelNotFound
from mlx_manager.providers.catalogue import BackendType
from mlx_manager.providers.schemas import ProviderCreate
from mlx_manager.routing.router import RouteSource
from mlx_manager.settings import Settings
from tests.conftest import ADMIN_TOKEN

TESTED = (
    "kind",
    "provider_id",
    "provider_name",
    "model",
    "usable",
    "problem",
    "weighing",
    "picked",
)
API = "/api/settings/rules"
PROVIDERS = "/api/settings/providers"


async def add_provider(client: httpx.AsyncClient, name: str, **body: object) -> int:
    body = {"backend_type": "groq", "api_key": "gsk_test_key_12345678", **body}
    response = await client.post(PROVIDERS, json={"name": name, **body})
    assert response.status_code == 201, response.text
    provider_id: int = response.json()["id"]
    return provider_id


async def add_rule(client: httpx.AsyncClient, **body: object) -> dict[str, object]:
    response = await client.post(API, json=body)
    assert response.status_code == 201, response.text
    data: dict[str, object] = response.json()
    return data


async def listed(client: httpx.AsyncClient) -> list[dict[str, object]]:
    response = await client.get(API)
    assert response.status_code == 200
    rules: list[dict[str, object]] = response.json()["rules"]
    return rules


async def test_create_read_update_delete(client: httpx.AsyncClient) -> None:
    groq = await add_provider(client, "groq-team")
    first = await add_rule(
        client,
        pattern=" fast ",
        pattern_type="exact",
        targets=[{"provider": groq, "model": "llama-3.1-8b-instant"}, {"provider": "local"}],
        description="Cheap and quick",
    )
    assert first["pattern"] == "fast"
    assert first["pattern_type"] == "exact"
    assert first["enabled"] is True
    assert first["priority"] == 0
    assert first["description"] == "Cheap and quick"
    assert first["strategy"] == "ordered"
    assert first["targets"] == [
        {
            "provider": groq,
            "model": "llama-3.1-8b-instant",
            "weight": 1,
            "connect_timeout": None,
            "first_byte_timeout": None,
            "idle_timeout": None,
            "provider_name": "groq-team",
            "usable": True,
            "problem": None,
            "health": {
                "key": f"provider:{groq}/llama-3.1-8b-instant",
                "provider": groq,
                "model": "llama-3.1-8b-instant",
                "state": "healthy",
                "requests": 0,
                "failures": 0,
                "error_rate": 0.0,
                "latency_ms": None,
                "in_flight": 0,
                "retry_in": 0.0,
            },
        },
        {
            "provider": "local",
            "model": None,
            "weight": 1,
            "connect_timeout": None,
            "first_byte_timeout": None,
            "idle_timeout": None,
            "provider_name": None,
            "usable": True,
            "problem": None,
            "health": None,  # sends the requested name: health is kept per name
        },
    ]
    assert {"created_at", "updated_at", "id"} <= first.keys()
    second = await add_rule(
        client, pattern="claude-*", pattern_type="glob", targets=[{"provider": groq, "model": ""}]
    )
    assert second["priority"] == 1  # new rules go last
    assert second["targets"][0]["model"] is None  # type: ignore[index]
    assert [r["id"] for r in await listed(client)] == [first["id"], second["id"]]

    one = await client.get(f"{API}/{second['id']}")
    assert one.json()["pattern"] == "claude-*"
    patched = await client.patch(
        f"{API}/{second['id']}",
        json={"pattern": "claude-.*", "pattern_type": "regex", "enabled": False},
    )
    assert patched.status_code == 200, patched.text
    assert (patched.json()["pattern"], patched.json()["pattern_type"]) == ("claude-.*", "regex")
    assert patched.json()["enabled"] is False
    assert patched.json()["targets"][0]["provider"] == groq
    assert patched.json()["priority"] == 1

    assert (await client.delete(f"{API}/{first['id']}")).status_code == 204
    assert [r["id"] for r in await listed(client)] == [second["id"]]
    missing = await client.get(f"{API}/{first['id']}")
    assert missing.status_code == 404
    assert "No routing rule" in missing.json()["detail"]
    assert (await client.patch(f"{API}/{first['id']}", json={"enabled": True})).status_code == 404
    assert (await client.delete(f"{API}/{first['id']}")).status_code == 404


async def test_reorder_sets_the_priority_order(client: httpx.AsyncClient) -> None:
    ids = [
        (await add_rule(client, pattern=p, pattern_type="prefix", targets=[{"provider": "local"}]))[
            "id"
        ]
        for p in ("a", "ab", "abc")
    ]
    response = await client.put(f"{API}/order", json={"ids": [ids[2], ids[0], ids[1]]})
    assert response.status_code == 200, response.text
    assert [(r["id"], r["priority"]) for r in response.json()["rules"]] == [
        (ids[2], 0),
        (ids[0], 1),
        (ids[1], 2),
    ]
    assert [r["id"] for r in await listed(client)] == [ids[2], ids[0], ids[1]]
    tested = await client.post(f"{API}/test", json={"model": "abcd"})
    assert tested.json()["rule"]["id"] == ids[2]
    # A rule created after a reorder still goes last.
    later = await add_rule(
        client, pattern="z", pattern_type="exact", targets=[{"provider": "local"}]
    )
    assert [r["id"] for r in await listed(client)][-1] == later["id"]


@pytest.mark.parametrize(
    ("ids", "fragment"),
    [
        ([1, 2], "rule 3 is missing"),
        ([1, 2, 3, 4], "no rule has id 4"),
        ([1, 2, 2, 3], "repeated"),
        ([], "rule 1, 2, 3 is missing"),
    ],
)
async def test_reorder_must_name_every_rule_once(
    client: httpx.AsyncClient, ids: list[int], fragment: str
) -> None:
    for p in ("a", "b", "c"):
        await add_rule(client, pattern=p, pattern_type="exact", targets=[{"provider": "local"}])
    response = await client.put(f"{API}/order", json={"ids": ids})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "ids"]
    assert fragment in response.json()["detail"][0]["msg"]
    assert [r["id"] for r in await listed(client)] == [1, 2, 3]


async def test_the_test_endpoint_explains_the_route(client: httpx.AsyncClient) -> None:
    groq = await add_provider(client, "groq-team")
    await add_rule(
        client, pattern="off", pattern_type="exact", enabled=False, targets=[{"provider": "local"}]
    )
    rule = await add_rule(
        client,
        pattern=r"gpt-4o(-mini)?",
        pattern_type="regex",
        targets=[
            {"provider": groq, "model": "llama-3.3-70b"},
            {"provider": "local", "model": "qwen3"},
        ],
    )
    matched = (await client.post(f"{API}/test", json={"model": "gpt-4o-mini"})).json()
    assert matched["source"] == "rule"
    assert matched["rule"]["id"] == rule["id"]
    assert matched["error"] is None
    assert [{k: t[k] for k in TESTED} for t in matched["targets"]] == [
        {
            "kind": "provider",
            "provider_id": groq,
            "provider_name": "groq-team",
            "model": "llama-3.3-70b",
            "usable": True,
            "problem": None,
            "weighing": "primary",
            "picked": True,
        },
        {
            "kind": "local",
            "provider_id": None,
            "provider_name": None,
            "model": "qwen3",
            "usable": True,
            "problem": None,
            "weighing": "fallback 1",
            "picked": False,
        },
    ]
    assert [t["health"]["state"] for t in matched["targets"]] == ["healthy", "healthy"]
    assert matched["reason"] == "first among the healthy targets"
    # A regex matches the whole name only.
    prefixed = (await client.post(f"{API}/test", json={"model": "groq-team/gpt-4o-mini-x"})).json()
    assert prefixed["rule"] is None
    assert prefixed["source"] == "provider_prefix"
    assert [(t["provider_name"], t["model"]) for t in prefixed["targets"]] == [
        ("groq-team", "gpt-4o-mini-x")
    ]
    nothing = (await client.post(f"{API}/test", json={"model": "off"})).json()
    assert (nothing["source"], nothing["rule"], nothing["targets"]) == (None, None, [])
    assert "No route for model 'off'" in nothing["error"]
    assert "groq-team/…" in nothing["error"]


async def test_changes_reach_the_live_router_at_once(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    router = app.state.mm.router
    with pytest.raises(ModelNotFound):
        router.plan_route("fast")
    groq = await add_provider(client, "groq-team")
    rule = await add_rule(
        client, pattern="fast", pattern_type="exact", targets=[{"provider": groq}]
    )
    plan = router.plan_route("fast")
    assert plan.source is RouteSource.RULE
    assert [(t.provider.name, t.model) for t in plan.targets] == [("groq-team", "fast")]
    await client.patch(f"{PROVIDERS}/{groq}", json={"name": "groq-renamed"})
    assert router.plan_route("fast").targets[0].label == "groq-renamed/fast"
    await client.patch(f"{API}/{rule['id']}", json={"enabled": False})
    with pytest.raises(ModelNotFound):
        router.plan_route("fast")


@pytest.mark.parametrize(
    ("body", "field", "fragment"),
    [
        ({"pattern": "", "pattern_type": "exact"}, "pattern", "must not be empty"),
        ({"pattern": "   ", "pattern_type": "prefix"}, "pattern", "must not be empty"),
        ({"pattern": "x", "pattern_type": "fuzzy"}, "pattern_type", "'exact', 'prefix'"),
        ({"pattern": "x", "pattern_type": "exact", "targets": []}, "targets", "at least one"),
        (
            {"pattern": "x", "pattern_type": "exact", "targets": [{"provider": 99}]},
            "targets",
            "target 1: there is no provider with id 99",
        ),
        (
            {"pattern": "x", "pattern_type": "exact", "targets": [{"provider": "groq"}]},
            "targets",
            "'local'",
        ),
        (
            {"pattern": "gpt-(4", "pattern_type": "regex"},
            "pattern",
            "not a valid regular expression",
        ),
        ({"pattern": r"(a)\1", "pattern_type": "regex"}, "pattern", "backreferences cannot"),
        ({"pattern": "gpt(?=-4)", "pattern_type": "regex"}, "pattern", "lookahead cannot"),
        ({"pattern": "(?>a+)b", "pattern_type": "regex"}, "pattern", "atomic groups cannot"),
        ({"pattern": "x", "pattern_type": "exact", "priority": 3}, "priority", "Extra inputs"),
        ({"pattern_type": "exact"}, "pattern", "Field required"),
    ],
)
async def test_validation_errors_name_the_field(
    client: httpx.AsyncClient, body: dict[str, object], field: str, fragment: str
) -> None:
    body = {"targets": [{"provider": "local"}], **body}
    response = await client.post(API, json=body)
    assert response.status_code == 422, response.text
    errors = response.json()["detail"]
    messages = [e["msg"] for e in errors if field in e["loc"]]
    assert any(fragment in m for m in messages), errors
    assert await listed(client) == []


async def test_patch_is_validated_against_the_merged_rule(client: httpx.AsyncClient) -> None:
    rule = await add_rule(
        client, pattern="gpt(?=-4)", pattern_type="exact", targets=[{"provider": "local"}]
    )
    # Harmless as an exact name, refused once it would be read as a regex.
    response = await client.patch(f"{API}/{rule['id']}", json={"pattern_type": "regex"})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "pattern"]
    assert "lookahead cannot be used here" in response.json()["detail"][0]["msg"]
    assert (await client.get(f"{API}/{rule['id']}")).json()["pattern_type"] == "exact"
    fine = await client.patch(
        f"{API}/{rule['id']}", json={"pattern": "(a+)", "pattern_type": "regex"}
    )
    assert fine.status_code == 200
    emptied = await client.patch(f"{API}/{rule['id']}", json={"targets": []})
    assert emptied.status_code == 422
    assert emptied.json()["detail"][0]["loc"] == ["body", "targets"]


async def test_rules_outlive_a_deleted_provider(app: FastAPI, client: httpx.AsyncClient) -> None:
    doomed = await add_provider(client, "doomed")
    other = await add_provider(client, "other")
    rule = await add_rule(
        client,
        pattern="m",
        pattern_type="exact",
        targets=[{"provider": doomed}, {"provider": other, "model": "m2"}],
    )
    assert (await client.delete(f"{PROVIDERS}/{doomed}")).status_code == 204

    kept = (await client.get(f"{API}/{rule['id']}")).json()
    assert [(t["provider"], t["usable"]) for t in kept["targets"]] == [
        (doomed, False),
        (other, True),
    ]
    assert kept["targets"][0]["provider_name"] is None
    assert f"provider #{doomed} no longer exists" in kept["targets"][0]["problem"]
    tested = (await client.post(f"{API}/test", json={"model": "m"})).json()
    assert [(t["provider_id"], t["usable"]) for t in tested["targets"]] == [
        (doomed, False),
        (other, True),
    ]
    plan = app.state.mm.router.plan_route("m")
    assert [t.label for t in plan.targets] == ["other/m2"]

    # Editing the rule keeps its dead target; adding a new dead one is refused.
    assert (await client.patch(f"{API}/{rule['id']}", json={"description": "x"})).status_code == 200
    resent = await client.patch(
        f"{API}/{rule['id']}", json={"targets": [{"provider": doomed}, {"provider": other}]}
    )
    assert resent.status_code == 200, resent.text
    refused = await client.patch(f"{API}/{rule['id']}", json={"targets": [{"provider": 424242}]})
    assert refused.status_code == 422
    fixed = await client.patch(f"{API}/{rule['id']}", json={"targets": [{"provider": other}]})
    assert [t["usable"] for t in fixed.json()["targets"]] == [True]


@pytest.mark.parametrize("auth", [None, "Bearer wrong", "test-admin-token"])
async def test_wrong_or_missing_token_is_refused_and_nothing_changes(
    app: FastAPI, client: httpx.AsyncClient, auth: str | None
) -> None:
    rule = await add_rule(
        client, pattern="keep", pattern_type="exact", targets=[{"provider": "local"}]
    )
    before = await listed(client)
    headers = {"Authorization": auth} if auth else {}
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://t", headers=headers
    ) as anonymous:
        body = {"pattern": "new", "pattern_type": "exact", "targets": [{"provider": "local"}]}
        calls = [
            anonymous.get(API),
            anonymous.post(API, json=body),
            anonymous.get(f"{API}/{rule['id']}"),
            anonymous.patch(f"{API}/{rule['id']}", json={"enabled": False}),
            anonymous.delete(f"{API}/{rule['id']}"),
            anonymous.put(f"{API}/order", json={"ids": [rule["id"]]}),
            anonymous.post(f"{API}/test", json={"model": "keep"}),
        ]
        for call in calls:
            response = await call
            assert response.status_code == 401
            assert "admin token" in response.json()["detail"]
    assert await listed(client) == before


async def test_a_restart_reloads_rules_from_storage(settings: Settings) -> None:
    first = create_app(settings)
    async with first.router.lifespan_context(first):
        provider = await first.state.mm.providers.create(
            ProviderCreate(
                name="groq",
                backend_type=BackendType.GROQ,
                api_key=SecretStr("gsk_test_key_12345678"),
            )
        )
        async with _admin(first) as c:
            await add_rule(c, pattern="b", pattern_type="exact", targets=[{"provider": "local"}])
            a = await add_rule(
                c,
                pattern="a*",
                pattern_type="glob",
                targets=[{"provider": provider.id, "model": "x"}],
            )
            await c.put(f"{API}/order", json={"ids": [a["id"], 1]})
            saved = await listed(c)
    again = create_app(settings)
    async with again.router.lifespan_context(again), _admin(again) as c:
        assert await listed(c) == saved
        plan = again.state.mm.router.plan_route("abc")
        assert [t.label for t in plan.targets] == ["groq/x"]


async def test_a_key_that_no_longer_decrypts_makes_its_targets_unusable(settings: Settings) -> None:
    first = create_app(settings)
    async with first.router.lifespan_context(first), _admin(first) as c:
        groq = await add_provider(c, "groq")
        await add_rule(
            c,
            pattern="m",
            pattern_type="exact",
            targets=[{"provider": groq}, {"provider": "local"}],
        )
    changed = create_app(settings.model_copy(update={"secret_key": SecretStr("another-secret")}))
    async with changed.router.lifespan_context(changed), _admin(changed) as c:
        target = (await listed(c))[0]["targets"][0]  # type: ignore[index]
        assert target["usable"] is False
        assert "cannot be decrypted" in target["problem"]
        assert [t.label for t in changed.state.mm.router.plan_route("m").targets] == ["local/m"]


def _admin(app: FastAPI) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app),
        base_url="http://t",
        headers={"Authorization": f"Bearer {ADMIN_TOKEN}"},
    )


async def test_the_list_says_the_server_timeouts_that_targets_without_their_own_take(
    settings: Settings,
) -> None:
    tuned = settings.model_copy(
        update={
            "upstream_connect_timeout": 4.0,
            "upstream_first_byte_timeout": 45.0,
            "upstream_idle_timeout": 20.0,
        }
    )
    app = create_app(tuned)
    async with app.router.lifespan_context(app), _admin(app) as c:
        listing = (await c.get(API)).json()
        reordered = (await c.put(f"{API}/order", json={"ids": []})).json()
    expected = {"connect_timeout": 4.0, "first_byte_timeout": 45.0, "idle_timeout": 20.0}
    assert listing["timeout_defaults"] == expected
    assert reordered["timeout_defaults"] == expected
