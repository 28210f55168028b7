"""Stored responses with the official ``openai`` SDK: ``store`` keeps a response (streamed or
not), ``previous_response_id`` sends the provider the whole conversation, and retrieve, delete
and the input items list read and remove them, each caller only its own."""

from __future__ import annotations

import time
from typing import Any

import httpx
import openai
import pytest
import sqlalchemy as sa

from mlx_manager.settings import Settings, to_sync_url
from tests.api.inference.conftest import PROVIDERS, Gateway
from tests.conftest import ADMIN_TOKEN

OPENAI_MODEL = f"{PROVIDERS['openai']}/echo-1"
ANTHROPIC_MODEL = f"{PROVIDERS['anthropic']}/echo-1"


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"key_sync_interval": 0.1})


def sdk(gw: Gateway) -> Any:
    """A client whose replies the tests read as the wire has them (the SDK types them as
    unions of every item and event type)."""
    return gw.openai()


def key_client(gw: Gateway, name: str) -> Any:
    with gw.server.admin() as admin:
        response = admin.post("/api/keys", json={"name": f"{name}-{time.monotonic_ns()}"})
        assert response.status_code == 201, response.text
        key: str = response.json()["key"]
    client = openai.OpenAI(base_url=gw.server.base_url + "/v1", api_key=key, max_retries=0)
    gw._clients.append(client)
    return client


def stored_rows(settings: Settings) -> list[str]:
    engine = sa.create_engine(to_sync_url(settings.resolved_database_url()))
    with engine.connect() as conn:
        ids = [row[0] for row in conn.execute(sa.text("SELECT id FROM stored_responses"))]
    engine.dispose()
    return ids


def wait_for_rows(settings: Settings, count: int) -> list[str]:
    """The stored ids, once the writer (off the request path) has written ``count`` of them."""
    deadline = time.monotonic() + 10
    while len(ids := stored_rows(settings)) < count and time.monotonic() < deadline:
        time.sleep(0.02)
    return ids


def user_texts(body: dict[str, Any]) -> list[str]:
    """The texts of the messages the upstream (OpenAI chat) received, role by role."""
    out = []
    for message in body["messages"]:
        content = message.get("content")
        text = (
            content
            if isinstance(content, str)
            else "".join(p.get("text", "") for p in content or ())
        )
        out.append(f"{message['role']}:{text}")
    return out


@pytest.mark.parametrize("stream", [False, True], ids=["json", "sse"])
def test_a_stored_response_is_retrieved_listed_continued_and_deleted(
    gateway: Gateway, settings: Settings, stream: bool
) -> None:
    client = sdk(gateway)
    if stream:
        events = list(client.responses.create(model=OPENAI_MODEL, input="first", stream=True))
        first = events[-1].response
        assert events[0].response.id == first.id
    else:
        first = client.responses.create(model=OPENAI_MODEL, input="first")
    assert first.store is True and first.output_text == "system=[] user=[first] images=0"

    # Served at once, whether or not the writer has written it yet.
    got = client.responses.retrieve(first.id)
    assert got.id == first.id and got.output_text == first.output_text
    assert got.usage is not None and got.usage.output_tokens == first.usage.output_tokens
    assert got.model == first.model and got.created_at == first.created_at
    items = client.responses.input_items.list(first.id)
    assert [i.type for i in items.data] == ["message"]
    assert items.data[0].content[0].text == "first"
    assert items.first_id == items.last_id == items.data[0].id and items.has_more is False

    second = client.responses.create(
        model=OPENAI_MODEL, input="second", previous_response_id=first.id
    )
    assert second.previous_response_id == first.id and second.id != first.id
    third = client.responses.create(
        model=OPENAI_MODEL,
        input=[{"role": "user", "content": "third"}],
        previous_response_id=second.id,
        instructions="be brief",
    )
    assert third.output_text == "system=[be brief] user=[third] images=0"
    # The whole chain, in order: each turn's input, then its output.
    assert user_texts(gateway.upstream.received[-1].json()) == [
        "system:be brief",
        "user:first",
        "assistant:system=[] user=[first] images=0",
        "user:second",
        "assistant:system=[] user=[second] images=0",
        "user:third",
    ]
    # Only this turn's input is its own.
    third_items = client.responses.input_items.list(third.id)
    assert [i.content[0].text for i in third_items.data] == ["third"]

    assert sorted(wait_for_rows(settings, 3)) == sorted([first.id, second.id, third.id])
    deleted = client.responses.delete(second.id)
    assert deleted is None  # the SDK reads the body as nothing; the raw reply is checked below
    with pytest.raises(openai.NotFoundError):
        client.responses.retrieve(second.id)
    # The third still carries the conversation it was made from.
    fourth = client.responses.create(
        model=OPENAI_MODEL, input="fourth", previous_response_id=third.id
    )
    assert fourth.output_text == "system=[] user=[fourth] images=0"
    assert user_texts(gateway.upstream.received[-1].json())[:2] == [
        "user:first",
        "assistant:system=[] user=[first] images=0",
    ]


