"""Image URLs in requests go to the provider as URLs; the gateway itself never fetches them."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.api.inference.conftest import Gateway
from tests.fakes.upstream import FakeUpstream, Reply


@pytest.fixture
def image_host() -> Iterator[FakeUpstream]:
    host = FakeUpstream().start()
    host.reply("/cat.png", Reply(json={"not": "an image"}))
    yield host
    host.stop()


def openai_body(model: str, url: str) -> dict[str, Any]:
    content = [
        {"type": "text", "text": "what is this?"},
        {"type": "image_url", "image_url": {"url": url}},
    ]
    return {"model": model, "messages": [{"role": "user", "content": content}]}


def anthropic_body(model: str, url: str) -> dict[str, Any]:
    content = [
        {"type": "text", "text": "what is this?"},
        {"type": "image", "source": {"type": "url", "url": url}},
    ]
    return {"model": model, "max_tokens": 20, "messages": [{"role": "user", "content": content}]}


@pytest.mark.parametrize("up", ["openai", "anthropic"])
def test_image_urls_are_passed_on_never_fetched(
    gateway: Gateway, image_host: FakeUpstream, up: str
) -> None:
    url = image_host.base_url + "/cat.png"
    model = f"up-{up}/echo-1"
    with httpx.Client(base_url=gateway.server.base_url, timeout=10) as caller:
        for path, body in (
            ("/v1/chat/completions", openai_body(model, url)),
            ("/v1/messages", anthropic_body(model, url)),
        ):
            response = caller.post(path, json=body)
            assert response.status_code < 500, response.text
    assert image_host.received == []
    # What reached the provider still names the URL, for the provider to fetch if it will.
    sent = [r.body for r in gateway.upstream.received if r.method == "POST"]
    assert len(sent) == 2
    assert all(url.encode() in body for body in sent)
