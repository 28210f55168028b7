"""Accounts: first admin, approval, roles, the last-admin rule, sessions, cookies, logout."""

from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI

from tests.accounts.helpers import PASSWORD, admin_and_user, client_as, sign_in, sign_up


async def test_first_account_is_admin_and_later_ones_wait_for_approval(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    async with client_as(app) as anonymous:
        first = await sign_up(anonymous, "alice")
        second = await sign_up(anonymous, "bob")
        assert (first["role"], first["status"]) == ("admin", "active")
        assert (second["role"], second["status"]) == ("user", "pending")
        pending = await anonymous.post(
            "/api/auth/login", json={"username": "bob", "password": PASSWORD}
        )
        assert pending.status_code == 403
        assert "approval" in pending.json()["detail"]
        assert "token" not in pending.text
        approved = await client.post(f"/api/users/{second['id']}/approve")
        assert approved.json()["status"] == "active"
        token = await sign_in(anonymous, "bob")
    async with client_as(app, token) as bob:
        me = (await bob.get("/api/auth/me")).json()
        assert me["via"] == "session" and me["user"]["username"] == "bob"
        assert me["role"] == "user"


async def test_signup_refuses_taken_names_and_weak_input(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    async with client_as(app) as anonymous:
        await sign_up(anonymous, "alice")
        taken = await anonymous.post(
            "/api/auth/signup", json={"username": "ALICE", "password": PASSWORD}
        )
        assert taken.status_code == 409
        for body in (
            {"username": "al", "password": PASSWORD},
            {"username": "alice2", "password": "short"},
            {"username": "bad name", "password": PASSWORD},
            {"username": "alice3", "password": PASSWORD, "role": "admin"},
        ):
            assert (await anonymous.post("/api/auth/signup", json=body)).status_code == 422
    users = (await client.get("/api/users")).json()["users"]
    assert [u["username"] for u in users] == ["alice"]


async def test_wrong_credentials_are_one_answer_for_unknown_user_and_wrong_password(
    app: FastAPI,
) -> None:
    async with client_as(app) as anonymous:
        await sign_up(anonymous, "alice")
        wrong = await anonymous.post(
            "/api/auth/login", json={"username": "alice", "password": "nope-nope"}
        )
        unknown = await anonymous.post(
            "/api/auth/login", json={"username": "mallory", "password": "nope-nope"}
        )
        assert wrong.status_code == unknown.status_code == 401
        assert wrong.json() == unknown.json()


async def test_only_admins_manage_settings_users_and_keys(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    admin_token, user_token = await admin_and_user(app, client)
    async with client_as(app, user_token) as user, client_as(app, admin_token) as admin:
        for method, path, body in [
            ("GET", "/api/settings/providers", None),
            ("POST", "/api/settings/providers", {"name": "x", "backend_type": "groq"}),
            ("GET", "/api/settings/rules", None),
            ("GET", "/api/models", None),
            ("GET", "/api/users", None),
            ("POST", "/api/users/1/approve", None),
            ("PUT", "/api/users/2/role", {"role": "admin"}),
            ("DELETE", "/api/users/1", None),
            ("GET", "/api/keys", None),
            ("POST", "/api/keys", {"name": "mine"}),
        ]:
            refused = await user.request(method, path, json=body)
            assert refused.status_code == 403, (method, path, refused.text)
            assert set(refused.json()) == {"detail", "code"}
        assert (await admin.get("/api/settings/providers")).status_code == 200
        assert (await admin.get("/api/users")).status_code == 200
        assert (await user.get("/api/auth/me")).status_code == 200
    # Nothing changed.
    users = (await client.get("/api/users")).json()["users"]
    assert [(u["username"], u["role"]) for u in users] == [("alice", "admin"), ("bob", "user")]
    assert (await client.get("/api/keys")).json() == {"keys": []}
    assert (await client.get("/api/settings/providers")).json() == {"providers": []}


async def test_the_last_admin_cannot_be_demoted_or_removed(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    await admin_and_user(app, client)
    assert (await client.put("/api/users/1/role", json={"role": "user"})).status_code == 409
    assert (await client.delete("/api/users/1")).status_code == 409
    promoted = await client.put("/api/users/2/role", json={"role": "admin"})
    assert promoted.json()["role"] == "admin"
    assert (await client.put("/api/users/1/role", json={"role": "user"})).status_code == 200
    assert (await client.delete("/api/users/2")).status_code == 409
    assert (await client.delete("/api/users/1")).status_code == 204
    assert (await client.delete("/api/users/1")).status_code == 404
    users = (await client.get("/api/users")).json()["users"]
    assert [(u["username"], u["role"]) for u in users] == [("bob", "admin")]


async def test_logout_and_removal_end_sessions_on_the_server(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    admin_token, user_token = await admin_and_user(app, client)
    async with client_as(app, user_token) as user:
        assert (await user.post("/api/auth/logout")).status_code == 204
        assert (await user.get("/api/auth/me")).status_code == 401
        # Signing out again, or with a dead session, only clears the cookie.
        assert (await user.post("/api/auth/logout")).status_code == 204
    async with client_as(app) as anonymous:
        again = await sign_in(anonymous, "bob")
    async with client_as(app, again) as user:
        assert (await user.get("/api/auth/me")).status_code == 200
        assert (await client.delete("/api/users/2")).status_code == 204
        assert (await user.get("/api/auth/me")).status_code == 401
    async with client_as(app, admin_token) as admin:
        # Demoted admins lose admin rights at once, on the same session.
        assert (await admin.get("/api/users")).status_code == 200


async def test_the_cookie_is_httponly_secure_strict_and_logout_clears_it(app: FastAPI) -> None:
    async with client_as(app) as browser:
        await sign_up(browser, "alice")
        login = await browser.post(
            "/api/auth/login", json={"username": "alice", "password": PASSWORD}
        )
        cookie = login.headers["set-cookie"].lower()
        assert "httponly" in cookie and "secure" in cookie and "samesite=strict" in cookie
        # The browser sends the cookie back; no Authorization header needed.
        assert (await browser.get("/api/users")).status_code == 200
        same_origin = await browser.post(
            "/api/keys", json={"name": "ui"}, headers={"origin": "https://testserver"}
        )
        assert same_origin.status_code == 201
        cross = await browser.post(
            "/api/keys", json={"name": "evil"}, headers={"origin": "http://localhost:3000"}
        )
        assert cross.status_code == 403
        assert (await browser.post("/api/auth/logout")).status_code == 204
        assert (await browser.get("/api/users")).status_code == 401
    assert [k["name"] for k in (await _keys(app))] == ["ui"]


async def _keys(app: FastAPI) -> list[dict[str, object]]:
    from tests.conftest import ADMIN_TOKEN

    async with client_as(app, ADMIN_TOKEN) as admin:
        keys: list[dict[str, object]] = (await admin.get("/api/keys")).json()["keys"]
        return keys


async def test_the_admin_token_keeps_working_beside_accounts(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    await admin_and_user(app, client)
    me = (await client.get("/api/auth/me")).json()
    assert me == {"role": "admin", "via": "admin_token", "user": None}
    assert (await client.post("/api/auth/logout")).status_code == 204
    assert (await client.get("/api/settings/providers")).status_code == 200


@pytest.mark.parametrize("token", ["", "wrong", "mms_forged.9999999999.sig"])
async def test_bad_credentials_are_401(app: FastAPI, token: str) -> None:
    async with client_as(app, token or None) as caller:
        response = await caller.get("/api/users")
        assert response.status_code == 401
        assert "admin token" in response.json()["detail"]


async def test_repeated_failed_sign_ins_are_throttled_per_address(app: FastAPI) -> None:
    async with client_as(app) as anonymous:
        await sign_up(anonymous, "alice")
        statuses = []
        for _ in range(12):
            response = await anonymous.post(
                "/api/auth/login", json={"username": "alice", "password": "wrong-password"}
            )
            statuses.append(response.status_code)
        assert statuses[:9] == [401] * 9
        assert statuses[-1] == 429
        assert int(response.headers["retry-after"]) >= 1
        # Even the right password waits now.
        right = await anonymous.post(
            "/api/auth/login", json={"username": "alice", "password": PASSWORD}
        )
        assert right.status_code == 429


async def test_a_user_session_cannot_run_a_provider_connection_test(
    app: FastAPI, client: httpx.AsyncClient, upstream: object
) -> None:
    from tests.fakes.upstream import FakeUpstream

    assert isinstance(upstream, FakeUpstream)
    _, user_token = await admin_and_user(app, client)
    created = await client.post(
        "/api/settings/providers",
        json={"name": "up", "backend_type": "openai_compatible", "base_url": upstream.base_url},
    )
    provider_id = created.json()["id"]
    async with client_as(app, user_token) as user:
        saved = await user.post(f"/api/settings/providers/{provider_id}/test")
        unsaved = await user.post(
            "/api/settings/providers/test",
            json={"backend_type": "openai_compatible", "base_url": upstream.base_url},
        )
    assert saved.status_code == unsaved.status_code == 403
    assert upstream.received == []
