"""The local MLX engine end to end: the official SDKs against a live gateway serving a tiny model.

One gateway serves the whole module. Its data dir holds three model folders: ``tiny-llama``, a
copy of it that only the shared-load test touches (so it is still unloaded then), and a copy with
corrupt weights. What the gateway should answer is computed before it starts, with mlx-lm's own
``stream_generate`` on the same model and prompts: greedy output, token counts, finish reason.
"""

from __future__ import annotations

import base64
import shutil
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import anthropic
import httpx
import openai
import pytest
import uvicorn

from mlx_manager.app import create_app
from mlx_manager.settings import Settings
from tests.api.inference.conftest import PROVIDERS, Gateway
from tests.conftest import ADMIN_TOKEN, LiveServer
from tests.fakes.llm import serve_echo_model
from tests.fakes.upstream import FakeUpstream, free_port
from tests.tiny_model import build_tiny_model

TINY = "tiny-llama"
# A copy of TINY that nothing loads before the shared-load test.
FRESH = "tiny-llama-fresh"
BROKEN = "tiny-llama-broken"
PNG = base64.b64encode(b"\x89PNG\r\n\x1a\n" + b"\0" * 16).decode()
MAX_TOKENS = 24
# This Anthropic SDK has no ``temperature`` argument; the Messages API still takes the field.
GREEDY = {"temperature": 0}

# name: (system prompt or "", turns as (role, text)). Chosen so the tiny model's greedy output
# holds no ``<think>``/tool markers (checked when the references are computed).
CASES: dict[str, tuple[str, list[tuple[str, str]]]] = {
    "story": ("", [("user", "Tell me a story.")]),
    "system": ("Be brief.", [("user", "Tell me a story.")]),
    "multi_turn": (
        "",
        [("user", "hello world"), ("assistant", "Hello! How are you?"), ("user", "Count to ten.")],
    ),
    # The tiny model emits EOS after a few tokens here: a natural stop.
    "brief": ("Be brief.", [("user", "Hello")]),
}


@dataclass(frozen=True)
class Expected:
    text: str
    prompt_tokens: int
    output_tokens: int
    finish: str  # mlx-lm's: "length" or "stop"


def openai_messages(case: str) -> list[Any]:
    system, turns = CASES[case]
    head = [{"role": "system", "content": system}] if system else []
    return head + [{"role": role, "content": text} for role, text in turns]


def anthropic_kwargs(case: str) -> dict[str, Any]:
    system, turns = CASES[case]
    extra: dict[str, Any] = {"system": system} if system else {}
    return {"messages": [{"role": role, "content": text} for role, text in turns], **extra}


def reference_outputs(model_dir: Path) -> dict[str, Expected]:
    """Greedy generations by mlx-lm directly, before the gateway (and its MLX thread) starts."""
    from mlx_lm import stream_generate
    from mlx_lm.sample_utils import make_sampler
    from mlx_lm.utils import load

    model, tokenizer = load(str(model_dir))[:2]
    expected = {}
    for case in CASES:
        text = tokenizer.apply_chat_template(  # type: ignore[no-untyped-call]
            openai_messages(case), add_generation_prompt=True, tokenize=False
        )
        prompt = tokenizer.encode(text, add_special_tokens=False)
        pieces = []
        for last in stream_generate(
            model, tokenizer, prompt, max_tokens=MAX_TOKENS, sampler=make_sampler(0.0)
        ):
            pieces.append(last.text)
        out = "".join(pieces)
        assert not any(m in out for m in ("<think>", "</think>", "<tool_call>")), (case, out)
        expected[case] = Expected(
            text=out,
            prompt_tokens=len(prompt),
            output_tokens=last.generation_tokens,
            finish=str(last.finish_reason),
        )
    assert expected["brief"].finish == "stop" and expected["story"].finish == "length"
    return expected