def test_delete_answers_openais_deleted_shape(gateway: Gateway) -> None:
    client = sdk(gateway)
    created = client.responses.create(model=OPENAI_MODEL, input="hi")
    raw = client.responses.with_raw_response.delete(created.id)
    assert raw.http_response.json() == {"id": created.id, "object": "response", "deleted": True}
    with pytest.raises(openai.NotFoundError) as caught:
        client.responses.delete(created.id)
    error: Any = caught.value.body
    assert error["code"] == "response_not_found"


def test_the_history_reaches_an_anthropic_provider(gateway: Gateway) -> None:
    client = sdk(gateway)
    first = client.responses.create(model=ANTHROPIC_MODEL, input="first")
    client.responses.create(model=ANTHROPIC_MODEL, input="second", previous_response_id=first.id)
    sent = gateway.upstream.received[-1].json()
    assert [m["role"] for m in sent["messages"]] == ["user", "assistant", "user"]


def test_store_false_keeps_nothing(gateway: Gateway, settings: Settings) -> None:
    client = sdk(gateway)
    response = client.responses.create(model=OPENAI_MODEL, input="hi", store=False)
    assert response.store is False
    with pytest.raises(openai.NotFoundError):
        client.responses.retrieve(response.id)
    with pytest.raises(openai.NotFoundError) as caught:
        client.responses.create(model=OPENAI_MODEL, input="more", previous_response_id=response.id)
    error: Any = caught.value.body
    assert error["code"] == "previous_response_not_found"
    # A stored one is written after it: the unstored one never was.
    stored = client.responses.create(model=OPENAI_MODEL, input="kept")
    assert wait_for_rows(settings, 1) == [stored.id]


def test_an_unknown_previous_response_is_a_404_in_openais_shape(gateway: Gateway) -> None:
    before = len(gateway.upstream.received)
    with pytest.raises(openai.NotFoundError) as caught:
        sdk(gateway).responses.create(
            model=OPENAI_MODEL, input="hi", previous_response_id="resp_unknown"
        )
    body: Any = caught.value.body
    assert body["type"] == "invalid_request_error"
    assert body["code"] == "previous_response_not_found"
    assert body["param"] == "previous_response_id"
    assert len(gateway.upstream.received) == before


def test_another_callers_response_is_not_found(gateway: Gateway) -> None:
    alice, bob = key_client(gateway, "alice"), key_client(gateway, "bob")
    deadline = time.monotonic() + 5
    while True:  # the keys reach /v1 on the next sync
        try:
            mine = alice.responses.create(model=OPENAI_MODEL, input="secret")
            break
        except openai.AuthenticationError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)
    assert alice.responses.retrieve(mine.id).id == mine.id
    with pytest.raises(openai.NotFoundError):
        bob.responses.retrieve(mine.id)
    with pytest.raises(openai.NotFoundError):
        bob.responses.input_items.list(mine.id)
    with pytest.raises(openai.NotFoundError):
        bob.responses.delete(mine.id)
    with pytest.raises(openai.NotFoundError):
        bob.responses.create(model=OPENAI_MODEL, input="tell me", previous_response_id=mine.id)
    # Nor the admin, who presents no key.
    admin: Any = openai.OpenAI(
        base_url=gateway.server.base_url + "/v1", api_key=ADMIN_TOKEN, max_retries=0
    )
    gateway._clients.append(admin)
    with pytest.raises(openai.NotFoundError):
        admin.responses.retrieve(mine.id)
    assert alice.responses.retrieve(mine.id).output_text == "system=[] user=[secret] images=0"


