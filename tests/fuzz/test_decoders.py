"""Fuzzing the protocol decoders with JSON built from their own vocabulary.

Objects are keyed by the wire schemas' field names and valued by anything JSON can hold,
nested, with the roles and type tags the decoders branch on, so generated bodies get deep into
the decoders instead of failing at the first field. A decoder may only return a ``ChatRequest`` or
raise ``InvalidRequest``; anything else would be a 500. The same bodies also go through the whole
``/v1`` path (size and shape caps, parsing, access, routing) of an app, which must answer 4xx.
"""

from __future__ import annotations

import contextlib
import inspect
import json
from collections.abc import Callable, Iterator
from types import ModuleType

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel
from starlette.testclient import TestClient

from mlx_manager.app import create_app
from mlx_manager.core import ChatRequest
from mlx_manager.errors import InvalidRequest
from mlx_manager.protocols.anthropic import request as anthropic_request
from mlx_manager.protocols.anthropic import schemas as anthropic_schemas
from mlx_manager.protocols.openai import request as openai_request
from mlx_manager.protocols.openai import schemas as openai_schemas
from mlx_manager.settings import Settings
from tests.conftest import ADMIN_TOKEN
from tests.fakes.upstream import closed_port_url

# Thousands of generated cases: the slow group (`make test-slow`), which CI runs.
pytestmark = pytest.mark.slow

TAGS = [
    "user",
    "assistant",
    "system",
    "developer",
    "tool",
    "function",
    "text",
    "image_url",
    "image",
    "tool_use",
    "tool_result",
    "thinking",
    "redacted_thinking",
    "base64",
    "url",
    "auto",
    "any",
    "none",
    "required",
    "enabled",
    "json_schema",
    "json_object",
    "data:image/png;base64,iVBORw0KGgo=",
    "https://img.test/a.png",
    "image/png",
    "low",
]


def field_names(module: ModuleType) -> list[str]:
    names = {
        field.alias or name
        for _, cls in inspect.getmembers(module, inspect.isclass)
        if issubclass(cls, BaseModel) and cls is not BaseModel
        for name, field in cls.model_fields.items()
    }
    return sorted(names)


def bodies(module: ModuleType) -> st.SearchStrategy[object]:
    keys = st.sampled_from(field_names(module))
    leaves = st.one_of(
        st.none(),
        st.booleans(),
        st.integers(-(2**70), 2**70),
        st.floats(allow_nan=False, allow_infinity=False),
        st.text(max_size=30),
        st.sampled_from(TAGS),
    )
    values = st.recursive(
        leaves,
        lambda inner: st.lists(inner, max_size=4) | st.dictionaries(keys, inner, max_size=6),
        max_leaves=40,
    )
    # Mostly objects with a model and messages, as real callers send; sometimes anything.
    requests = st.fixed_dictionaries(
        {"model": st.sampled_from(["m", "up/m"]), "messages": st.lists(values, max_size=5)},
        optional={"max_tokens": st.integers(-5, 2**40), "stream": st.booleans()},
    ).flatmap(lambda base: st.dictionaries(keys, values, max_size=8).map(lambda x: {**x, **base}))
    return st.one_of(requests, requests, values)


FUZZ = settings(
    max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow], database=None
)

DECODERS: list[tuple[str, Callable[[object], ChatRequest], ModuleType]] = [
    ("openai", openai_request.decode_request, openai_schemas),
    ("anthropic", anthropic_request.decode_request, anthropic_schemas),
]


@pytest.mark.parametrize(("_name", "decode", "module"), DECODERS, ids=[d[0] for d in DECODERS])
def test_decoders_return_a_request_or_refuse_it(
    _name: str, decode: Callable[[object], ChatRequest], module: ModuleType
) -> None:
    @FUZZ
    @given(body=bodies(module))
    def run(body: object) -> None:
        with contextlib.suppress(InvalidRequest):
            assert isinstance(decode(body), ChatRequest)

    run()


@pytest.fixture
def gateway(settings: Settings) -> Iterator[TestClient]:
    """An app whose one provider of each protocol is unreachable: bodies are decoded for
    translation, then fail over to nothing (503), or are refused (4xx)."""
    fuzzed = settings.model_copy(update={"retries_per_target": 0, "max_body_bytes": 256 * 1024})
    with TestClient(
        create_app(fuzzed), headers={"Authorization": f"Bearer {ADMIN_TOKEN}"}
    ) as client:
        for kind in ("openai", "anthropic"):
            client.post(
                "/api/settings/providers",
                json={
                    "name": kind,
                    "backend_type": f"{kind}_compatible",
                    "base_url": closed_port_url(),
                },
            ).raise_for_status()
        # Each caller's protocol is served by the other one: the decoders always run.
        for pattern, provider in (("openai-*", 2), ("anthropic-*", 1)):
            client.post(
                "/api/settings/rules",
                json={
                    "pattern": pattern,
                    "pattern_type": "glob",
                    "targets": [{"provider": provider}],
                },
            ).raise_for_status()
        yield client


@pytest.mark.parametrize(
    ("path", "module"),
    [
        ("/v1/chat/completions", openai_schemas),
        ("/v1/messages", anthropic_schemas),
    ],
)
def test_the_v1_path_answers_every_body_without_a_server_error(
    gateway: TestClient, path: str, module: ModuleType
) -> None:
    prefix = "openai" if "chat" in path else "anthropic"

    @settings(FUZZ, max_examples=150, suppress_health_check=list(HealthCheck))
    @given(body=bodies(module), raw=st.none() | st.binary(max_size=200))
    def run(body: object, raw: bytes | None) -> None:
        if isinstance(body, dict) and isinstance(body.get("model"), str):
            body["model"] = f"{prefix}-{body['model']}"
        content = raw if raw is not None else json.dumps(body).encode()
        response = gateway.post(path, content=content, headers={"content-type": "application/json"})
        assert response.status_code < 500 or response.status_code == 503, response.text
        if path == "/v1/messages":
            assert response.status_code == 200 or response.json()["type"] == "error"
        else:
            assert response.status_code == 200 or "error" in response.json()

    run()
