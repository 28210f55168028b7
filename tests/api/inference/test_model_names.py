"""Hostile model names on a live gateway: rules whose patterns backtrack in Python's ``re`` run on
RE2 and cannot stall the event loop, and names past the cap get a 400 in the caller's protocol."""

from __future__ import annotations

import time
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

import anthropic
import httpx
import openai
import pytest

from mlx_manager.routing.patterns import MAX_MODEL_NAME
from tests.api.inference.conftest import Gateway

MESSAGES: Any = [{"role": "user", "content": "hello"}]
# Python's re took 22 s on one such name against the first pattern (the cost grows with the
# fourth power of the length), and the whole server, /health included, waited.
BACKTRACKING = [".*a.*a.*a.*a.*z", "(a?){25}a{25}"]
HOSTILE = "a" * 200
TOO_LONG = "a" * 10_000


@pytest.fixture
def gw(gateway: Gateway) -> Gateway:
    for pattern in BACKTRACKING:
        gateway.add_rule(
            pattern, [{"provider": gateway.provider_ids["openai"], "model": "echo-1"}], "regex"
        )
    return gateway


def status_of(call: Any) -> int:
    """The HTTP status the SDK call ended with (200 when it returned)."""
    try:
        call()
    except (openai.APIStatusError, anthropic.APIStatusError) as exc:
        return exc.status_code
    return 200


def hostile_calls(gw: Gateway, model: str) -> list[Any]:
    oa, an = gw.openai(), gw.anthropic()
    return [
        lambda: oa.chat.completions.create(model=model, messages=MESSAGES),
        lambda: oa.chat.completions.create(model=model, messages=MESSAGES, stream=True),
        lambda: an.messages.create(model=model, max_tokens=10, messages=MESSAGES),
        lambda: oa.embeddings.create(model=model, input="hello"),
    ]


def test_the_rules_are_live(gw: Gateway) -> None:
    reply = gw.openai().chat.completions.with_raw_response.create(model="a" * 30, messages=MESSAGES)
    assert reply.headers["x-mlx-manager-provider"] == "up-openai"
    assert reply.headers["x-mlx-manager-model"] == "echo-1"


def test_backtracking_rules_do_not_stall_the_server(gw: Gateway) -> None:
    calls = hostile_calls(gw, HOSTILE) * 3 + hostile_calls(gw, TOO_LONG)
    health: list[float] = []
    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=len(calls)) as pool, httpx.Client() as probe:
        futures: list[Future[int]] = [pool.submit(status_of, call) for call in calls]
        while not all(f.done() for f in futures) or not health:
            asked = time.monotonic()
            assert probe.get(gw.server.base_url + "/health").status_code == 200
            health.append(time.monotonic() - asked)
            time.sleep(0.01)
        statuses = [f.result() for f in futures]
    elapsed = time.monotonic() - started

    # No rule matches 200 a's (and no model has that name); 10 000 characters are past the cap.
    assert statuses == [404] * 12 + [400] * 4
    assert max(health) < 1, health
    assert elapsed < 5


def test_a_name_past_the_cap_is_refused_in_the_openai_shape(gw: Gateway) -> None:
    client = gw.openai()
    for call in (
        lambda: client.chat.completions.create(model=TOO_LONG, messages=MESSAGES),
        lambda: client.embeddings.create(model=TOO_LONG, input="hello"),
    ):
        with pytest.raises(openai.BadRequestError) as refused:
            call()
        assert refused.value.body == {
            "message": f"'model' is 10000 characters long; model names are at most "
            f"{MAX_MODEL_NAME} characters.",
            "type": "invalid_request_error",
            "param": "model",
            "code": "invalid_request_error",
        }


def test_a_name_past_the_cap_is_refused_in_the_anthropic_shape(gw: Gateway) -> None:
    with pytest.raises(anthropic.BadRequestError) as refused:
        gw.anthropic().messages.create(model=TOO_LONG, max_tokens=10, messages=MESSAGES)
    assert refused.value.body == {
        "type": "error",
        "error": {
            "type": "invalid_request_error",
            "message": f"'model' is 10000 characters long; model names are at most "
            f"{MAX_MODEL_NAME} characters.",
        },
    }


def test_a_name_at_the_cap_is_routed(gw: Gateway) -> None:
    with pytest.raises(openai.NotFoundError) as refused:
        gw.openai().chat.completions.create(model="m" * MAX_MODEL_NAME, messages=MESSAGES)
    assert refused.value.code == "model_not_found"