@dataclass
class Engine:
    gateway: Gateway
    expected: dict[str, Expected]
    models_dir: Path

    def status(self) -> dict[str, Any]:
        with self.gateway.server.admin() as admin:
            body: dict[str, Any] = admin.get("/api/models/status").raise_for_status().json()
            return body

    def wait_for(self, check: Callable[[dict[str, Any]], bool]) -> dict[str, Any]:
        deadline = time.monotonic() + 5
        while True:
            status = self.status()
            if check(status) or time.monotonic() > deadline:
                return status
            time.sleep(0.02)


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    root = tmp_path_factory.mktemp("local-engine")
    models = root / "data" / "models"
    tiny = build_tiny_model(models / TINY)
    expected = reference_outputs(tiny)
    shutil.copytree(tiny, models / FRESH)
    broken = shutil.copytree(tiny, models / BROKEN)
    weights = (broken / "model.safetensors").read_bytes()
    # A download cut short: the header promises more bytes than the file holds.
    (broken / "model.safetensors").write_bytes(weights[: len(weights) // 2])

    settings = Settings(
        data_dir=root / "data",
        secret_key="test-secret",
        admin_token=ADMIN_TOKEN,
        hf_cache=root / "hf",
        local_max_models=3,
        retry_backoff_cap=0.01,
    )
    upstream = FakeUpstream().start()
    serve_echo_model(upstream)
    port = free_port()
    app = create_app(settings)
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline and thread.is_alive(), "the server did not start"
        time.sleep(0.01)
    live = LiveServer(base_url=f"http://127.0.0.1:{port}", app=app)
    gateway = Gateway(server=live, upstream=upstream, provider_ids={})
    for api_type, name in PROVIDERS.items():
        gateway.provider_ids[api_type] = gateway.add_provider(
            name, api_type, upstream.base_url + "/v1"
        )
    yield Engine(gateway=gateway, expected=expected, models_dir=models)
    gateway.close()
    server.should_exit = True
    thread.join(timeout=15)
    upstream.stop()


@pytest.fixture(scope="module")
def oai(engine: Engine) -> openai.OpenAI:
    return engine.gateway.openai().with_options(timeout=30)


@pytest.fixture(scope="module")
def ant(engine: Engine) -> anthropic.Anthropic:
    return engine.gateway.anthropic().with_options(timeout=30)


def openai_stream(client: openai.OpenAI, **kwargs: Any) -> tuple[str, str | None, Any]:
    """Text, finish reason and usage of a streamed chat completion."""
    stream = client.chat.completions.create(
        stream=True, stream_options={"include_usage": True}, **kwargs
    )
    text, finish, usage = "", None, None
    for chunk in stream:
        if chunk.usage is not None:
            usage = chunk.usage
        for choice in chunk.choices:
            text += choice.delta.content or ""
            finish = choice.finish_reason or finish
    return text, finish, usage


def anthropic_text(message: anthropic.types.Message) -> str:
    return "".join(block.text for block in message.content if block.type == "text")


# --- both APIs, streaming and not --------------------------------------------------------------


@pytest.mark.parametrize("case", list(CASES))
def test_openai_answers_are_mlx_lm_greedy_output(
    engine: Engine, oai: openai.OpenAI, case: str
) -> None:
    want = engine.expected[case]
    raw = oai.chat.completions.with_raw_response.create(
        model=TINY, messages=openai_messages(case), max_tokens=MAX_TOKENS, temperature=0
    )
    reply = raw.parse()
    assert raw.headers["x-mlx-manager-provider"] == "local"
    assert reply.choices[0].message.content == want.text
    assert reply.choices[0].finish_reason == want.finish
    assert reply.usage is not None
    assert reply.usage.prompt_tokens == want.prompt_tokens
    assert reply.usage.completion_tokens == want.output_tokens
    assert reply.usage.total_tokens == want.prompt_tokens + want.output_tokens

    text, finish, usage = openai_stream(
        oai, model=TINY, messages=openai_messages(case), max_tokens=MAX_TOKENS, temperature=0
    )
    assert (text, finish) == (want.text, want.finish)
    assert usage is not None
    assert (usage.prompt_tokens, usage.completion_tokens) == (
        want.prompt_tokens,
        want.output_tokens,
    )


@pytest.mark.parametrize("case", list(CASES))
def test_responses_answers_are_mlx_lm_greedy_output(
    engine: Engine, oai: openai.OpenAI, case: str
) -> None:
    want = engine.expected[case]
    system, turns = CASES[case]
    kwargs: Any = {
        "model": TINY,
        "input": [{"role": role, "content": text} for role, text in turns],
        "max_output_tokens": MAX_TOKENS,
        "temperature": 0,
        **({"instructions": system} if system else {}),
    }
    raw = oai.responses.with_raw_response.create(**kwargs)
    assert raw.headers["x-mlx-manager-provider"] == "local"
    events = list(oai.responses.create(stream=True, **kwargs))
    status = "incomplete" if want.finish == "length" else "completed"
    assert events[-1].type == f"response.{status}"
    for response in (raw.parse(), events[-1].response):
        assert response.output_text == want.text
        assert response.status == status
        assert response.usage is not None
        assert (response.usage.input_tokens, response.usage.output_tokens) == (
            want.prompt_tokens,
            want.output_tokens,
        )


@pytest.mark.parametrize("case", list(CASES))
def test_anthropic_answers_are_mlx_lm_greedy_output(
    engine: Engine, ant: anthropic.Anthropic, case: str
) -> None:
    want = engine.expected[case]
    stop_reason = {"length": "max_tokens", "stop": "end_turn"}[want.finish]
    message = ant.messages.create(
        model=TINY, max_tokens=MAX_TOKENS, extra_body=GREEDY, **anthropic_kwargs(case)
    )
    assert anthropic_text(message) == want.text
    assert message.stop_reason == stop_reason
    assert (message.usage.input_tokens, message.usage.output_tokens) == (
        want.prompt_tokens,
        want.output_tokens,
    )

    with ant.messages.stream(
        model=TINY, max_tokens=MAX_TOKENS, extra_body=GREEDY, **anthropic_kwargs(case)
    ) as stream:
        streamed = "".join(stream.text_stream)
        final = stream.get_final_message()
    assert streamed == anthropic_text(final) == want.text
    assert final.stop_reason == stop_reason
    assert (final.usage.input_tokens, final.usage.output_tokens) == (
        want.prompt_tokens,
        want.output_tokens,
    )


@pytest.mark.parametrize("max_tokens", [1, 5])
def test_max_tokens_stops_with_exactly_that_many(
    engine: Engine, oai: openai.OpenAI, ant: anthropic.Anthropic, max_tokens: int
) -> None:
    reply = oai.chat.completions.create(
        model=TINY, messages=openai_messages("story"), max_tokens=max_tokens, temperature=0
    )
    assert reply.choices[0].finish_reason == "length"
    assert reply.usage is not None and reply.usage.completion_tokens == max_tokens
    assert engine.expected["story"].text.startswith(reply.choices[0].message.content or "")
    message = ant.messages.create(
        model=TINY, max_tokens=max_tokens, extra_body=GREEDY, **anthropic_kwargs("story")
    )
    assert message.stop_reason == "max_tokens"
    assert message.usage.output_tokens == max_tokens


def pick_stop(text: str) -> str:
    """Two ASCII letters or digits first seen a few characters into ``text``."""
    for at in range(4, len(text) - 2):
        stop = text[at : at + 2]
        if stop.isascii() and stop.isalnum() and text.find(stop) == at:
            return stop
    raise AssertionError(f"no usable stop string in {text!r}")


def test_stop_sequences_end_the_answer_and_are_not_sent(
    engine: Engine, oai: openai.OpenAI, ant: anthropic.Anthropic
) -> None:
    full = engine.expected["system"].text
    stop = pick_stop(full)
    before = full[: full.index(stop)]
    common: dict[str, Any] = {"model": TINY, "max_tokens": MAX_TOKENS, "temperature": 0}

    reply = oai.chat.completions.create(
        messages=openai_messages("system"), stop=[stop, "never-seen"], **common
    )
    assert reply.choices[0].message.content == before
    assert reply.choices[0].finish_reason == "stop"
    text, finish, _ = openai_stream(oai, messages=openai_messages("system"), stop=stop, **common)
    assert (text, finish) == (before, "stop")

    common = {"model": TINY, "max_tokens": MAX_TOKENS, "extra_body": GREEDY}
    message = ant.messages.create(stop_sequences=[stop], **anthropic_kwargs("system"), **common)
    assert anthropic_text(message) == before
    assert (message.stop_reason, message.stop_sequence) == ("stop_sequence", stop)
    with ant.messages.stream(
        stop_sequences=[stop], **anthropic_kwargs("system"), **common
    ) as stream:
        streamed = "".join(stream.text_stream)
        final = stream.get_final_message()
    assert streamed == before
    assert (final.stop_reason, final.stop_sequence) == ("stop_sequence", stop)


# --- sampling ----------------------------------------------------------------------------------


def test_greedy_is_deterministic_through_both_apis(
    oai: openai.OpenAI, ant: anthropic.Anthropic
) -> None:
    texts = set()
    for _ in range(2):
        reply = oai.chat.completions.create(
            model=TINY, messages=openai_messages("multi_turn"), max_tokens=16, temperature=0
        )
        texts.add(reply.choices[0].message.content)
        message = ant.messages.create(
            model=TINY, max_tokens=16, extra_body=GREEDY, **anthropic_kwargs("multi_turn")
        )
        texts.add(anthropic_text(message))
    assert len(texts) == 1


def test_a_seed_reproduces_sampled_output_even_in_a_batch(oai: openai.OpenAI) -> None:
    def sample(seed: int | None) -> str:
        reply = oai.chat.completions.create(
            model=TINY,
            messages=openai_messages("story"),
            max_tokens=16,
            temperature=1.0,
            seed=seed,
        )
        return reply.choices[0].message.content or ""

    alone = sample(7)
    assert sample(7) == alone
    # Batched with unseeded requests, the seeded one still draws from its own key.
    with ThreadPoolExecutor(4) as pool:
        together = list(pool.map(sample, [7, None, None, None]))
    assert together[0] == alone
    assert len({alone, sample(8), sample(9)}) > 1


# --- the pool and the worker -------------------------------------------------------------------


def test_concurrent_first_requests_share_one_load(
    engine: Engine, oai: openai.OpenAI, monkeypatch: pytest.MonkeyPatch
) -> None:
    import mlx_lm.utils

    assert FRESH not in [m["name"] for m in engine.status()["loaded"]]
    loads: list[str] = []
    real_load = mlx_lm.utils.load

    def slow_counted_load(path: str, *args: Any, **kwargs: Any) -> Any:
        loads.append(Path(path).name)
        time.sleep(0.3)  # every request arrives while the load runs
        return real_load(path, *args, **kwargs)

    monkeypatch.setattr(mlx_lm.utils, "load", slow_counted_load)
    requests_before = engine.status()["worker"]["requests"]

    def ask(i: int) -> str:
        reply = oai.chat.completions.create(
            model=FRESH,
            messages=[{"role": "user", "content": f"Hi {i}"}],
            max_tokens=4,
            temperature=0,  # sampled tokens could hit EOS early and end with "stop"
        )
        return reply.choices[0].finish_reason

    with ThreadPoolExecutor(4) as pool:
        finishes = list(pool.map(ask, range(4)))

    assert finishes == ["length"] * 4
    assert loads == [FRESH]
    status = engine.status()
    assert [m["name"] for m in status["loaded"]].count(FRESH) == 1
    assert status["loading"] == []
    assert status["worker"]["requests"] == requests_before + 4


def read_some_events(response: httpx.Response, count: int) -> None:
    seen = 0
    for line in response.iter_lines():
        if line.startswith("data:"):
            seen += 1
            if seen == count:
                return
    raise AssertionError("the stream ended before the client closed it")


@pytest.mark.parametrize("protocol", ["openai", "anthropic"])
def test_a_client_closing_its_stream_frees_the_slot(
    engine: Engine, oai: openai.OpenAI, protocol: str
) -> None:
    before = engine.status()["worker"]
    path = "/v1/chat/completions" if protocol == "openai" else "/v1/messages"
    body = {
        "model": TINY,
        "messages": [{"role": "user", "content": "Go on forever"}],
        "max_tokens": 100_000,
        "temperature": 0,
        "stream": True,
    }
    with (
        httpx.Client(base_url=engine.gateway.server.base_url, timeout=10) as caller,
        caller.stream("POST", path, json=body) as response,
    ):
        assert response.status_code == 200
        read_some_events(response, 4)

    status = engine.wait_for(lambda s: s["worker"]["cancelled"] > before["cancelled"])
    assert status["worker"]["cancelled"] == before["cancelled"] + 1
    tiny = next(m for m in status["loaded"] if m["name"] == TINY)
    assert tiny["in_use"] == 0
    generated = status["worker"]["generated_tokens"]
    time.sleep(0.1)
    assert engine.status()["worker"]["generated_tokens"] == generated
    assert generated - before["generated_tokens"] < 1000

    # The engine serves on.
    reply = oai.chat.completions.create(
        model=TINY, messages=openai_messages("story"), max_tokens=MAX_TOKENS, temperature=0
    )
    assert reply.choices[0].message.content == engine.expected["story"].text


# --- routing -----------------------------------------------------------------------------------


def test_v1_models_lists_the_local_models(oai: openai.OpenAI) -> None:
    owners = {m.id: m.owned_by for m in oai.models.list()}
    assert owners[TINY] == owners[FRESH] == "local"


def test_a_rule_can_send_an_alias_to_a_local_model(
    engine: Engine, oai: openai.OpenAI, ant: anthropic.Anthropic
) -> None:
    engine.gateway.add_rule("house-model", [{"provider": "local", "model": TINY}], kind="exact")
    raw = oai.chat.completions.with_raw_response.create(
        model="house-model", messages=openai_messages("story"), max_tokens=MAX_TOKENS, temperature=0
    )
    assert raw.parse().choices[0].message.content == engine.expected["story"].text
    assert raw.headers["x-mlx-manager-provider"] == "local"
    assert raw.headers["x-mlx-manager-model"] == TINY
    with ant.messages.stream(
        model="house-model", max_tokens=MAX_TOKENS, extra_body=GREEDY, **anthropic_kwargs("story")
    ) as stream:
        assert "".join(stream.text_stream) == engine.expected["story"].text


@pytest.mark.parametrize(
    ("pattern", "local_model"),
    [("fo-missing-*", "no-such-model"), ("fo-broken-*", BROKEN)],
    ids=["missing-model", "corrupt-weights"],
)
def test_local_failures_fall_over_to_a_provider(
    engine: Engine,
    oai: openai.OpenAI,
    ant: anthropic.Anthropic,
    pattern: str,
    local_model: str,
) -> None:
    provider = {"provider": engine.gateway.provider_ids["openai"], "model": "echo-1"}
    engine.gateway.add_rule(pattern, [{"provider": "local", "model": local_model}, provider])
    name = pattern.replace("*", "x")
    hello: list[Any] = [{"role": "user", "content": "hello"}]

    raw = oai.chat.completions.with_raw_response.create(model=name, messages=hello)
    assert raw.parse().choices[0].message.content == "system=[] user=[hello] images=0"
    assert raw.headers["x-mlx-manager-provider"] == PROVIDERS["openai"]
    assert raw.headers["x-mlx-manager-attempts"] == "2"
    text, _, _ = openai_stream(oai, model=name, messages=hello)
    assert text == "system=[] user=[hello] images=0"
    # Through the IR, for an Anthropic caller, too.
    message = ant.messages.create(model=name, max_tokens=50, messages=hello)
    assert anthropic_text(message) == "system=[] user=[hello] images=0"
    assert BROKEN not in [m["name"] for m in engine.status()["loaded"]]


def test_images_are_refused_in_each_protocols_shape(
    oai: openai.OpenAI, ant: anthropic.Anthropic
) -> None:
    image_url = {"type": "image_url", "image_url": {"url": f"data:image/png;base64,{PNG}"}}
    content: Any = [{"type": "text", "text": "what is this?"}, image_url]
    for stream in (False, True):
        with pytest.raises(openai.BadRequestError) as info:
            oai.chat.completions.create(
                model=TINY, messages=[{"role": "user", "content": content}], stream=stream
            )
        error = info.value.body
        assert isinstance(error, dict)
        assert error["type"] == "invalid_request_error" and error["param"] == "messages"
        assert "text only" in error["message"] and TINY in error["message"]

    source = {"type": "base64", "media_type": "image/png", "data": PNG}
    blocks: Any = [{"type": "text", "text": "what is this?"}, {"type": "image", "source": source}]
    for stream in (False, True):
        with pytest.raises(anthropic.BadRequestError) as ainfo:
            ant.messages.create(
                model=TINY,
                max_tokens=10,
                messages=[{"role": "user", "content": blocks}],
                stream=stream,
            )
        body = ainfo.value.body
        assert isinstance(body, dict) and body["type"] == "error"
        assert body["error"]["type"] == "invalid_request_error"
        assert "text only" in body["error"]["message"]


@pytest.mark.parametrize("case", list(CASES))
def test_count_tokens_is_the_prompt_the_engine_feeds(
    engine: Engine, ant: anthropic.Anthropic, case: str
) -> None:
    count = ant.messages.count_tokens(model=TINY, **anthropic_kwargs(case))
    assert count.input_tokens == engine.expected[case].prompt_tokens
