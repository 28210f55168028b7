"""``/api/keys``: shown once, stored hashed, listed without the secret, changed, revoked."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import sqlalchemy as sa
from fastapi import FastAPI

from mlx_manager.gateway_keys.keys import hash_key
from mlx_manager.settings import Settings, to_sync_url


async def test_a_new_key_is_shown_once_and_stored_as_a_hash(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    created = await client.post(
        "/api/keys",
        json={
            "name": "ci",
            "model_patterns": ["gpt-4o*"],
            "requests_per_minute": 60,
            "tokens_per_minute": 10000,
        },
    )
    assert created.status_code == 201, created.text
    body = created.json()
    key = body["key"]
    assert key.startswith("mmk_")
    assert (body["prefix"], body["last4"]) == (key[:8], key[-4:])
    assert body["revoked"] is False and body["last_used_at"] is None
    listed = await client.get("/api/keys")
    assert key not in listed.text
    (public,) = listed.json()["keys"]
    assert "key" not in public
    assert public["model_patterns"] == ["gpt-4o*"]
    assert (await client.get(f"/api/keys/{public['id']}")).json() == public
    engine = sa.create_engine(to_sync_url(settings.resolved_database_url()))
    with engine.connect() as conn:
        row = conn.execute(sa.text("SELECT * FROM gateway_keys")).mappings().one()
    engine.dispose()
    assert row["key_hash"] == hash_key(key)
    assert key not in str(dict(row))


async def test_keys_are_changed_revoked_and_deleted(client: httpx.AsyncClient) -> None:
    key_id = (await client.post("/api/keys", json={"name": "ci"})).json()["id"]
    changed = await client.patch(
        f"/api/keys/{key_id}", json={"name": "ci-2", "requests_per_minute": 5}
    )
    assert changed.status_code == 200
    assert (changed.json()["name"], changed.json()["requests_per_minute"]) == ("ci-2", 5)
    cleared = await client.patch(f"/api/keys/{key_id}", json={"requests_per_minute": None})
    assert cleared.json()["requests_per_minute"] is None
    revoked = await client.post(f"/api/keys/{key_id}/revoke")
    assert revoked.json()["revoked"] is True and revoked.json()["revoked_at"]
    assert (await client.delete(f"/api/keys/{key_id}")).status_code == 204
    assert (await client.get(f"/api/keys/{key_id}")).status_code == 404
    assert (await client.post(f"/api/keys/{key_id}/revoke")).status_code == 404


async def test_bad_key_settings_are_422(client: httpx.AsyncClient) -> None:
    await client.post("/api/keys", json={"name": "taken"})
    past = (datetime.now(UTC) - timedelta(minutes=1)).isoformat()
    for body in (
        {"name": ""},
        {"name": "taken"},
        {"name": "x", "requests_per_minute": 0},
        {"name": "x", "tokens_per_minute": -5},
        {"name": "x", "expires_at": past},
        {"name": "x", "model_patterns": [""]},
        {"name": "x", "key": "mmk_chosen"},
    ):
        response = await client.post("/api/keys", json=body)
        assert response.status_code == 422, (body, response.text)
    key_id = (await client.get("/api/keys")).json()["keys"][0]["id"]
    assert (await client.patch(f"/api/keys/{key_id}", json={"name": None})).status_code == 422
    assert [k["name"] for k in (await client.get("/api/keys")).json()["keys"]] == ["taken"]


async def test_keys_need_an_admin(app: FastAPI, client: httpx.AsyncClient) -> None:
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://testserver"
    ) as anonymous:
        assert (await anonymous.get("/api/keys")).status_code == 401
        assert (await anonymous.post("/api/keys", json={"name": "x"})).status_code == 401
    assert (await client.get("/api/keys")).json() == {"keys": []}
