"""Clients for one app with other credentials than the admin token, and account set-up."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
from fastapi import FastAPI

PASSWORD = "correct horse battery staple"


@asynccontextmanager
async def client_as(
    app: FastAPI, token: str | None = None, *, base_url: str = "https://testserver"
) -> AsyncIterator[httpx.AsyncClient]:
    """A client with no credentials, or with ``token`` as its bearer."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url=base_url, headers=headers
    ) as client:
        yield client


async def sign_up(client: httpx.AsyncClient, username: str) -> dict[str, object]:
    response = await client.post(
        "/api/auth/signup", json={"username": username, "password": PASSWORD}
    )
    assert response.status_code == 201, response.text
    user: dict[str, object] = response.json()
    return user


async def sign_in(client: httpx.AsyncClient, username: str) -> str:
    response = await client.post(
        "/api/auth/login", json={"username": username, "password": PASSWORD}
    )
    assert response.status_code == 200, response.text
    token: str = response.json()["token"]
    return token


async def admin_and_user(app: FastAPI, admin_client: httpx.AsyncClient) -> tuple[str, str]:
    """Session tokens of a first (admin) account and an approved second (user) account."""
    async with client_as(app) as anonymous:
        await sign_up(anonymous, "alice")
        bob = await sign_up(anonymous, "bob")
        approved = await admin_client.post(f"/api/users/{bob['id']}/approve")
        assert approved.status_code == 200, approved.text
        return await sign_in(anonymous, "alice"), await sign_in(anonymous, "bob")