def test_the_input_items_list_pages(gateway: Gateway) -> None:
    client = sdk(gateway)
    created = client.responses.create(
        model=OPENAI_MODEL,
        input=[{"role": "user", "content": t} for t in ("a", "b", "c")],
    )
    first = client.responses.input_items.list(created.id, limit=2, order="asc")
    assert [i.content[0].text for i in first.data] == ["a", "b"]
    assert first.has_more is True
    rest = client.responses.input_items.list(created.id, limit=2, order="asc", after=first.last_id)
    assert [i.content[0].text for i in rest.data] == ["c"]
    assert rest.has_more is False
    newest = client.responses.input_items.list(created.id)
    assert [i.content[0].text for i in newest.data] == ["c", "b", "a"]
    # Every item, in both directions, through the SDK's own paging.
    assert len(list(client.responses.input_items.list(created.id, limit=1))) == 3


def session_client(gw: Gateway, username: str) -> Any:
    """An OpenAI client that calls as a signed-in user (its session token as the bearer), the
    account signed up and, past the first (an admin), approved by the admin."""
    password = "correct horse battery staple"
    with httpx.Client(base_url=gw.server.base_url) as anonymous, gw.server.admin() as admin:
        signed_up = anonymous.post(
            "/api/auth/signup", json={"username": username, "password": password}
        )
        assert signed_up.status_code == 201, signed_up.text
        if signed_up.json()["status"] != "active":
            approved = admin.post(f"/api/users/{signed_up.json()['id']}/approve")
            assert approved.status_code == 200, approved.text
        login = anonymous.post("/api/auth/login", json={"username": username, "password": password})
        assert login.status_code == 200, login.text
        token = login.json()["token"]
    client = openai.OpenAI(base_url=gw.server.base_url + "/v1", api_key=token, max_retries=0)
    gw._clients.append(client)
    return client


@pytest.mark.parametrize("server", ["open", "with keys"])
def test_a_signed_in_users_response_is_not_another_users(gateway: Gateway, server: str) -> None:
    alice, bob = session_client(gateway, "alice"), session_client(gateway, "bob")
    anonymous = sdk(gateway)
    if server == "with keys":
        key_client(gateway, "closes-the-server")
        deadline = time.monotonic() + 5
        while True:  # the key reaches /v1 on the next sync, and /v1 closes to anonymous callers
            try:
                anonymous.models.list()
            except openai.AuthenticationError:
                break
            assert time.monotonic() < deadline
            time.sleep(0.05)
    mine = alice.responses.create(model=OPENAI_MODEL, input="secret")
    assert alice.responses.retrieve(mine.id).output_text == "system=[] user=[secret] images=0"
    assert [i["id"] for i in alice.responses.input_items.list(mine.id).model_dump()["data"]]
    with pytest.raises(openai.NotFoundError):
        bob.responses.retrieve(mine.id)
    with pytest.raises(openai.NotFoundError):
        bob.responses.input_items.list(mine.id)
    with pytest.raises(openai.NotFoundError):
        bob.responses.delete(mine.id)
    with pytest.raises(openai.NotFoundError):
        bob.responses.create(model=OPENAI_MODEL, input="tell me", previous_response_id=mine.id)
    if server == "open":
        # Nor anyone who calls an open server as nobody.
        with pytest.raises(openai.NotFoundError):
            anonymous.responses.retrieve(mine.id)
    # Bob's own are his.
    his = bob.responses.create(model=OPENAI_MODEL, input="mine")
    assert bob.responses.retrieve(his.id).id == his.id
    with pytest.raises(openai.NotFoundError):
        alice.responses.retrieve(his.id)
    alice.responses.delete(mine.id)
    with pytest.raises(openai.NotFoundError):
        alice.responses.retrieve(mine.id)
